/**
 * Runs each pod as local processes, sandboxed with bubblewrap when it is usable.
 * See pod-layout.ts for the directory layout and sandbox-args.ts for the mount layout.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PodRequest, PodResult } from '@slipway/engine';
import { GITOPS_BIN_DIR } from '@slipway/gitops';
import type { ExecutionSink, PodExecutor } from '../port.js';
import { shimBinDir, type RunnerConfig } from './pod-prepare.js';
import { PodRun } from './pod-runner.js';
import { SAFE_NAME } from './safe-name.js';
import type { LaunchGate, Launcher } from './spawner/launcher.js';
import { chooseLauncher, ResidentSpawner } from './spawner/resident-spawner.js';
import { ScratchDirs } from './scratch-dirs.js';
import { isUnder, type BindMount } from './sandbox-args.js';

export interface LocalExecutorOptions {
  /** Root for state, logs and volumes. */
  workdir: string;
  /** `auto` (default) uses bwrap when it works on this machine. */
  sandbox?: 'auto' | 'bwrap' | 'none';
  warn?: (message: string) => void;
  /** SIGTERM → SIGKILL delay when a pod is killed (default 2000). */
  killGraceMs?: number;
  /** The bwrap program (default `bwrap` from PATH). */
  bwrapPath?: string;
  /**
   * Kubernetes Secrets stand-in: secret name → key → value. Git input artifacts read
   * `usernameSecret`/`passwordSecret`/`sshPrivateKeySecret` from here; values are never logged.
   */
  secrets?: Record<string, Record<string, string>>;
  /**
   * How step processes start: `resident` (default) through one small helper process that
   * posix_spawns them (falls back to `node` when it cannot be built or run), or `node`: Node's
   * child_process, which forks this whole process per step. See spawner/README.md.
   */
  spawner?: 'resident' | 'node';
  /**
   * The launcher to start processes with, made beforehand with `chooseLauncher(spawner)` (e.g. to
   * `prepare()` it while the input is still being parsed); `spawner` is then ignored.
   */
  launcher?: Launcher;
  /**
   * At most this many pods of this executor run at once, whatever their workflow (the worker's
   * step slots, ADR 0011): one gate over every pod it starts, kept by the launcher as
   * `limitPods` keeps one per workflow — a pod of one process waits in the launcher (the helper
   * starts it the moment a slot frees), a pod of several holds a slot for its whole run, a pod
   * killed while it waits never starts. Unset: no limit (the caller bounds its pods).
   */
  maxPods?: number;
  /**
   * How a released workflow's files are removed:
   * - `async` (default): through the thread pool, one entry at a time; the event loop stays free
   *   (a service);
   * - `sync`: Node's native recursive remove, on this thread;
   * - `process`: `rm -rf` started through the launcher, so the removal runs beside whatever this
   *   process does next (`slipway run` prints its result meanwhile: ≈ 3 ms here), then `sync` for
   *   anything left (none unless `rm` failed or is missing). `close()` waits for it.
   */
  removeFiles?: 'async' | 'sync' | 'process';
}

export const BWRAP_MISSING_WARNING =
  'bubblewrap (bwrap) not found: steps run unsandboxed; install the Debian package bubblewrap';

const DAEMON_READY_MS = 100;
const bwrapUsable = new Map<string, boolean>();

/** Does `bwrap --ro-bind / / true` work here? Checked once per program path. */
export function isBwrapUsable(bwrapPath = 'bwrap'): boolean {
  let usable = bwrapUsable.get(bwrapPath);
  if (usable === undefined) {
    const probe = spawnSync(bwrapPath, ['--ro-bind', '/', '/', '--unshare-pid', 'true'], { stdio: 'ignore', timeout: 10_000 });
    usable = probe.error === undefined && probe.status === 0;
    bwrapUsable.set(bwrapPath, usable);
  }
  return usable;
}

/**
 * The slipway-gitops/slipway-image shims run this Node and the workspace's libs/gitops (with its
 * node_modules). The sandbox mirrors the host root except /tmp, so when either lives under /tmp
 * (a CI checkout there) it is bound read-only at its own path.
 */
