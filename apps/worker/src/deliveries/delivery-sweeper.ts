/**
 * The delivery outbox sweep (run with the resync): deliveries the API stored but could not queue
 * (Redis was down) and queued deliveries whose job was lost are queued again. The worker's claim
 * makes a second job for a delivery a no-op, so sweeping too eagerly costs nothing but a job.
 */
import { DeliveryStore, type PrismaClient } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';

export interface DeliverySweepReport {
  unqueued: number;
  stuck: number;
}

export class DeliverySweeper {
  private readonly store: DeliveryStore;

  constructor(
    db: PrismaClient,
    private readonly queues: SlipwayQueues,
    private readonly options: { unqueuedAfterMs?: number; stuckAfterMs?: number; clock?: () => number } = {},
  ) {
    this.store = new DeliveryStore(db);
  }

  async sweep(): Promise<DeliverySweepReport> {
    const now = this.options.clock?.() ?? Date.now();
    const unqueued = await this.store.unqueued(new Date(now - (this.options.unqueuedAfterMs ?? 10_000)));
    const stuck = await this.store.stuck(new Date(now - (this.options.stuckAfterMs ?? 5 * 60_000)));
    const ids = [...new Set([...unqueued, ...stuck].map((d) => d.id))];
    for (const id of ids) await this.queues.queueDelivery(id);
    await this.store.markQueued(ids, new Date(now));
    return { unqueued: unqueued.length, stuck: stuck.length };
  }
}
