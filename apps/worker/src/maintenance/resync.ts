/**
 * The periodic resync: whatever a lost message left behind is found in PostgreSQL and queued
 * again — workflows with inbox events or never started, overdue timers, pods nobody is running,
 * and finished workflows whose TTL expired.
 */
import type { Action } from '@slipway/engine';
import type { PodExecutions, Timers, WorkerLeases, WorkflowInbox, WorkflowRepository, WorkflowStateStore } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';

/**
 * Events and Pending workflows younger than this are presumably still on their way: their job
 * is queued, possibly behind a backlog of thousands. A doorbell lost with Redis is rung again
 * within one or two resync periods.
 */
const SETTLE_MS = 30_000;

export interface ResyncReport {
  workflows: number;
  timers: number;
  pods: number;
  deleted: number;
  /** Outbox actions a crashed worker had not performed. */
  actions: number;
}

export class Resync {
  constructor(
    private readonly deps: {
      workflows: WorkflowRepository;
      inbox: WorkflowInbox;
      timers: Timers;
      executions: PodExecutions;
      /** Worker liveness leases: dead workers' rows are pruned. */
      leases?: WorkerLeases;
      queues: SlipwayQueues;
      state: WorkflowStateStore;
      /** Performs actions again (they are idempotent). */
      perform: (workflowId: string, actions: Action[]) => Promise<void>;
      clock?: () => number;
      /** This worker's id: its own Running executions are listed too (see `holds`). */
      worker?: string;
      /** Whether this worker runs the execution itself without a queue job (ADR 0008): not queued. */
      holds?: (workflowId: string, nodeId: string) => boolean;
    },
  ) {}

  private periodicRuns = 0;

  /**
   * `periodic`: a timer's run. After the first of those, only inbox events and Pending workflows
   * older than SETTLE_MS count as forgotten; other runs (start-up, resyncNow) take everything.
   */
  async run(opts: { periodic?: boolean } = {}): Promise<ResyncReport> {
    const settleMs = opts.periodic && this.periodicRuns++ > 0 ? SETTLE_MS : 0;
    const { workflows, inbox, timers, executions, queues } = this.deps;
    const now = this.deps.clock?.() ?? Date.now();
    const report: ResyncReport = { workflows: 0, timers: 0, pods: 0, deleted: 0, actions: 0 };
    for (const row of await this.deps.state.strandedActions(new Date(now - 5000))) {
      await this.deps.perform(row.workflowId, [row.action as Action]);
      await this.deps.state.actionsDone([row.id]);
      report.actions++;
    }
    // Only what looks forgotten: inbox events nobody applied for a while, and workflows never
    // started. A Running workflow with neither needs no reconcile: its pods, timers and outbox are
    // recovered below and each ends in an inbox event. (Ringing every running workflow would queue
    // one idle reconcile per running workflow per resync.)
    const settled = settleMs > 0 ? new Date(now - settleMs) : undefined;
    const ids = new Set([...(await inbox.workflowsWithPending(500, settled)), ...(await workflows.unfinishedIds(1000, { phases: ['Pending'], createdBefore: settled }))]);
    for (const id of ids) {
      await queues.reconcileWorkflow(id);
      report.workflows++;
    }
    for (const t of await timers.overdue(new Date(now - 1000))) {
      await inbox.append(t.workflowId, { type: 'TimerFired', key: t.key });
      await timers.clear(t.workflowId, t.key);
      await queues.reconcileWorkflow(t.workflowId);
      report.timers++;
    }
    // Queued executions, and Running ones whose worker is gone (its lease expired) or is this one
    // but runs them no more; a live worker's own pods (maybe without a job, ADR 0008) are its own.
    for (const p of await executions.unfinished({ self: this.deps.worker })) {
      if (this.deps.holds?.(p.workflowId, p.nodeId)) continue;
      await queues.runPod(p.workflowId, p.nodeId);
      report.pods++;
    }
    await this.deps.leases?.prune();
    for (const id of await workflows.expiredIds(new Date(now))) {
      if (await workflows.deleteById(id)) report.deleted++;
    }
    return report;
  }
}