function toolBinds(): BindMount[] {
  const workspace = resolve(GITOPS_BIN_DIR, '../../..');
  const paths = [dirname(realpathSync(process.execPath)), workspace].filter((p) => isUnder(p, '/tmp'));
  const outer = paths.filter((p) => !paths.some((q) => q !== p && isUnder(p, q)));
  return [...new Set(outer)].map((p) => ({ src: p, dest: p, readOnly: true }));
}

function wholePositive(pods: number): number {
  if (!Number.isInteger(pods) || pods < 1) throw new Error(`pod limit must be a whole number ≥ 1, not ${pods}`);
  return pods;
}

export class LocalExecutor implements PodExecutor {
  readonly sandboxMode: 'bwrap' | 'none';
  readonly workdir: string;
  private readonly config: RunnerConfig;
  private readonly launcher: Launcher;
  private readonly scratchDirs: ScratchDirs;
  private readonly pods = new Map<string, PodRun>();
  private readonly podsByWorkflow = new Map<string, Set<string>>();
  private readonly gates = new Map<string, LaunchGate>();
  /** The gate of `maxPods`, over every pod. */
  private readonly podGate: LaunchGate | undefined;
  private closed = false;
  private readonly removeFiles: 'async' | 'sync' | 'process';
  /** Releases under way (close() waits for them: a removal by process must not be killed). */
  private readonly releases = new Set<Promise<void>>();

