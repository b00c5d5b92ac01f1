/**
 * The periodic resync: whatever a lost message left behind is found in PostgreSQL and queued
 * again — workflows with inbox events or never started, overdue timers, pods nobody is running,
 * and finished workflows whose TTL expired.
 */
import type { Action } from '@slipway/engine';
import type { PodExecutions, Timers, WorkflowInbox, WorkflowRepository, WorkflowStateStore } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';

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
      queues: SlipwayQueues;
      state: WorkflowStateStore;
      /** Performs actions again (they are idempotent). */
      perform: (workflowId: string, actions: Action[]) => Promise<void>;
      clock?: () => number;
    },
  ) {}

  async run(): Promise<ResyncReport> {
    const { workflows, inbox, timers, executions, queues } = this.deps;
    const now = this.deps.clock?.() ?? Date.now();
    const report: ResyncReport = { workflows: 0, timers: 0, pods: 0, deleted: 0, actions: 0 };
    for (const row of await this.deps.state.strandedActions(new Date(now - 5000))) {
      await this.deps.perform(row.workflowId, [row.action as Action]);
      await this.deps.state.actionsDone([row.id]);
      report.actions++;
    }
    const ids = new Set([...(await inbox.workflowsWithPending()), ...(await workflows.unfinishedIds())]);
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
    for (const p of await executions.unfinished()) {
      await queues.runPod(p.workflowId, p.nodeId);
      report.pods++;
    }
    for (const id of await workflows.expiredIds(new Date(now))) {
      if (await workflows.deleteById(id)) report.deleted++;
    }
    return report;
  }
}
