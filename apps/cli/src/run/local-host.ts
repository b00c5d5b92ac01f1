/**
 * Runs one workflow on this machine with in-memory state: the engine decides, the executor runs
 * pods, timers are real timers. The same engine later runs under the durable worker host.
 */
import {
  InMemoryLockManager,
  WorkflowReconciler,
  type Action,
  type EngineEvent,
  type PodRequest,
  type ReconcileResult,
} from '@slipway/engine';
import type { ExecutionSink, PodExecutor } from '@slipway/executors';
import { isFulfilled, type NodeStatus, type TemplateLibrary, type Workflow } from '@slipway/workflow';

export interface LocalRunOptions {
  workflow: Workflow;
  library: TemplateLibrary;
  executor: PodExecutor;
  /** Resume indefinite suspends as soon as they start. */
  autoResume?: boolean;
  /** Output parameters to supply to suspend nodes (by display name) when they start, like `argo node set`. */
  supply?: Record<string, Record<string, string>>;
  /** At most this many pods run at once (0 or undefined: no limit, like Argo). */
  maxPods?: number;
  /** Mutexes and semaphores shared by the workflows this process runs (default: one per process). */
  locks?: InMemoryLockManager;
  /** Called after every reconcile with the nodes that changed. */
  onUpdate?: (workflow: Workflow, changed: NodeStatus[]) => void;
  clock?: () => number;
}