  constructor(options: LocalExecutorOptions) {
    const maxPods = options.maxPods === undefined ? undefined : wholePositive(options.maxPods);
    this.removeFiles = options.removeFiles ?? 'async';
    const warn = options.warn ?? ((message: string) => console.warn(message));
    const bwrapPath = options.bwrapPath ?? 'bwrap';
    const sandbox = options.sandbox ?? 'auto';
    if (sandbox === 'none') {
      this.sandboxMode = 'none';
    } else if (isBwrapUsable(bwrapPath)) {
      this.sandboxMode = 'bwrap';
    } else if (sandbox === 'bwrap') {
      throw new Error(`sandbox 'bwrap' was asked for, but "${bwrapPath} --ro-bind / / true" does not work here`);
    } else {
      this.sandboxMode = 'none';
      warn(BWRAP_MISSING_WARNING);
    }
    mkdirSync(resolve(options.workdir), { recursive: true });
    this.workdir = realpathSync(resolve(options.workdir));
    const sandboxed = this.sandboxMode === 'bwrap';
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: `${shimBinDir(sandboxed)}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      HOME: process.env.HOME ?? '/root',
    };
    if (process.env.LANG !== undefined) baseEnv.LANG = process.env.LANG;
    // The slipway-gitops and slipway-image shims run with this very Node (see SHIMS.md).
    baseEnv.SLIPWAY_NODE = process.execPath;
    baseEnv.SLIPWAY_GITOPS_BIN = GITOPS_BIN_DIR;
    this.launcher = options.launcher ?? chooseLauncher(options.spawner ?? 'resident', warn);
    if (maxPods !== undefined) this.podGate = this.launcher.gate(maxPods);
    this.scratchDirs = new ScratchDirs(this.workdir);
    this.config = {
      launcher: this.launcher,
      scratchDirs: this.scratchDirs,
      workdir: this.workdir,
      sandboxed,
      bwrapPath,
      killGraceMs: options.killGraceMs ?? 2000,
      daemonReadyMs: DAEMON_READY_MS,
      warn,
      // Shared by every container that adds nothing to it (pod-prepare.ts): never changed.
      baseEnv: Object.freeze(baseEnv),
      secrets: options.secrets ?? {},
      toolBinds: sandboxed ? toolBinds() : [],
    };
  }

  start(request: PodRequest, sink: ExecutionSink): void {
    const existing = this.pods.get(request.nodeId);
    if (existing) {
      // Adopt: never a second process for a node; a finished one reports its result again.
      if (existing.result) sink.podFinished(existing.result);
      return;
    }
    if (this.closed) {
      const now = Date.now();
      const outputParameters = Object.fromEntries(request.outputParameterPaths.map((p) => [p.name, null]));
      const result: PodResult = { nodeId: request.nodeId, phase: 'Error', message: 'the local executor is closed', outputParameters, startedAt: now, finishedAt: now };
      sink.podFinished(result);
      return;
    }
    const run = new PodRun(request, sink, this.config, this.podGate ?? this.gates.get(request.workflow.uid));
    this.pods.set(request.nodeId, run);
    let nodes = this.podsByWorkflow.get(request.workflow.uid);
    if (!nodes) this.podsByWorkflow.set(request.workflow.uid, (nodes = new Set()));
    nodes.add(request.nodeId);
  }

  limitPods(workflowUid: string, pods: number): void {
    wholePositive(pods);
    // A pod waits for one gate: under maxPods every pod already waits for the executor's.
    if (this.podGate) throw new Error('this executor limits all its pods (maxPods): no per-workflow pod limit');
    if (this.gates.has(workflowUid)) throw new Error(`workflow ${workflowUid} already has a pod limit`);
    this.gates.set(workflowUid, this.launcher.gate(pods));
  }

  /** `maxPods`: how many of its pods run at once at most (undefined: no limit). */
  get podLimit(): number | undefined {
    return this.podGate?.slots;
  }

  async kill(nodeId: string, reason: string): Promise<void> {
    await this.pods.get(nodeId)?.kill(reason);
  }

  forget(nodeId: string): void {
    const run = this.pods.get(nodeId);
    if (!run?.result) return;
    this.pods.delete(nodeId);
    for (const nodes of this.podsByWorkflow.values()) nodes.delete(nodeId);
  }

  releaseWorkflow(workflowUid: string): Promise<void> {
    const released = this.release(workflowUid);
    this.releases.add(released);
    const forget = () => this.releases.delete(released);
    released.then(forget, forget);
    return released;
  }

  private async release(workflowUid: string): Promise<void> {
    if (!SAFE_NAME.test(workflowUid)) return;
    const nodes = this.podsByWorkflow.get(workflowUid) ?? new Set<string>();
    // Only pods still running need killing (a finished one has nothing left to stop). Without
    // any, nothing is awaited before the removal starts, so a removal by process is under way
    // before the caller goes on.
    const running = [...nodes].filter((nodeId) => this.pods.get(nodeId)?.finished === false);
    if (running.length > 0) await Promise.all(running.map((nodeId) => this.kill(nodeId, 'workflow released')));
    for (const nodeId of nodes) this.pods.delete(nodeId);
    this.podsByWorkflow.delete(workflowUid);
    const gate = this.gates.get(workflowUid);
    if (gate) this.launcher.dropGate(gate);
    this.gates.delete(workflowUid);
    // From here on no scratch directory is made for it; one being made may still appear.
    const making = this.scratchDirs.release(workflowUid);
    const files = `${this.workdir}/workflows/${workflowUid}`;
    // Once closed, a removal by process would start a new helper that nothing closes.
    if (this.removeFiles === 'process' && !this.closed) {
      await Promise.all([making, removeByProcess(this.launcher, files, this.config.baseEnv)]);
      // A directory made as `rm` ran, or all of it if `rm` could not run: gone now.
      rmSync(files, { recursive: true, force: true });
      return;
    }
    await making;
    if (this.removeFiles !== 'async') rmSync(files, { recursive: true, force: true });
    else await rm(files, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pods.values()].filter((run) => !run.finished).map((run) => run.kill('executor closed')));
    // A release may still be removing files with a process the helper would kill on closing.
    await Promise.allSettled([...this.releases]);
    if (this.launcher instanceof ResidentSpawner) await this.launcher.close();
  }

  /** How step processes actually start now (`resident` unless the helper could not run). */
  get spawnerKind(): 'resident' | 'node' {
    return this.launcher instanceof ResidentSpawner && this.launcher.usable ? 'resident' : 'node';
  }
}

/** `rm -rf -- dir` through the launcher (its own process); resolves when it has ended, however. */
function removeByProcess(launcher: Launcher, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve) => {
    const ignore = () => undefined;
    launcher.launch({ argv: ['rm', '-rf', '--', dir], env }, { onSpawn: ignore, onStdout: ignore, onStderr: ignore, onExit: () => resolve() });
  });
}
