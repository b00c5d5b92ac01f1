/** Durable timers: the copy of each delayed job, so the resync can re-queue a lost one. */
import type { PrismaClient } from '../generated/prisma/client.js';

export class Timers {
  constructor(private readonly db: PrismaClient) {}

  async set(workflowId: string, key: string, fireAt: Date): Promise<void> {
    await this.db.timer.upsert({
      where: { workflowId_key: { workflowId, key } },
      create: { workflowId, key, fireAt },
      update: { fireAt },
    });
  }

  async clear(workflowId: string, key: string): Promise<void> {
    await this.db.timer.deleteMany({ where: { workflowId, key } });
  }

  /** Timers that should have fired before `before`. */
  async overdue(before: Date, limit = 500): Promise<{ workflowId: string; key: string; fireAt: Date }[]> {
    return this.db.timer.findMany({ where: { fireAt: { lte: before } }, take: limit, orderBy: { fireAt: 'asc' } });
  }
}
