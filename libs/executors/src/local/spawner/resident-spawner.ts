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
import {
  type HeldSlot,
  type LaunchGate,
  type LaunchHandle,
  type LaunchHandlers,
  type LaunchRequest,
  type Launcher,
  type ProcessExit,
  nodeLauncher,
  signalGroup,
} from './launcher.js';
import { spawnerBinary, type SpawnerBinary } from './spawner-binary.js';

const HEADER_BYTES = 9;
const HELLO = 'slipway-spawner 2';
const HELLO_FRAME = 0x48; // 'H'
const EMPTY = Buffer.alloc(0);
/** Gate ids the helper accepts: 1 … MAX_GATES - 1. */
const MAX_GATES = 4096;

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
  /** A held slot (no process): `granted` runs when the helper grants it. */
  token?: { gate: LaunchGate; granted: () => void };
  /** Re-routed after the helper died before starting it: cancel/release go there. */
  moved?: LaunchHandle;
  movedSlot?: HeldSlot;
}

interface GateEntry {
  slots: number;
  /** The same gate in the fallback launcher, made when first needed. */
  fallback?: LaunchGate;
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
  private flushQueued = false;
  /** Per gate id: its requests (launches and slot requests) the helper has not answered for good. */
  private readonly outstanding = new Map<number, number>();
  private readonly gates = new Map<number, GateEntry>();
  private readonly freeGateIds: number[] = [];
  private nextGateId = 1;

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

  /**
   * Start the helper now. libuv forks this whole process to start it, which costs less while the
   * process is small, and the helper's own start-up then overlaps whatever the caller does next.
   * An idle helper does not keep the event loop alive, and exits when this process does.
   */
  prepare(): void {
    if (!this.unusable && !this.helper) this.startHelper();
  }

  launch(request: LaunchRequest, handlers: LaunchHandlers): LaunchHandle {
    const helper = this.unusable ? undefined : (this.helper ?? this.startHelper());
    if (!helper) return this.fallback.launch({ ...request, gate: request.gate && this.fallbackGate(request.gate) }, handlers);
    const id = this.nextId++;
    const message = encodeRequest(id, request);
    if (typeof message === 'string') {
      // What Node's spawn rejects too (ERR_INVALID_ARG_VALUE); reported like a start failure.
      queueMicrotask(() => handlers.onExit({ code: null, signal: null, spawnError: startError(request, { errno: 22, code: 'EINVAL', message }) }));
      return { cancel: () => undefined };
    }
    const entry: Pending = { request, handlers };
    this.track(id, entry);
    this.send(helper, message, this.mayStartNow(request.gate));
    return {
      cancel: () => {
        if (entry.moved) entry.moved.cancel();
        else if (this.pending.get(id) === entry && entry.pid === undefined && request.gate) this.control('C', id);
      },
    };
  }

  gate(slots: number): LaunchGate {
    const id = this.freeGateIds.pop() ?? this.nextGateId++;
    if (id >= MAX_GATES) throw new Error(`more than ${MAX_GATES - 1} process gates in use`);
    this.gates.set(id, { slots });
    if (this.helper) this.send(this.helper, gateMessage(id, slots));
    return { id, slots };
  }

  dropGate(gate: LaunchGate): void {
    const entry = this.gates.get(gate.id);
    if (!entry) return;
    this.gates.delete(gate.id);
    if (entry.fallback) this.fallback.dropGate(entry.fallback);
    this.freeGateIds.push(gate.id);
  }

