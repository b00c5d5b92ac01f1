/**
 * Reconciling one workflow: load (or reuse) its state, apply its inbox, save with a version check,
 * and only then perform the actions. A lost race reloads and tries again.
 */
import { WorkflowReconciler, type Action } from '@slipway/engine';
import type { WorkflowInbox, WorkflowStateStore } from '@slipway/persistence';
import { InMemoryTemplateLibrary } from '@slipway/workflow';
import { KeyedMutex } from './keyed-mutex.js';
import { ReconcilerCache } from './reconciler-cache.js';

export interface ActionSink {
  perform(workflowId: string, actions: Action[]): Promise<void>;
  /** The workflow's state was saved (for watchers). */
  saved(workflowId: string, summary: { namespace: string; name: string; phase: string; version: number }): Promise<void>;
}

export interface ReconcileOutcome {
  status: 'advanced' | 'idle' | 'missing';
  phase?: string;
}

const NO_TEMPLATES = new InMemoryTemplateLibrary();

export class ReconcileService {
  private readonly cache = new ReconcilerCache();
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly state: WorkflowStateStore,
    private readonly inbox: WorkflowInbox,
    private readonly sink: ActionSink,
    private readonly clock: () => number = Date.now,
  ) {}

  reconcile(workflowId: string): Promise<ReconcileOutcome> {
    return this.mutex.run(workflowId, () => this.reconcileNow(workflowId));
  }

  private async reconcileNow(workflowId: string): Promise<ReconcileOutcome> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const version = await this.state.version(workflowId);
      if (version === undefined) {
        this.cache.drop(workflowId);
        return { status: 'missing' };
      }
      let reconciler = this.cache.get(workflowId, version);
      if (!reconciler) {
        const loaded = await this.state.load(workflowId);
        if (!loaded) return { status: 'missing' };
        reconciler = new WorkflowReconciler(loaded.workflow, NO_TEMPLATES, loaded.runtime);
      }
      const phase = reconciler.workflow.status?.phase;
      const events = await this.inbox.pending(workflowId);
      const started = phase !== undefined && phase !== 'Pending';
      if (events.length === 0 && started) {
        this.cache.set(workflowId, version, reconciler);
        return { status: 'idle', phase };
      }
      const result = reconciler.reconcile(events.map((e) => e.event), this.clock());
      const completed = result.actions.find((a) => a.type === 'WorkflowCompleted');
      const deleteAt = completed?.type === 'WorkflowCompleted' && completed.deleteAt !== undefined ? new Date(completed.deleteAt) : undefined;
      const saved = await this.state.save({
        id: workflowId,
        expectedVersion: version,
        workflow: reconciler.workflow,
        runtime: reconciler.runtime,
        changedNodeIds: result.changedNodeIds,
        consumedEventIds: events.map((e) => e.id),
        deleteAt,
        actions: result.actions,
      });
      if (!saved) {
        this.cache.drop(workflowId);
        continue;
      }
      this.cache.set(workflowId, version + 1, reconciler);
      const wf = reconciler.workflow;
      await this.sink.perform(workflowId, result.actions);
      await this.state.actionsDone(saved);
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
}
