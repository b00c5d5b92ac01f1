/**
 * How a container process is started. Two implementations: `ResidentSpawner` (a small helper
 * process that posix_spawns children, the default) and `nodeLauncher` (Node's child_process,
 * the fallback when the helper cannot run). Either way the child leads its own process group,
 * its stdin is /dev/null, and stdout/stderr arrive as chunks.
 */
import { spawn } from 'node:child_process';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, …). */
  spawnError?: NodeJS.ErrnoException;
}

export interface LaunchRequest {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LaunchHandlers {
  /** The process runs; `pid` is also its process group id. */
  onSpawn(pid: number): void;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** Exactly once: it exited (and its pipes closed), or it never started (`spawnError`). */
  onExit(exit: ProcessExit): void;
}

export interface Launcher {
  readonly kind: 'resident' | 'node';
  launch(request: LaunchRequest, handlers: LaunchHandlers): void;
}

/** Kill a whole process group; ESRCH (already gone) is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Node's own spawn: a fork of this whole process per child (see spawner/README.md). */
export const nodeLauncher: Launcher = {
  kind: 'node',
  launch(request, handlers) {
    const [file, ...args] = request.argv;
    const child = spawn(file, args, { env: request.env, cwd: request.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => handlers.onStderr(chunk));
    const pid = child.pid;
    child.once('spawn', () => handlers.onSpawn(pid!));
    // When the container's main process exits, the rest of its group goes too (as when a pod's
    // PID 1 exits); that also closes pipes held open by background children.
    child.once('exit', () => {
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    });
    let reported = false;
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (reported) return;
      reported = true;
      handlers.onExit({ code: null, signal: null, spawnError: error });
    });
    child.once('close', (code, signal) => {
      if (reported) return;
      reported = true;
      handlers.onExit({ code, signal });
    });
  },
};
