/**
 * How a container process is started. Two implementations: `ResidentSpawner` (a small helper
 * process that posix_spawns children, the default) and `NodeLauncher` (Node's child_process,
 * the fallback when the helper cannot run). Either way the child leads its own process group,
 * its stdin is /dev/null, and stdout/stderr arrive as chunks.
 *
 * Gates: a gate admits at most `slots` gated processes and held slots at once, in request order.
 * A gated process holds its slot until it exits, and the next waiting request starts right then;
 * in the resident spawner that happens inside the helper, with no round trip to Node.
 */
import { spawn } from 'node:child_process';
import { GateBook, type LaunchGate } from './gate-book.js';

export type { LaunchGate } from './gate-book.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, …). */
  spawnError?: NodeJS.ErrnoException;
  /** It was waiting for a slot of its gate and was cancelled: it never ran. */
  cancelled?: true;
  /**
   * The request's `probeDir`, examined once the process had exited and its pipes closed: still an
   * empty directory of this user's with mode 0700 (as mkdtemp makes it). Unset when no probe was
   * asked for or the launcher does not examine one (NodeLauncher): the caller looks itself.
   */
  probeEmpty?: boolean;
  /**
   * When the process was seen to exit (ms since the epoch). The resident spawner may hold an exit
   * report back for a few ms (batched replies), so this, not the time it arrives, is when it ended.
   */
  endedAt?: number;
}

export interface LaunchRequest {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Start only once this gate has a free slot; the process holds it until it exits. */
  gate?: LaunchGate;
  /** A directory to examine after the exit (see `ProcessExit.probeEmpty`). */
  probeDir?: string;
}

export interface LaunchHandlers {
  /** The process runs; `pid` is also its process group id; `at`: when it started (ms since the epoch). */
  onSpawn(pid: number, at: number): void;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** Exactly once: it exited (and its pipes closed), never started (`spawnError`), or was cancelled while it waited. */
  onExit(exit: ProcessExit): void;
}

export interface LaunchHandle {
  /** If the request still waits for its gate, drop it (onExit reports `cancelled`); else nothing. */
  cancel(): void;
}

export interface HeldSlot {
  /** Free the slot, or stop waiting for it. Idempotent. */
  release(): void;
}

export interface Launcher {
  readonly kind: 'resident' | 'node';
  launch(request: LaunchRequest, handlers: LaunchHandlers): LaunchHandle;
  /** A new gate of `slots` slots. */
  gate(slots: number): LaunchGate;
  /** The gate is no longer used (nothing of it waits or runs): its id may be reused. */
  dropGate(gate: LaunchGate): void;
  /** A slot of `gate` held without a process (a pod of several processes); `granted` runs once it is held. */
  hold(gate: LaunchGate, granted: () => void): HeldSlot;
  /**
   * Get ready to launch now rather than at the first launch (the resident spawner starts its
   * helper), e.g. while the caller still parses its input. Optional: nothing to do for Node's spawn.
   */
  prepare?(): void;
}

/** Kill a whole process group; ESRCH (already gone) is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Node's own spawn (a fork of this whole process per child, see spawner/README.md); gates kept here. */
export class NodeLauncher implements Launcher {
  readonly kind = 'node';
  private readonly gates = new GateBook();

  launch(request: LaunchRequest, handlers: LaunchHandlers): LaunchHandle {
    if (!request.gate) {
      spawnChild(request, handlers, () => undefined);
      return { cancel: () => undefined };
    }
    const gate = request.gate;
    const wait = this.gates.wait(gate, (release) => spawnChild(request, handlers, release));
    return {
      cancel: () => {
        if (wait.dropIfWaiting()) handlers.onExit({ code: null, signal: null, cancelled: true });
      },
    };
  }

  gate(slots: number): LaunchGate {
    return this.gates.create(slots);
  }

  dropGate(gate: LaunchGate): void {
    this.gates.drop(gate);
  }

  hold(gate: LaunchGate, granted: () => void): HeldSlot {
    let release: (() => void) | undefined;
    const wait = this.gates.wait(gate, (free) => {
      release = free;
      granted();
    });
    return {
      release: () => {
        if (!wait.dropIfWaiting()) release?.();
        release = undefined;
      },
    };
  }
}

function spawnChild(request: LaunchRequest, handlers: LaunchHandlers, release: () => void): void {
  const [file, ...args] = request.argv;
  const child = spawn(file, args, { env: request.env, cwd: request.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
  child.stderr?.on('data', (chunk: Buffer) => handlers.onStderr(chunk));
  const pid = child.pid;
  const at = Date.now();
  child.once('spawn', () => handlers.onSpawn(pid!, at));
  // When the container's main process exits, the rest of its group goes too (as when a pod's
  // PID 1 exits); that also closes pipes held open by background children.
  let endedAt: number | undefined;
  child.once('exit', () => {
    endedAt = Date.now();
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    release();
  });
  let reported = false;
  child.once('error', (error: NodeJS.ErrnoException) => {
    release();
    if (reported) return;
    reported = true;
    handlers.onExit({ code: null, signal: null, spawnError: error });
  });
  child.once('close', (code, signal) => {
    if (reported) return;
    reported = true;
    handlers.onExit(endedAt === undefined ? { code, signal } : { code, signal, endedAt });
  });
}

/** The shared Node launcher (the fallback of every resident spawner). */
export const nodeLauncher: Launcher = new NodeLauncher();
