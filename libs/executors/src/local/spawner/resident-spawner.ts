/**
 * The client of the resident spawner (`libs/executors/spawner/slipway-spawner.c`): one small
 * helper process that starts container processes with posix_spawn, so a step start no longer
 * forks this (large) Node process. Protocol and guarantees: spawner/README.md.
 *
 * Failure handling: if the helper cannot be built or started, every request is handed to the
 * fallback launcher (Node's own spawn), and so is every later one. If it dies later, requests it
 * had not yet started go to the fallback, processes it had started are killed (their group) and
 * reported as killed; the next request starts a new helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getSystemErrorMap } from 'node:util';
import { type LaunchHandlers, type LaunchRequest, type Launcher, nodeLauncher, signalGroup } from './launcher.js';
import { spawnerBinary, type SpawnerBinary } from './spawner-binary.js';

const HEADER_BYTES = 9;

/**
 * The launcher for `spawner`: the resident spawner when its executable is available (built now
 * if needed), else Node's own spawn with a warning that says why.
 */
export function chooseLauncher(spawner: 'resident' | 'node', warn: (message: string) => void): Launcher {
  if (spawner === 'node') return nodeLauncher;
  const resident = new ResidentSpawner(nodeLauncher, warn);
  return resident.usable ? resident : nodeLauncher;
}

interface Pending {
  request: LaunchRequest;
  handlers: LaunchHandlers;
  pid?: number;
}

interface StartFailure {
  errno: number;
  code: string;
  message: string;
}

export class ResidentSpawner implements Launcher {
  readonly kind = 'resident';
  private helper: ChildProcess | undefined;
  private ready = false;
  /** The helper never came up: use the fallback from now on. */
  private unusable = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer: Buffer = Buffer.alloc(0);
  private readonly outgoing: Buffer[] = [];

  private readonly binary: string | undefined;

  /** Finds (builds if needed) the executable now; without one it warns once and uses `fallback`. */
  constructor(
    private readonly fallback: Launcher = nodeLauncher,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
    findBinary: () => SpawnerBinary = spawnerBinary,
  ) {
    const binary = findBinary();
    if ('problem' in binary) {
      this.unusable = true;
      warn(`the resident process spawner is not available (${binary.problem}); steps start with Node's child_process instead`);
    } else {
      this.binary = binary.path;
    }
  }

  /** The helper's pid while it runs (for diagnostics and tests). */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  /** Whether requests currently go to the helper (false once it proved unusable). */
  get usable(): boolean {
    return !this.unusable;
  }

  launch(request: LaunchRequest, handlers: LaunchHandlers): void {
    const helper = this.unusable ? undefined : (this.helper ?? this.startHelper());
    if (!helper) {
      this.fallback.launch(request, handlers);
      return;
    }
    const id = this.nextId++;
    const message = encodeRequest(id, request);
    if (typeof message === 'string') {
      // What Node's spawn rejects too (ERR_INVALID_ARG_VALUE); reported like a start failure.
      queueMicrotask(() => handlers.onExit({ code: null, signal: null, spawnError: startError(request, { errno: 22, code: 'EINVAL', message }) }));
      return;
    }
    this.pending.set(id, { request, handlers });
    if (this.pending.size === 1) this.setRef(true);
    // Starts requested in the same turn of the event loop (a reconcile starting several pods)
    // go out in one write: one wake-up of the helper instead of one each.
    this.outgoing.push(message);
    if (this.outgoing.length === 1) queueMicrotask(() => this.flush(helper));
  }

  private flush(helper: ChildProcess): void {
    const messages = this.outgoing.splice(0);
    if (helper !== this.helper) {
      // It died in between: helperGone already re-routed these requests (none was acknowledged).
      return;
    }
    helper.stdin!.write(messages.length === 1 ? messages[0] : Buffer.concat(messages));
  }

  /** Stop the helper (it kills every process group it still has). */
  close(): void {
    this.helper?.stdin?.end();
  }

