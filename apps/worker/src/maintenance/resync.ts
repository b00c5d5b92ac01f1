/**
 * The periodic resync: whatever a lost message left behind is found in PostgreSQL and queued
 * again — workflows with inbox events or never started, overdue timers, pods nobody is running,
 * and finished workflows whose TTL expired.
 */
import type { PodExecutions, Timers, WorkflowInbox, WorkflowRepository } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';

export interface ResyncReport {
  workflows: number;
  timers: number;
  pods: number;
  deleted: number;
}

export class Resync {
  constructor(
    private readonly deps: {
      workflows: WorkflowRepository;
      inbox: WorkflowInbox;
      timers: Timers;
      executions: PodExecutions;
      queues: SlipwayQueues;
      clock?: () => number;
      /** Pods claimed by a worker longer ago than this are assumed lost (their job is re-queued; BullMQ dedupes). */
    },
  ) {}

  async run(): Promise<ResyncReport> {
    const { workflows, inbox, timers, executions, queues } = this.deps;
    const now = this.deps.clock?.() ?? Date.now();
    const report: ResyncReport = { workflows: 0, timers: 0, pods: 0, deleted: 0 };
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
