/** The workflow inbox: events are stored before the job that applies them is queued. */
import type { EngineEvent } from '@slipway/engine';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

export interface InboxEvent {
  id: bigint;
  event: EngineEvent;
}

type Tx = Pick<PrismaClient, 'workflowEvent'>;

export class WorkflowInbox {
  constructor(private readonly db: PrismaClient) {}

  async append(workflowId: string, event: EngineEvent, tx: Tx = this.db): Promise<void> {
    await tx.workflowEvent.create({ data: { workflowId, event: event as unknown as Prisma.InputJsonValue } });
  }

  async pending(workflowId: string): Promise<InboxEvent[]> {
    const rows = await this.db.workflowEvent.findMany({ where: { workflowId }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ id: r.id, event: r.event as unknown as EngineEvent }));
  }

  /** Workflows that have events waiting (for the resync), only events written before `olderThan` when given. */
  async workflowsWithPending(limit = 500, olderThan?: Date): Promise<string[]> {
    const rows = await this.db.workflowEvent.findMany({
      where: olderThan ? { createdAt: { lt: olderThan } } : {},
      distinct: ['workflowId'],
      select: { workflowId: true },
      take: limit,
    });
    return rows.map((r) => r.workflowId);
  }
}
