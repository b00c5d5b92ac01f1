/**
 * One pod from start to result: init containers in order, sidecars, then the main container(s)
 * in dependency order (containerSet), sidecars stopped when the mains are done, outputs read.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ContainerResult, PodRequest, PodResult } from '@slipway/engine';
import type { ExecutionSink } from '../port.js';
import { runContainer, type ContainerRunResult, type PreparedContainer } from './container-run.js';
import type { ProcessGroup } from './process-group.js';
import { fetchGitArtifacts } from './git-artifacts.js';
import { keepOutputArtifacts, missingParameters, readOutputParameters } from './pod-outputs.js';
import { SAFE_NAME } from './safe-name.js';
import { prepareContainers, type PreparedPod, type RunnerConfig } from './pod-prepare.js';
import type { HeldSlot, LaunchGate } from './spawner/launcher.js';

type Role = 'init' | 'sidecar' | 'main';

export class PodRun {
  result: PodResult | undefined;
  readonly done: Promise<PodResult>;
  private killReason: string | undefined;
  private readonly running = new Map<ProcessGroup, Role>();
  private started = false;
  private readonly requestedAt = Date.now();
  /** Stops a git input artifact fetch when the pod is killed before its containers start (made for a fetch). */
  private fetching: AbortController | undefined;
  /** The gate's slot held for a pod of several processes (see runPrepared). */
  private slot: HeldSlot | undefined;
  /** Ends the wait for that slot (a kill while waiting). */
  private stopWaiting: (() => void) | undefined;
  /** The scratch directory the launcher examines when the pod's only process ends (see execute). */
  private probeDir: string | undefined;
  /** What it found: still empty and private (unset: not examined). */
  private probedEmpty: boolean | undefined;

  /** `gate`: the pod runs only while it holds one of the gate's slots (at most N pods at once). */
  constructor(
    readonly request: PodRequest,
    private readonly sink: ExecutionSink,
    private readonly config: RunnerConfig,
    private readonly gate?: LaunchGate,
  ) {
    this.done = this.execute()
      .catch((error: unknown) => this.errorResult(`executor failure: ${error instanceof Error ? error.message : String(error)}`))
      .then((result) => {
        this.result = result;
        this.report(() => this.sink.podFinished(result));
        return result;
      });
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  /** Stop the pod: SIGTERM, SIGKILL after the grace period. Resolves when it has finished. */
  async kill(reason: string): Promise<void> {
    if (this.result) return;
    this.killReason ??= reason;
    this.fetching?.abort();
    this.stopWaiting?.();
    await Promise.all([...this.running.keys()].map((p) => p.terminate(this.config.killGraceMs)));
    await this.done;
  }

  private async execute(): Promise<PodResult> {
    const req = this.request;
    const unsafe = [req.workflow.uid, req.podName, ...req.outputArtifactPaths.map((a) => a.name)].find((n) => !SAFE_NAME.test(n));
    if (unsafe !== undefined) return this.errorResult(`"${unsafe}" cannot be used as a file name`);
    if (req.template.resource) {
      return this.errorResult('resource templates need the Kubernetes executor (set SLIPWAY_EXECUTOR=kubernetes)');
    }
    const taken = this.config.scratchDirs?.take(req.workflow.uid);
    const scratch = typeof taken === 'string' ? taken : await taken;
    const prepared = prepareContainers(req, this.config, scratch);
    if ('error' in prepared) {
      if (scratch !== undefined) this.config.scratchDirs?.giveBack(req.workflow.uid, scratch);
      return this.errorResult(prepared.error);
    }
    const scratchUsed = scratch !== undefined && prepared.layout.mkdirs.delete(scratch);
    if (scratch !== undefined && !scratchUsed) this.config.scratchDirs?.giveBack(req.workflow.uid, scratch);
    // When the pod is one process, the launcher can look at its directory as it ends, so this
    // process does not have to (ScratchDirs.recycle).
    const single = this.singleProcess(prepared);
    if (scratchUsed && single) this.probeDir = scratch;
    let result: PodResult;
    try {
      result = await this.runPrepared(prepared, single);
    } finally {
      this.slot?.release();
    }
    // Nothing of the pod runs any more (and nothing fetched into it): an untouched directory can serve the next pod.
    if (scratchUsed && this.running.size === 0 && this.killReason === undefined && !req.inputArtifacts.some((a) => a.git !== undefined)) {
      this.config.scratchDirs?.recycle(req.workflow.uid, scratch, this.probedEmpty);
    }
    return result;
  }

  /** `single`: the pod is one process (singleProcess). */
  private async runPrepared(prepared: PreparedPod, single: boolean): Promise<PodResult> {
    const req = this.request;
    if (this.hasPodFiles(prepared)) await this.preparePodFiles(prepared);
    const gitInputs = req.inputArtifacts.some((a) => a.git !== undefined);
    // A pod of one process waits for its slot in the launcher, which starts it the moment a slot
    // frees (no round trip through this process). A pod of several holds a slot throughout.
    if (this.gate && !single) {
      if (this.killReason === undefined) await this.holdSlot(this.gate);
      if (this.killReason !== undefined) return this.finish(prepared, []);
    }
    if (gitInputs) {
      this.fetching = new AbortController();
      if (this.killReason !== undefined) this.fetching.abort();
      const problem = await fetchGitArtifacts(req, prepared.layout, this.config.secrets, this.fetching.signal);
      if (this.killReason !== undefined) return this.finish(prepared, []);
      if (problem !== undefined) return this.errorResult(problem);
    }

    for (const init of prepared.init) {
      if (this.killReason !== undefined) break;
      const r = await this.run(init, 'init', prepared);
      if (r.phase !== 'Succeeded' && this.killReason === undefined) {
        return this.finish(prepared, [], { phase: r.phase, exitCode: r.exitCode, message: r.exitCode !== undefined && r.message ? r.message : `init container "${r.name}": ${r.message ?? r.phase}` });
      }
    }
    if (prepared.sidecars.length === 0) return this.finish(prepared, await this.runMains(prepared));
    const sidecars = this.killReason === undefined ? prepared.sidecars.map((s) => this.run(s, 'sidecar', prepared)) : [];
    const mains = await this.runMains(prepared);
    await Promise.all(
      [...this.running].filter(([, role]) => role === 'sidecar').map(([p]) => p.terminate(this.config.killGraceMs)),
    );
    await Promise.all(sidecars);
    return this.finish(prepared, mains);
  }

  /** Run the main containers, each once its dependencies succeeded; parallel where allowed. */
  private async runMains(prepared: PreparedPod): Promise<ContainerRunResult[]> {
    if (prepared.main.length === 1 && prepared.main[0].dependencies.length === 0) {
      // One container (not a containerSet): nothing to order.
      if (this.killReason !== undefined) return [this.notRun(prepared.main[0].name, this.killReason)];
      return [await this.run(prepared.main[0], 'main', prepared)];
    }
    const byName = new Map(prepared.main.map((c) => [c.name, c]));
    const runs = new Map<string, Promise<ContainerRunResult>>();
    const runOne = (c: PreparedContainer & { dependencies: string[] }): Promise<ContainerRunResult> => {
      let run = runs.get(c.name);
      if (!run) {
        run = (async () => {
          const deps = await Promise.all(c.dependencies.map((d) => runOne(byName.get(d)!)));
          const failed = deps.find((d) => d.phase !== 'Succeeded');
          if (failed || this.killReason !== undefined) {
            return this.notRun(c.name, failed ? `dependency "${failed.name}" did not succeed` : this.killReason);
          }
          return this.run(c, 'main', prepared);
        })();
        runs.set(c.name, run);
      }
      return run;
    };
    return Promise.all(prepared.main.map(runOne));
  }

  /** The pod runs one process: one main container, no init containers, sidecars or git inputs. */
  private singleProcess(prepared: PreparedPod): boolean {
    return prepared.init.length === 0 && prepared.sidecars.length === 0 && prepared.main.length === 1 && !this.request.inputArtifacts.some((a) => a.git !== undefined);
  }

  private notRun(name: string, why: string | undefined): ContainerRunResult {
    const now = Date.now();
    return { name, phase: 'Failed', message: `not run: ${why}`, startedAt: now, finishedAt: now, notRun: true };
  }

  private run(c: PreparedContainer, role: Role, prepared: PreparedPod): Promise<ContainerRunResult> {
    const req = this.request;
    const isMainContainer = role === 'main' && c.name === prepared.mainName;
    const log = this.sink.log?.bind(this.sink);
    const { process, result } = runContainer(c, {
      logPath: `${prepared.layout.dirs.logDir}/${c.name}.log`,
      sandboxed: this.config.sandboxed,
      launcher: this.config.launcher,
      gate: this.slot === undefined ? this.gate : undefined,
      capture: isMainContainer && req.captureResult,
      onLine: log
        ? (stream, text) => this.report(() => log({ nodeId: req.nodeId, podName: req.podName, container: c.name, stream, text, at: Date.now() }))
        : undefined,
      onSpawn: role === 'main' ? (p, at) => this.mainSpawned(p, at) : undefined,
      probeDir: role === 'main' ? this.probeDir : undefined,
    });
    this.running.set(process, role);
    return result.then((r) => {
      this.running.delete(process);
      if (r.dirEmpty !== undefined) this.probedEmpty = r.dirEmpty;
      return r;
    });
  }

  private holdSlot(gate: LaunchGate): Promise<void> {
    return new Promise((resolve) => {
      this.stopWaiting = resolve;
      this.slot = this.config.launcher.hold(gate, () => {
        this.stopWaiting = undefined;
        resolve();
      });
    });
  }

  private mainSpawned(process: ProcessGroup, at: number): void {
    if (this.started) return;
    this.started = true;
    this.report(() => this.sink.podStarted(this.request.nodeId, at));
    if (!this.request.daemon) return;
    setTimeout(() => {
      if (process.running && this.killReason === undefined) {
        this.report(() => this.sink.podReady(this.request.nodeId, Date.now(), '127.0.0.1'));
      }
    }, this.config.daemonReadyMs).unref();
  }

  private hasPodFiles(prepared: PreparedPod): boolean {
    return prepared.layout.mkdirs.size > 0 || this.request.scriptSource !== undefined || this.request.inputArtifacts.some((a) => a.raw !== undefined);
  }

  /** Directories, the script file and raw input artifacts, before anything runs. */
  private async preparePodFiles(prepared: PreparedPod): Promise<void> {
    const { layout } = prepared;
    await Promise.all([...layout.mkdirs].map((dir) => mkdir(dir, { recursive: true })));
    if (this.request.scriptSource !== undefined) {
      await mkdir(layout.dirs.podDir, { recursive: true });
      await writeFile(layout.dirs.scriptPath, this.request.scriptSource, { mode: 0o755 });
    }
    for (const artifact of this.request.inputArtifacts) {
      if (artifact.raw === undefined) continue;
      const host = layout.hostPathOf(artifact.path);
      if (host === undefined) continue;
      await mkdir(posix.dirname(host), { recursive: true });
      await writeFile(host, artifact.raw);
      if (artifact.mode !== undefined) await chmod(host, artifact.mode);
    }
  }

  private async finish(
    prepared: PreparedPod,
    mains: ContainerRunResult[],
    override?: Pick<PodResult, 'phase' | 'exitCode' | 'message'>,
  ): Promise<PodResult> {
    const req = this.request;
    const outputParameters =
      req.outputParameterPaths.length === 0 && req.outputArtifactPaths.length === 0
        ? {}
        : (await Promise.all([readOutputParameters(req, prepared.layout), keepOutputArtifacts(req, prepared.layout)]))[0];
    const main = mains.find((m) => m.name === prepared.mainName);
    const decisive = mains.find((m) => m.phase !== 'Succeeded');
    let outcome: Pick<PodResult, 'phase' | 'exitCode' | 'message'> = override ?? {
      phase: decisive?.phase ?? 'Succeeded',
      exitCode: main?.exitCode ?? decisive?.exitCode,
      message: decisive?.message,
    };
    if (this.killReason !== undefined) outcome = { phase: 'Failed', exitCode: outcome.exitCode, message: this.killReason };
    let startedAt: number | undefined;
    for (const m of mains) if (m.notRun !== true && (startedAt === undefined || m.startedAt < startedAt)) startedAt = m.startedAt;
    // Optional fields are added, not deleted: a delete turns the object into a slower dictionary.
    const result: PodResult = { nodeId: req.nodeId, phase: outcome.phase, outputParameters, startedAt: startedAt ?? this.requestedAt, finishedAt: Date.now() };
    if (outcome.exitCode !== undefined) result.exitCode = outcome.exitCode;
    if (outcome.message !== undefined) result.message = outcome.message;
    if (req.captureResult && main?.stdout !== undefined) result.result = main.stdout;
    if (req.template.containerSet) result.containers = mains.map(({ stdout: _stdout, notRun: _notRun, dirEmpty: _dirEmpty, ...c }): ContainerResult => c);
    return result;
  }

  private errorResult(message: string): PodResult {
    const now = Date.now();
    return {
      nodeId: this.request.nodeId,
      phase: 'Error',
      message,
      outputParameters: missingParameters(this.request),
      startedAt: this.requestedAt,
      finishedAt: now,
    };
  }

  /** A throwing sink must not break the pod's bookkeeping. */
  private report(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.config.warn(`execution sink failed for ${this.request.nodeId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