  private startHelper(): ChildProcess {
    const helper = spawn(this.binary!, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.helper = helper;
    this.ready = false;
    this.buffer = Buffer.alloc(0);
    helper.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    let stderr = '';
    helper.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    helper.stdin.on('error', () => undefined);
    helper.once('error', (error) => this.helperGone(helper, null, null, error.message));
    helper.once('close', (code, signal) => this.helperGone(helper, code, signal, stderr));
    this.setRef(this.pending.size > 0);
    return helper;
  }

  /** Keep the event loop alive only while a process is outstanding (a CLI run must exit). */
  private setRef(on: boolean): void {
    const helper = this.helper;
    if (!helper) return;
    const streams = [helper.stdin, helper.stdout, helper.stderr] as unknown as ({ ref?: () => void; unref?: () => void } | null)[];
    if (on) {
      helper.ref();
      for (const s of streams) s?.ref?.();
    } else {
      helper.unref();
      for (const s of streams) s?.unref?.();
    }
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    while (this.buffer.length - offset >= HEADER_BYTES) {
      const length = this.buffer.readUInt32BE(offset + 5);
      if (this.buffer.length - offset - HEADER_BYTES < length) break;
      const kind = String.fromCharCode(this.buffer[offset]);
      const id = this.buffer.readUInt32BE(offset + 1);
      const payload = this.buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
      offset += HEADER_BYTES + length;
      this.frame(kind, id, payload);
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }

  private frame(kind: string, id: number, payload: Buffer): void {
    if (kind === 'H') {
      this.ready = true;
      return;
    }
    const entry = this.pending.get(id);
    if (!entry) return;
    switch (kind) {
      case 'S':
        entry.pid = Number(payload.toString('ascii'));
        entry.handlers.onSpawn(entry.pid);
        break;
      case 'O':
        entry.handlers.onStdout(Buffer.from(payload));
        break;
      case 'E':
        entry.handlers.onStderr(Buffer.from(payload));
        break;
      case 'F':
        this.settle(id);
        entry.handlers.onExit({ code: null, signal: null, spawnError: startError(entry.request, JSON.parse(payload.toString('utf8')) as StartFailure) });
        break;
      case 'X': {
        this.settle(id);
        const exit = JSON.parse(payload.toString('utf8')) as { code: number | null; signal: NodeJS.Signals | null };
        entry.handlers.onExit(exit);
        break;
      }
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.setRef(false);
  }

  private helperGone(helper: ChildProcess, code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    const why = `the process spawner (${this.binary}) ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`;
    if (!this.ready) {
      this.unusable = true;
      this.warn(`${why}; starting steps with Node's child_process instead`);
    }
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      if (entry.pid === undefined) {
        // Never started: safe to start it another way (no duplicate process).
        (this.unusable ? this.fallback : this).launch(entry.request, entry.handlers);
      } else {
        signalGroup(entry.pid, 'SIGKILL');
        entry.handlers.onStderr(Buffer.from(`${why}\n`));
        entry.handlers.onExit({ code: null, signal: 'SIGKILL' });
      }
    }
  }
}

/**
 * u32 length, then u32 id, u32 argc, u32 envc, cwd NUL, argv NUL…, env NUL… (big endian).
 * A string with a NUL byte cannot be passed to a process at all: the problem is returned.
 */
export function encodeRequest(id: number, request: LaunchRequest): Buffer | string {
  const env: string[] = [];
  for (const [key, value] of Object.entries(request.env)) if (value !== undefined) env.push(`${key}=${value}`);
  const parts = [request.cwd ?? '', ...request.argv, ...env];
  if (request.argv.length === 0) return 'no command to run';
  if (parts.some((p) => p.includes('\0'))) return 'an argument, environment variable or working directory contains a NUL byte';
  const body = `${parts.join('\0')}\0`;
  const size = Buffer.byteLength(body);
  const message = Buffer.allocUnsafe(16 + size);
  message.writeUInt32BE(12 + size, 0);
  message.writeUInt32BE(id, 4);
  message.writeUInt32BE(request.argv.length, 8);
  message.writeUInt32BE(env.length, 12);
  message.write(body, 16);
  return message;
}

/** The same shape Node gives a failed spawn (errno negative, code, path, syscall). */
function startError(request: LaunchRequest, failure: StartFailure): NodeJS.ErrnoException {
  const errno = -Math.abs(failure.errno);
  const known = getSystemErrorMap().get(errno);
  const error: NodeJS.ErrnoException = new Error(`spawn ${request.argv[0]} ${known?.[0] ?? failure.code}`);
  error.errno = errno;
  error.code = known?.[0] ?? failure.code;
  error.path = request.argv[0];
  error.syscall = `spawn ${request.argv[0]}`;
  return error;
}
