/**
 * Mutexes and semaphores across workers: rows per (lock, holder), granted in arrival order under
 * a row lock on the key. Returns who was newly granted so the caller can tell their workflows.
 */
import type { LockRequest } from '@slipway/engine';
import type { PrismaClient } from '../generated/prisma/client.js';

export class Locks {
  constructor(
    private readonly db: PrismaClient,
    private readonly limitOf: (lock: LockRequest) => Promise<number> = () => Promise.resolve(1),
  ) {}

  async acquire(lock: LockRequest, holder: string, workflowId: string): Promise<{ holder: string; workflowId: string }[]> {
    const limit = lock.kind === 'mutex' ? 1 : Math.max(1, await this.limitOf(lock));
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lock.key}))`;
      await tx.lockHolder.upsert({
        where: { key_holder: { key: lock.key, holder } },
        create: { key: lock.key, holder, workflowId },
        update: {},
      });
      return grantWaiting(tx, lock.key, limit);
    });
  }

  async release(key: string, holder: string, limit = 1): Promise<{ holder: string; workflowId: string }[]> {
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))`;
      await tx.lockHolder.deleteMany({ where: { key, holder } });
      return grantWaiting(tx, key, limit);
    });
  }
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function grantWaiting(tx: Tx, key: string, limit: number): Promise<{ holder: string; workflowId: string }[]> {
  const held = await tx.lockHolder.count({ where: { key, granted: true } });
  const free = limit - held;
  if (free <= 0) return [];
  const waiting = await tx.lockHolder.findMany({ where: { key, granted: false }, orderBy: { createdAt: 'asc' }, take: free });
  if (waiting.length === 0) return [];
  await tx.lockHolder.updateMany({ where: { key, holder: { in: waiting.map((w) => w.holder) } }, data: { granted: true } });
  return waiting.map((w) => ({ holder: w.holder, workflowId: w.workflowId }));
}
