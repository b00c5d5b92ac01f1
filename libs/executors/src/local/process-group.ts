/**
 * One container process, spawned directly (no shell) in its own process group.
 *
 * Termination mirrors Kubernetes: SIGTERM, then SIGKILL after a grace period. Under bwrap the
 * group leader is bwrap itself, which dies at once on SIGTERM and, through --die-with-parent and
 * the pid namespace, would take the container down with SIGKILL before it could clean up. So in
 * sandboxed mode SIGTERM goes to the group's other members (the container's processes) and only
 * the final SIGKILL goes to the whole group; the pid namespace then reaps anything left.
 */
import { readdir, readFile } from 'node:fs/promises';
import { type LaunchGate, type LaunchHandle, type Launcher, type ProcessExit, signalGroup } from './spawner/launcher.js';

export type { ProcessExit } from './spawner/launcher.js';

export interface SpawnOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** The group leader is bwrap (see the file comment). */
  sandboxed: boolean;
  /** Starts the process: the resident spawner, or Node's child_process. */
  launcher: Launcher;
  /** Start once this gate has a free slot (the process holds it until it exits). */
  gate?: LaunchGate;
  /** Examined by the launcher after the exit, if it can (`ProcessExit.probeEmpty`). */
  probeDir?: string;
  /** `at`: when the process started (ms since the epoch). */
  onSpawn?: (at: number) => void;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** Shell convention: 128 + signal number; undefined for a signal we cannot number. */
export function exitCodeOf(exit: ProcessExit): number | undefined {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? SIGNAL_NUMBERS[exit.signal] : undefined;
  return n === undefined ? undefined : 128 + n;
}

/** Members of process group `pgid` other than its leader and the leader's direct children. */
async function containerProcesses(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return pids;
  }
  await Promise.all(
    names.map(async (name) => {
      if (!/^\d+$/.test(name)) return;
      let stat: string;
      try {
        stat = await readFile(`/proc/${name}/stat`, 'utf8');
      } catch {
        return;
      }
      // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pgrp = Number(fields[2]);
      const pid = Number(name);
      if (pgrp === pgid && pid !== pgid && ppid !== pgid) pids.push(pid);
    }),
  );
  return pids;
}

/**
 * Groups still running, killed when this process exits normally. When it is killed instead, the
 * resident spawner sees its stdin close and kills them (with Node's own spawn, bwrap's
 * --die-with-parent ends sandboxed ones; unsandboxed ones would outlive us).
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) signalGroup(group, 'SIGKILL');
    });
  }
}

export class ProcessGroup {
  readonly exited: Promise<ProcessExit>;
  /** Resolves once the process runs or could not start (a kill must wait for its pid). */
  private readonly launched: Promise<void>;
  private pid: number | undefined;
  private done = false;
  private handle: LaunchHandle | undefined;

  constructor(private readonly options: SpawnOptions) {
    let launched!: () => void;
    this.launched = new Promise((resolve) => (launched = resolve));
    this.exited = new Promise((resolve) => {
      this.handle = options.launcher.launch(
        { argv: options.argv, env: options.env, cwd: options.cwd, gate: options.gate, probeDir: options.probeDir },
        {
          onSpawn: (pid, at) => {
            this.pid = pid;
            track(pid);
            launched();
            options.onSpawn?.(at);
          },
          onStdout: options.onStdout,
          onStderr: options.onStderr,
          onExit: (exit) => {
            this.done = true;
            if (this.pid !== undefined) liveGroups.delete(this.pid);
            launched();
            resolve(exit);
          },
        },
      );
    });
  }

  get running(): boolean {
    return !this.done;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process has exited. */
  async terminate(graceMs: number): Promise<void> {
    // Still waiting for a slot: it never starts (unless it just did; then it is signalled below).
    if (this.pid === undefined && !this.done) this.handle?.cancel();
    await this.launched;
    const pid = this.pid;
    if (pid === undefined || this.done) {
      await this.exited;
      return;
    }
    if (this.options.sandboxed) {
      const members = await containerProcesses(pid);
      // Nothing but bwrap itself (still setting up, or already tearing down): no one to warn.
      if (members.length === 0) graceMs = 0;
      for (const member of members) {
        try {
          process.kill(member, 'SIGTERM');
        } catch {
          // exited meanwhile
        }
      }
    } else {
      signalGroup(pid, 'SIGTERM');
    }
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.exited, graceOver]);
    clearTimeout(timer);
    if (!this.done) signalGroup(pid, 'SIGKILL');
    await this.exited;
  }
}
