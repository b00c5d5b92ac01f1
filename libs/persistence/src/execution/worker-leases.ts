/**
 * Worker liveness leases (ADR 0008). A worker renews its lease while it lives; a pod execution
 * that is Running for a worker whose lease is live is that worker's to finish (it may run it
 * without a queue job, so nothing else would notice it dying), and the resync re-queues the
 * Running executions of a worker whose lease expired. Times are the database's clock, so
 * workers' clocks need not agree.
 */
import type { PrismaClient } from '../generated/prisma/client.js';

export class WorkerLeases {
  constructor(private readonly db: PrismaClient) {}

  /** Create or extend `worker`'s lease to `ttlMs` from now (the database's now). */
  async renew(worker: string, ttlMs: number): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO worker_leases (worker, expires_at) VALUES (${worker}, now() + ${ttlMs}::int * interval '1 millisecond')
      ON CONFLICT (worker) DO UPDATE SET expires_at = EXCLUDED.expires_at`;
  }

  /** End the lease now (graceful stop): the worker's unfinished executions are anyone's again. */
  async release(worker: string): Promise<void> {
    await this.db.$executeRaw`DELETE FROM worker_leases WHERE worker = ${worker}`;
  }

  /** Whether `worker` holds a lease that has not expired. */
  async isLive(worker: string): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ live: boolean }[]>`SELECT expires_at > now() AS live FROM worker_leases WHERE worker = ${worker}`;
    return rows[0]?.live === true;
  }

  /** Forget leases that expired more than `graceMs` ago (dead workers' rows). */
  async prune(graceMs = 3_600_000): Promise<number> {
    return this.db.$executeRaw`DELETE FROM worker_leases WHERE expires_at < now() - ${graceMs}::int * interval '1 millisecond'`;
  }
}
