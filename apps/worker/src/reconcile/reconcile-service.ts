/**
 * Reconciling one workflow: load (or reuse) its state, apply its inbox, save with a version check
 * (with the failure alert when the save finishes the workflow Failed or Error), and only then
 * perform the actions. A lost race reloads and tries again.
 */
import { WorkflowReconciler, type Action, type PodRequest } from '@slipway/engine';
import type { LoadedState, NewAlert, SaveResult, WorkflowHead, WorkflowStateStore } from '@slipway/persistence';
import { InMemoryTemplateLibrary, type Workflow, type WorkflowSpec } from '@slipway/workflow';
import { withWorkflowPodFields } from '../pods/executor-choice.js';
import type { PodClaims } from '../pods/self-run-pods.js';
import { KeyedMutex } from './keyed-mutex.js';
import { OutboxCleaner } from './outbox-cleaner.js';
import { ReconcilerCache } from './reconciler-cache.js';

export interface ActionSink {
  /** `podsRecorded`: the StartPods' pod executions were saved with the state already. */
  perform(workflowId: string, actions: Action[], opts?: { podsRecorded?: boolean }): Promise<void>;
  /** The workflow's state was saved (for watchers). */
  saved(workflowId: string, summary: { namespace: string; name: string; phase: string; version: number }): Promise<void>;
  /**
   * The alert to write with the save that finishes a workflow Failed or Error (in the same
   * statement, so a crash cannot separate them); undefined for none. A rejection saves without
   * it and is logged (the alerts' resync sweep writes it later).
   */
  failureAlert?(workflow: Workflow): Promise<NewAlert | undefined>;
}

export interface ReconcileOutcome {
  status: 'advanced' | 'idle' | 'missing';
  phase?: string;
}

const NO_TEMPLATES = new InMemoryTemplateLibrary();
const FINISHED = new Set(['Succeeded', 'Failed', 'Error']);
const FAILED = new Set(['Failed', 'Error']);

/** The parts of the manifest a reconcile changes (the engine sets spec.suspend and spec.shutdown). */
function manifestKey(wf: Workflow): string {
  return `${String(wf.spec.suspend)}|${String(wf.spec.shutdown)}|${Object.keys(wf.spec).length}`;
}

export class ReconcileService {
  private readonly cache = new ReconcilerCache();
  private readonly mutex = new KeyedMutex();
  private readonly outbox: OutboxCleaner;
  private readonly log: (msg: string) => void;

  constructor(
    private readonly state: WorkflowStateStore,
    private readonly sink: ActionSink,
    private readonly clock: () => number = Date.now,
    log: (msg: string) => void = () => {},
    /** Sees every saved workflow, the nodes that changed and the executed spec (metrics). */
    private readonly observe?: (workflowId: string, wf: Workflow, changedNodeIds: string[], spec: WorkflowSpec) => void,
    /** Pods this worker runs itself without a queue job, claimed in the save (ADR 0008). */
    private readonly claims?: PodClaims,
  ) {
    this.log = log;
    this.outbox = new OutboxCleaner((ids) => this.state.actionsDone(ids), (err) => log(`outbox cleanup failed (the resync performs those actions again): ${err.message}`));
  }

  /**
   * `hint`: the workflow's version and inbox read with an event this worker just stored. Used
   * instead of reading them again only when the cached state has that very version: every save
   * consumes its events and changes the version atomically, so a head with the current version
   * holds exactly the events no save has consumed (a later event rings again).
   */
  reconcile(workflowId: string, hint?: WorkflowHead): Promise<ReconcileOutcome> {
    return this.mutex.run(workflowId, () => this.reconcileNow(workflowId, hint));
  }

  /** Delete the outbox rows of performed actions now (on shutdown). */
  flush(): Promise<void> {
    return this.outbox.flush();
  }