export class LocalRun {
  private readonly reconciler: WorkflowReconciler;
  private readonly events: EngineEvent[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queued: PodRequest[] = [];
  private running = 0;
  /** Pods handed to the executor at once: maxPods, or maxPods + max(maxPods, STAGED_PODS) when the executor keeps the limit itself. */
  private readonly admitted: number | undefined;
  private scheduled = false;
  private done?: (wf: Workflow) => void;
  private finished = false;
  private readonly clock: () => number;
  private readonly locks: InMemoryLockManager;
  private readonly kills: Promise<void>[] = [];
  readonly result: Promise<Workflow>;

  constructor(private readonly opts: LocalRunOptions) {
    this.clock = opts.clock ?? (() => Date.now());
    this.locks = opts.locks ?? processLocks;
    this.reconciler = new WorkflowReconciler(opts.workflow, opts.library);
    if (opts.maxPods && opts.executor.limitPods) {
      // The executor enforces the limit and starts the next ready pod the moment one ends, so
      // it is given more, ready to go (at least 32: a 1,000-step DAG of `true` runs ~10 % faster
      // with 16 than with N, and ≈ 1 % faster again with 32, as the spawner then wakes this
      // process about half as often; 64 is slower), instead of waiting for this loop to hand them
      // over.
      opts.executor.limitPods(this.workflow.metadata.uid ?? '', opts.maxPods);
      this.admitted = opts.maxPods + Math.max(opts.maxPods, STAGED_PODS);
    } else {
      this.admitted = opts.maxPods;
    }
    this.result = new Promise((resolve) => {
      this.done = resolve;
    });
  }

  private releasing: Promise<void> = Promise.resolve();

  /** Settles once the executor has released the workflow (its scratch files removed), after `result`. */
  get released(): Promise<void> {
    return this.releasing;
  }

  get workflow(): Workflow {
    return this.reconciler.workflow;
  }

  start(): Promise<Workflow> {
    this.step();
    return this.result;
  }

  /** Ask the workflow to stop (exit handlers run) or terminate (they don't). */
  signal(event: Extract<EngineEvent, { type: 'Stop' | 'Terminate' | 'Resume' | 'Suspend' }>): void {
    this.push(event);
  }

  private push(event: EngineEvent): void {
    if (this.finished) return;
    this.events.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.step();
      });
    }
  }

  private step(): void {
    if (this.finished) return;
    const events = this.events.splice(0);
    // Actions are carried out as the engine decides them: the first pods of a large DAG start
    // while it prepares the rest (perform only queues events, so nothing re-enters it).
    const result: ReconcileResult = this.reconciler.reconcile(events, this.clock(), (action) => this.perform(action));
    if (this.opts.onUpdate && result.changedNodeIds.length > 0) {
      const nodes = this.workflow.status?.nodes ?? {};
      this.opts.onUpdate(this.workflow, result.changedNodeIds.map((id) => nodes[id]).filter(Boolean));
    }
    if (this.opts.supply) this.supplyOutputs(result.changedNodeIds);
    if (this.opts.autoResume) this.autoResume(result.changedNodeIds);
    const phase = this.workflow.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Error') void this.finish();
  }

  private autoResume(changed: string[]): void {
    const nodes = this.workflow.status?.nodes ?? {};
    for (const id of changed) {
      const node = nodes[id];
      if (node?.type === 'Suspend' && node.phase === 'Running' && !node.name.includes('(') && !this.hasResumeTimer(id)) {
        this.push({ type: 'Resume', nodeName: node.name });
      }
    }
  }

  private readonly supplied = new Set<string>();

  private supplyOutputs(changed: string[]): void {
    const nodes = this.workflow.status?.nodes ?? {};
    for (const id of changed) {
      const node = nodes[id];
      if (node?.type !== 'Suspend' || node.phase !== 'Running' || this.supplied.has(id)) continue;
      const values = this.opts.supply?.[node.displayName] ?? this.opts.supply?.[node.name];
      if (!values) continue;
      this.supplied.add(id);
      this.push({ type: 'SetNode', nodeName: node.name, outputParameters: values });
    }
  }

  private hasResumeTimer(id: string): boolean {
    return this.timers.has(`resume:${id}`);
  }

  private perform(action: Action): void {
    switch (action.type) {
      case 'StartPod':
        if (this.admitted && this.running >= this.admitted) this.queued.push(action.pod);
        else this.launch(action.pod);
        return;
      case 'KillPod': {
        const i = this.queued.findIndex((p) => p.nodeId === action.nodeId);
        if (i >= 0) this.queued.splice(i, 1);
        this.kills.push(this.opts.executor.kill(action.nodeId, action.reason));
        return;
      }
      case 'WakeAt': {
        const existing = this.timers.get(action.key);
        if (existing) clearTimeout(existing);
        const delay = Math.max(0, action.at - this.clock());
        const t = setTimeout(() => {
          this.timers.delete(action.key);
          this.push({ type: 'TimerFired', key: action.key });
        }, delay);
        this.timers.set(action.key, t);
        return;
      }
      case 'AcquireLock':
        this.locks.acquire(action.lock, action.holder, (key, holder) => this.push({ type: 'LockGranted', key, holder }));
        return;
      case 'ReleaseLock':
        this.locks.release(action.key, action.holder);
        return;
      case 'DeletePod':
      case 'WorkflowCompleted':
        // Local pods leave nothing behind but their logs, which are kept; TTL deletion is the service's job.
        return;
    }
  }

  private launch(pod: PodRequest): void {
    this.running++;
    const sink: ExecutionSink = {
      podStarted: (nodeId, at) => this.push({ type: 'PodStarted', nodeId, at }),
      podReady: (nodeId, at, ip) => this.push({ type: 'PodReady', nodeId, at, ip }),
      podFinished: (result) => {
        this.running--;
        this.push({ type: 'PodFinished', result });
        const next = this.queued.shift();
        if (next) this.launch(next);
      },
    };
    this.opts.executor.start(pod, sink);
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    const nodes = Object.values(this.workflow.status?.nodes ?? {});
    if (nodes.some((n) => n.type === 'Pod' && !isFulfilled(n.phase))) return;
    this.finished = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled(this.kills);
    // The result is final now; its files go meanwhile (the caller awaits `released`).
    this.releasing = this.opts.executor.releaseWorkflow(this.workflow.metadata.uid ?? '');
    this.done?.(this.workflow);
  }
}

/** Ready pods handed to an executor that keeps the pod limit itself, beyond those running (minimum). */
const STAGED_PODS = 32;

/** Locks shared by every LocalRun in this process unless one is given. */
const processLocks = new InMemoryLockManager();
