/** What the cron scheduler reads and writes: every CronWorkflow, its runs, and its last schedule. */
import type { CronWorkflow } from '@slipway/workflow';
import type { PrismaClient } from '../generated/prisma/client.js';

export interface CronEntry {
  id: string;
  namespace: string;
  name: string;
  manifest: CronWorkflow;
  suspended: boolean;
  lastScheduledTime?: Date;
  createdAt: Date;
}

const CRON_LABEL = 'workflows.argoproj.io/cron-workflow';

export class CronRuns {
  constructor(private readonly db: PrismaClient) {}

  async all(): Promise<CronEntry[]> {
    const rows = await this.db.cronWorkflow.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map((r) => ({
      id: r.id,
      namespace: r.namespace,
      name: r.name,
      manifest: r.manifest as unknown as CronWorkflow,
      suspended: r.suspended,
      lastScheduledTime: r.lastScheduledTime ?? undefined,
      createdAt: r.createdAt,
    }));
  }

  /** Record a schedule as handled, unless another scheduler already moved past it. */
  async markScheduled(id: string, time: Date, next?: Date): Promise<boolean> {
    const res = await this.db.cronWorkflow.updateMany({
      where: { id, OR: [{ lastScheduledTime: null }, { lastScheduledTime: { lt: time } }] },
      data: { lastScheduledTime: time, nextRunAt: next ?? null },
    });
    return res.count > 0;
  }

  /** The cron's workflows, newest first, with their phase. */
  async runs(namespace: string, cronName: string): Promise<{ id: string; name: string; phase: string; createdAt: Date }[]> {
    return this.db.workflow.findMany({
      where: { namespace, labels: { path: [CRON_LABEL], equals: cronName } },
      select: { id: true, name: true, phase: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
    });
  }
}