  private async reconcileNow(workflowId: string, hint?: WorkflowHead): Promise<ReconcileOutcome> {
    for (let attempt = 0; attempt < 10; attempt++) {
      // The version and the inbox in one round trip (with the whole state for a workflow not in
      // the cache), or the hint. The save below expects this version, so events another worker
      // consumed in the meantime can never be applied twice.
      const fresh = !this.cache.has(workflowId);
      const useHint = attempt === 0 && hint !== undefined && !fresh && this.cache.get(workflowId, hint.version) !== undefined;
      const withInbox = fresh ? await this.state.loadWithInbox(workflowId) : undefined;
      const head = fresh ? withInbox : useHint ? hint : await this.state.head(workflowId);
      let loaded: LoadedState | undefined = withInbox;
      if (head === undefined) {
        this.cache.drop(workflowId);
        return { status: 'missing' };
      }
      const { version, events } = head;
      let reconciler = loaded ? undefined : this.cache.get(workflowId, version);
      const cached = reconciler !== undefined;
      if (!reconciler) {
        loaded ??= await this.state.load(workflowId);
        if (!loaded) return { status: 'missing' };
        if (loaded.version !== version) continue; // saved by someone else in between: read again
        reconciler = new WorkflowReconciler(loaded.workflow, NO_TEMPLATES, loaded.runtime);
      }
      const phase = reconciler.workflow.status?.phase;
      const started = phase !== undefined && phase !== 'Pending';
      if (events.length === 0 && started) {
        this.cache.set(workflowId, version, reconciler);
        return { status: 'idle', phase };
      }
      const keyBefore = cached ? manifestKey(reconciler.workflow) : '';
      const result = reconciler.reconcile(events.map((e) => e.event), this.clock());
      const meta = reconciler.workflow.metadata;
      const spec = reconciler.executedSpec;
      // Pod requests carry what the executors need from the workflow (executor choice, volumeClaimTemplates, pod fields).
      const actions = result.actions.map((a) => (a.type === 'StartPod' ? { ...a, pod: withWorkflowPodFields(a.pod, meta, spec) } : a));
      const completed = actions.find((a) => a.type === 'WorkflowCompleted');
      const deleteAt = completed?.type === 'WorkflowCompleted' && completed.deleteAt !== undefined ? new Date(completed.deleteAt) : undefined;
      const pods: PodRequest[] = [];
      for (const a of actions) if (a.type === 'StartPod') pods.push(a.pod);
      const failedNow = !FINISHED.has(phase ?? '') && FAILED.has(reconciler.workflow.status?.phase ?? '');
      const alert = failedNow ? await this.failureAlert(workflowId, reconciler.workflow) : undefined;
      // Some of the pods may be claimed for this worker in the save itself (ADR 0008).
      const claim = pods.length > 0 ? this.claims?.reserve(workflowId, pods) : undefined;
      let saved: SaveResult | undefined;
      try {
        saved = await this.state.save({
          id: workflowId,
          expectedVersion: version,
          workflow: reconciler.workflow,
          runtime: reconciler.runtime,
          changedNodeIds: result.changedNodeIds,
          consumedEventIds: events.map((e) => e.id),
          deleteAt,
          // StartPods are recorded as pod executions below, which the resync re-queues while
          // unfinished: no outbox row (and no outbox delete) for them.
          actions: actions.filter((a) => a.type !== 'StartPod'),
          manifestChanged: !cached || manifestKey(reconciler.workflow) !== keyBefore,
          pods,
          claim,
          alert,
          asyncCommit: true,
        });
      } finally {
        // Run what the save claimed (nothing when it failed or lost the race).
        if (claim) this.claims?.settle(workflowId, claim.nodeIds, saved?.claimed ?? [], pods);
      }
      if (!saved) {
        this.cache.drop(workflowId);
        continue;
      }
      const wf = reconciler.workflow;
      // A finished workflow gets no more pod or timer events (a retry rewrites its state and
      // version), so keeping its reconciler would only grow the heap, which makes every fork of
      // this process (each step start) slower.
      if (FINISHED.has(wf.status?.phase ?? '')) this.cache.drop(workflowId);
      else this.cache.set(workflowId, version + 1, reconciler);
      this.observe?.(workflowId, wf, result.changedNodeIds, spec);
      // Pods claimed for this worker run here (settled above): no queue job for them.
      const selfRun = new Set(saved.claimed);
      const queued = selfRun.size === 0 ? actions : actions.filter((a) => a.type !== 'StartPod' || !selfRun.has(a.pod.nodeId));
      await this.sink.perform(workflowId, queued, { podsRecorded: true });
      this.outbox.done(saved.actionIds);
      await this.sink.saved(workflowId, {
        namespace: wf.metadata.namespace ?? 'default',
        name: wf.metadata.name ?? '',
        phase: wf.status?.phase ?? 'Pending',
        version: version + 1,
      });
      return { status: 'advanced', phase: wf.status?.phase };
    }
    throw new Error(`workflow ${workflowId}: gave up after 10 conflicting saves`);
  }

  private async failureAlert(workflowId: string, wf: Workflow): Promise<NewAlert | undefined> {
    if (!this.sink.failureAlert) return undefined;
    try {
      return await this.sink.failureAlert(wf);
    } catch (err) {
      this.log(`workflow ${workflowId}: failure alert not prepared (the alerts sweep writes it): ${(err as Error).message}`);
      return undefined;
    }
  }
}
