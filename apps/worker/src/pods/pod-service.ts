/**
 * Running one node's pod on this worker, or adopting what an earlier attempt did: a finished
 * execution is never run again, and its result reaches the workflow exactly once.
 */
import type { EngineEvent, PodResult } from '@slipway/engine';
import type { ExecutionSink, PodExecutor } from '@slipway/executors';
import type { PodExecutions, WorkflowHead, WorkflowInbox } from '@slipway/persistence';
import type { LogWriter } from './log-writer.js';
import { executorFor, InvalidExecutorError, type ExecutorName, type WorkerPodRequest } from './executor-choice.js';
import { ResultWriter } from './result-writer.js';

/** What a pod job did, and on which executor. */
export interface PodRun {
  outcome: 'ran' | 'adopted' | 'skipped' | 'abandoned';
  executor: ExecutorName;
}

/**
 * PodStarted waits this long before it is written on its own: a step that finishes sooner
 * delivers it with its PodFinished, in one statement and one reconcile instead of two.
 */
export const POD_STARTED_DELAY_MS = 250;

export class PodService {
  constructor(
    private readonly deps: {
      executions: PodExecutions;
      inbox: WorkflowInbox;
      /** The executor by name (created on first use). */
      executor: (name: ExecutorName) => PodExecutor;
      /** SLIPWAY_EXECUTOR: for workflows that do not choose. */
      defaultExecutor: ExecutorName;
      /** Executors whose pods outlive this process (kubernetes): on stop their runs are abandoned, not awaited. */
      outlivesWorker: (name: ExecutorName) => boolean;
      logs: LogWriter;
      workerId: string;
      /** Ring the workflow's doorbell (`head`: the workflow's version and inbox as the result was stored). */
      ring: (workflowId: string, head?: WorkflowHead) => Promise<void>;
    },
  ) {}

  /** Results of pods that finish while another result is being written go together (group commit). */
  private readonly results = new ResultWriter((items) => this.deps.executions.finishManyWithHead(items));

  /** Runs waiting on a pod that outlives this process: `abandon()` lets them go. */
  private readonly abandonable = new Set<() => void>();

  /**
   * Stop waiting for pods that keep running without this process (the Kubernetes executor's):
   * their executions stay Running, and the next worker's resync re-adopts the pods.
   */
  abandon(): void {
    this.leaving = true;
    for (const leave of [...this.abandonable]) leave();
  }

  private leaving = false;

  /** A pod job: claim the execution, then run it (or adopt what an earlier attempt did). */
  async run(workflowId: string, nodeId: string): Promise<PodRun> {
    const { executions, workerId, defaultExecutor } = this.deps;
    // Claim and read the request in one round trip; only a miss needs the row's state.
    const request = (await executions.claimRequest(workflowId, nodeId, workerId));
    if (!request) {
      const row = await executions.get(workflowId, nodeId);
      const executorName = row ? this.executorNameOf(row.request) : defaultExecutor;
      if (!row || row.state === 'Cancelled') return { outcome: 'skipped', executor: executorName };
      if (row.state === 'Done') await this.deps.ring(workflowId);
      return { outcome: 'adopted', executor: executorName };
    }
    return this.runClaimed(workflowId, request);
  }

  /**
   * Run a pod whose execution this worker has claimed (by a pod job, or in its own reconcile's
   * save, ADR 0008) and store its result. Starts the executor synchronously (no await before it),
   * so a kill that finds the pod not started yet can still drop it. `exited` is called once the
   * pod's processes are gone, before its result is stored (its slot may then go to the next pod).
   */
  async runClaimed(workflowId: string, request: WorkerPodRequest, exited?: () => void): Promise<PodRun> {
    const { executions, defaultExecutor } = this.deps;
    const { nodeId } = request;
    let executorName: ExecutorName;
    try {
      executorName = executorFor(request, defaultExecutor);
    } catch (err) {
      if (!(err instanceof InvalidExecutorError)) throw err;
      const at = Date.now();
      await executions.finish(workflowId, { nodeId, phase: 'Error', message: err.message, outputParameters: {}, startedAt: at, finishedAt: at });
      await this.deps.ring(workflowId);
      return { outcome: 'ran', executor: defaultExecutor };
    }
    let executor: PodExecutor;
    try {
      executor = this.deps.executor(executorName);
    } catch (err) {
      // e.g. no usable kubeconfig: the node fails with the reason instead of the job retrying forever.
      const at = Date.now();
      await executions.finish(workflowId, { nodeId, phase: 'Error', message: `${executorName} executor unavailable: ${(err as Error).message}`, outputParameters: {}, startedAt: at, finishedAt: at });
      await this.deps.ring(workflowId);
      return { outcome: 'ran', executor: executorName };
    }
    // PodStarted (and a daemon's PodReady after it) are held back briefly, see POD_STARTED_DELAY_MS.
    let held: EngineEvent[] | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Events written on their own, in order, and before the PodFinished.
    let written: Promise<void> = Promise.resolve();
    const write = (events: EngineEvent[]): void => {
      written = written.then(() => this.events(workflowId, events));
    };
    const release = (): void => {
      timer = undefined;
      const events = held ?? [];
      held = undefined;
      write(events);
    };
    let abandon = (): void => undefined;
    const result = await new Promise<PodResult | 'abandoned'>((resolve) => {
      abandon = () => resolve('abandoned');
      if (this.deps.outlivesWorker(executorName)) this.abandonable.add(abandon);
      const sink: ExecutionSink = {
        podStarted: (id, at) => {
          held = [{ type: 'PodStarted', nodeId: id, at }];
          timer = setTimeout(release, POD_STARTED_DELAY_MS);
        },
        podReady: (id, at, ip) => {
          const event: EngineEvent = { type: 'PodReady', nodeId: id, at, ip };
          if (held) held.push(event);
          else write([event]);
        },
        podFinished: (finished) => {
          exited?.();
          resolve(finished);
        },
        log: (line) => this.deps.logs.write({ workflowId, podName: line.podName, container: line.container, content: line.text }),
      };
      executor.start(request, sink);
      if (this.leaving && this.deps.outlivesWorker(executorName)) abandon();
    });
    this.abandonable.delete(abandon);
    if (timer) clearTimeout(timer);
    if (result === 'abandoned') {
      // The pod keeps running: what it reported so far is written, its result is the next worker's.
      if (held) write(held);
      await written;
      await this.deps.logs.flush();
      return { outcome: 'abandoned', executor: executorName };
    }
    const before = held ?? [];
    held = undefined;
    await written;
    await this.deps.logs.flush();
    const { head } = await this.results.finish(workflowId, result, before);
    // The result is stored: a later run of this node (after a retry) must start a new process.
    executor.forget?.(nodeId);
    await this.deps.ring(workflowId, head);
    return { outcome: 'ran', executor: executorName };
  }

  private executorNameOf(request: WorkerPodRequest): ExecutorName {
    try {
      return executorFor(request, this.deps.defaultExecutor);
    } catch {
      return this.deps.defaultExecutor;
    }
  }

  private async events(workflowId: string, events: EngineEvent[]): Promise<void> {
    try {
      for (const event of events) await this.deps.inbox.append(workflowId, event);
      if (events.length > 0) await this.deps.ring(workflowId);
    } catch {
      // A lost PodStarted only delays the Running phase; PodFinished is written transactionally.
    }
  }
}