  hold(gate: LaunchGate, granted: () => void): HeldSlot {
    const helper = this.unusable ? undefined : (this.helper ?? this.startHelper());
    if (!helper) return this.fallback.hold(this.fallbackGate(gate), granted);
    const id = this.nextId++;
    const entry: Pending = { request: { argv: [], env: {} }, handlers: noHandlers, token: { gate, granted } };
    this.track(id, entry);
    this.send(helper, tokenMessage(id, gate.id), this.mayStartNow(gate));
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (entry.movedSlot) return entry.movedSlot.release();
        if (this.pending.get(id) === entry) this.settle(id);
        this.control('R', id);
      },
    };
  }

  private fallbackGate(gate: LaunchGate): LaunchGate {
    const entry = this.gates.get(gate.id) ?? { slots: gate.slots };
    entry.fallback ??= this.fallback.gate(gate.slots);
    this.gates.set(gate.id, entry);
    return entry.fallback;
  }

  private track(id: number, entry: Pending): void {
    this.pending.set(id, entry);
    if (this.pending.size === 1) this.setRef(true);
    const gate = gateOf(entry);
    if (gate) this.outstanding.set(gate.id, (this.outstanding.get(gate.id) ?? 0) + 1);
  }

  /**
   * Could the helper start this request at once: nothing else outstanding (ungated), or no more
   * requests outstanding in its gate than it has slots? Then it is written now instead of with
   * the turn's batch: a reconcile that starts 200 pods at once would otherwise keep the first
   * process waiting while the other 199 are prepared.
   */
  private mayStartNow(gate: LaunchGate | undefined): boolean {
    return gate ? (this.outstanding.get(gate.id) ?? 0) <= gate.slots : this.pending.size === 1;
  }

  /** A control message for the live helper (none: nothing to do, the helper's state is gone). */
  private control(op: 'C' | 'R', id: number): void {
    if (this.helper) this.send(this.helper, idMessage(op, id));
  }

  private send(helper: ChildProcess, message: Buffer, now = false): void {
    // Requests made in the same turn of the event loop (a reconcile starting several pods, the
    // steps that follow several exits read at once) go out in one write: one wake-up of the
    // helper instead of one each. Gated requests that wait in the helper anyway lose nothing by
    // the turn's end; one it could start at once (`now`) goes out with those before it, in order.
    if (helper !== this.helper) return;
    this.outgoing.push(message);
    if (now) return this.flush();
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Write what is queued to the live helper (queued for a dead one: helperGone dropped it). */
  private flush(): void {
    if (this.outgoing.length === 0 || !this.helper) return;
    const messages = this.outgoing.splice(0);
    this.helper.stdin!.write(messages.length === 1 ? messages[0] : Buffer.concat(messages));
  }

  /**
   * Stop the helper: it kills every process group it still has and exits. Resolves once it has
   * (and was reaped: its CPU time, and its children's, then count as this process's children's,
   * as with Node's own spawn); a helper that does not exit within 2 s is killed.
   */
  close(): Promise<void> {
    const helper = this.helper;
    if (!helper) return Promise.resolve();
    const exited = new Promise<void>((resolve) => {
      if (helper.exitCode !== null || helper.signalCode !== null) return resolve();
      const timer = setTimeout(() => helper.kill('SIGKILL'), 2000);
      helper.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    helper.stdin?.end();
    return exited;
  }

  private startHelper(): ChildProcess {
    const helper = spawn(this.binary!, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.helper = helper;
    this.ready = false;
    this.buffer = EMPTY;
    helper.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    let stderr = '';
    helper.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    helper.stdin.on('error', () => undefined);
    helper.once('error', (error) => this.helperGone(helper, null, null, error.message));
    helper.once('close', (code, signal) => this.helperGone(helper, code, signal, stderr));
    this.setRef(this.pending.size > 0);
    for (const [id, gate] of this.gates) this.send(helper, gateMessage(id, gate.slots));
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
    const buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const size = buffer.length;
    let offset = 0;
    // Frames are read in place (no Buffer view per frame: a 1,000-step run reads ≈ 2,000).
    while (size - offset >= HEADER_BYTES) {
      const length = be32(buffer, offset + 5);
      const start = offset + HEADER_BYTES;
      if (size - start < length) break;
      offset = start + length;
      this.frame(buffer[start - HEADER_BYTES], be32(buffer, start - HEADER_BYTES + 1), buffer, start, offset);
    }
    this.buffer = offset === size ? EMPTY : buffer.subarray(offset);
  }

  /** One reply: its type byte, request id, and payload `buffer[start, end)`. */
  private frame(kind: number, id: number, buffer: Buffer, start: number, end: number): void {
    if (kind === HELLO_FRAME) {
      if (buffer.toString('utf8', start, end) === HELLO) this.ready = true;
      else this.helper?.kill('SIGKILL'); // a stale executable (SLIPWAY_SPAWNER_BIN): helperGone falls back
      return;
    }
    const entry = this.pending.get(id);
    if (!entry) return;
    switch (String.fromCharCode(kind)) {
      case 'S':
        if (entry.token) {
          // A held slot: it stays held (in the helper) until released.
          this.settle(id);
          entry.token.granted();
          break;
        }
        {
          const [pid, at] = buffer.toString('latin1', start, end).split(' ');
          entry.pid = Number(pid);
          entry.handlers.onSpawn(entry.pid, Number(at) || Date.now());
        }
        break;
      case 'C':
        this.settle(id);
        entry.handlers.onExit({ code: null, signal: null, cancelled: true });
        break;
      case 'O':
        entry.handlers.onStdout(Buffer.from(buffer.subarray(start, end)));
        break;
      case 'E':
        entry.handlers.onStderr(Buffer.from(buffer.subarray(start, end)));
        break;
      case 'F':
        this.settle(id);
        entry.handlers.onExit({ code: null, signal: null, spawnError: startError(entry.request, JSON.parse(buffer.toString('utf8', start, end)) as StartFailure) });
        break;
      case 'X': {
        this.settle(id);
        entry.handlers.onExit(exitOf(buffer.toString('latin1', start, end)));
        break;
      }
    }
  }

  private settle(id: number): void {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.setRef(false);
    const gate = entry && gateOf(entry);
    if (!gate) return;
    const left = (this.outstanding.get(gate.id) ?? 0) - 1;
    if (left > 0) this.outstanding.set(gate.id, left);
    else this.outstanding.delete(gate.id);
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
    this.outstanding.clear();
    // Requests not yet written were for the dead helper: those still wanted are re-sent below.
    this.outgoing.length = 0;
    for (const entry of entries) {
      if (entry.token) {
        // Never granted: ask again. (A slot granted by the dead helper is not known to the next
        // one: until it is released, the gate may admit one more than its size.)
        entry.movedSlot = this.hold(entry.token.gate, entry.token.granted);
      } else if (entry.pid === undefined) {
        // Never started: safe to start it another way (no duplicate process).
        entry.moved = this.launch(entry.request, entry.handlers);
      } else {
        signalGroup(entry.pid, 'SIGKILL');
        entry.handlers.onStderr(Buffer.from(`${why}\n`));
        entry.handlers.onExit({ code: null, signal: 'SIGKILL' });
      }
    }
  }
}

const PLAIN_EXIT = /^\{"code":(\d{1,3}),"signal":null(?:,"empty":(true|false))?(?:,"at":(\d{1,16}))?\}$/;

type HelperExit = Pick<ProcessExit, 'code' | 'signal' | 'probeEmpty' | 'endedAt'>;

/**
 * An `X` payload's text (ASCII JSON): `{"code":N,"signal":null}`, with `"empty":BOOL` after a
 * probe and `"at":MS` (when the helper reaped it; an older helper leaves it out), read without
 * JSON.parse in the usual case, or the same with a signal.
 */
export function exitOf(payload: string): HelperExit {
  const plain = PLAIN_EXIT.exec(payload);
  const fields = plain
    ? { code: Number(plain[1]), signal: null, empty: plain[2] === undefined ? undefined : plain[2] === 'true', at: plain[3] === undefined ? undefined : Number(plain[3]) }
    : (JSON.parse(payload) as { code: number | null; signal: NodeJS.Signals | null; empty?: boolean; at?: number });
  const exit: HelperExit = { code: fields.code, signal: fields.signal };
  if (fields.empty !== undefined) exit.probeEmpty = fields.empty;
  if (fields.at !== undefined) exit.endedAt = fields.at;
  return exit;
}

/** The big-endian u32 at `at`. */
function be32(b: Buffer, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** The gate a pending launch or slot request counts against (none: ungated). */
function gateOf(entry: Pending): LaunchGate | undefined {
  return entry.request.gate ?? entry.token?.gate;
}

const noHandlers: LaunchHandlers = { onSpawn: () => undefined, onStdout: () => undefined, onStderr: () => undefined, onExit: () => undefined };

function gateMessage(gate: number, slots: number): Buffer {
  const m = Buffer.allocUnsafe(13);
  m.writeUInt32BE(9, 0);
  m.write('G', 4, 'latin1');
  m.writeUInt32BE(gate, 5);
  m.writeUInt32BE(slots, 9);
  return m;
}

function tokenMessage(id: number, gate: number): Buffer {
  const m = gateMessage(id, gate);
  m.write('T', 4, 'latin1');
  return m;
}

function idMessage(op: 'C' | 'R', id: number): Buffer {
  const m = Buffer.allocUnsafe(9);
  m.writeUInt32BE(5, 0);
  m.write(op, 4, 'latin1');
  m.writeUInt32BE(id, 5);
  return m;
}

/**
 * u32 length, then 'L', u32 id, u32 gate (0: none), u32 argc, u32 envc, cwd NUL, argv NUL…,
 * env NUL…, then the probe directory NUL when there is one (big endian). A string with a NUL
 * byte cannot be passed to a process at all: the problem is returned.
 */
export function encodeRequest(id: number, request: LaunchRequest): Buffer | string {
  if (request.argv.length === 0) return 'no command to run';
  const env = encodedEnv(request.env);
  const parts = [request.cwd ?? '', ...request.argv];
  const probe = request.probeDir ? `${request.probeDir}\0` : '';
  if (env.nul || parts.some((p) => p.includes('\0')) || request.probeDir?.includes('\0')) {
    return 'an argument, environment variable or working directory contains a NUL byte';
  }
  const head = `${parts.join('\0')}\0`;
  const headSize = Buffer.byteLength(head);
  const size = headSize + env.bytes.length + Buffer.byteLength(probe);
  const message = Buffer.allocUnsafe(21 + size);
  message.writeUInt32BE(17 + size, 0);
  message.write('L', 4, 'latin1');
  message.writeUInt32BE(id, 5);
  message.writeUInt32BE(request.gate?.id ?? 0, 9);
  message.writeUInt32BE(request.argv.length, 13);
  message.writeUInt32BE(env.count, 17);
  message.write(head, 21);
  env.bytes.copy(message, 21 + headSize);
  if (probe) message.write(probe, 21 + headSize + env.bytes.length);
  return message;
}

interface EncodedEnv {
  /** `KEY=value` strings, each NUL-terminated. */
  bytes: Buffer;
  count: number;
  /** Some key or value contains a NUL byte (cannot be passed to a process). */
  nul: boolean;
}

/**
 * Frozen environments are encoded once: most pods share the executor's base environment, which
 * is frozen (pod-prepare.ts hands it over as is when nothing is added), so this is a lookup per
 * step. Any other environment may still change, and is encoded each time.
 */
const frozenEnvs = new WeakMap<NodeJS.ProcessEnv, EncodedEnv>();

function encodedEnv(env: NodeJS.ProcessEnv): EncodedEnv {
  const cached = frozenEnvs.get(env);
  if (cached) return cached;
  const entries: string[] = [];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) entries.push(`${key}=${value}\0`);
  const encoded = { bytes: Buffer.from(entries.join('')), count: entries.length, nul: entries.some((e) => e.indexOf('\0') < e.length - 1) };
  if (Object.isFrozen(env)) frozenEnvs.set(env, encoded);
  return encoded;
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
