/**
 * The worker's step slots (SLIPWAY_WORKER_CONCURRENCY), shared by the pods it runs for its own
 * reconciles (ADR 0008) and those its BullMQ consumer fetched: at most `capacity` run at once.
 * A free slot goes to the worker's own pods first (they cost no queue round trips, and each one
 * run here lets its workflow's next pods be claimed here too), in the order they asked, unless
 * a fetched job has waited `maxQueuedWaitMs`: then that job, so a job this worker fetched is not
 * kept from running behind an endless stream of its own pods.
 */
export type ReleaseSlot = () => void;

interface Waiter {
  grant: (release: ReleaseSlot) => void;
  cancelled: boolean;
  since: number;
}

/** A place in the line for a slot; `cancel()` leaves the line (no-op once granted). */
export interface SlotTicket {
  cancel(): void;
}

export class PodSlots {
  private free: number;
  /** The worker's own pods waiting for a slot, and the queue's jobs (first come first served within each). */
  private readonly own: Waiter[] = [];
  private readonly queued: Waiter[] = [];

  constructor(
    readonly capacity: number,
    private readonly maxQueuedWaitMs = 1000,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`pod slots: capacity must be a positive integer, got ${capacity}`);
    this.free = capacity;
  }

  /** Slots in use. */
  get busy(): number {
    return this.capacity - this.free;
  }

  /**
   * Call `grant` with a slot's release as soon as one is free: synchronously when one is free
   * now, else in the tick of the release that frees it. `own`: a pod of this worker's own
   * reconciles (first in line), else a job from the queue.
   */
  take(grant: (release: ReleaseSlot) => void, own = true): SlotTicket {
    const waiter: Waiter = { grant, cancelled: false, since: Date.now() };
    (own ? this.own : this.queued).push(waiter);
    this.next();
    return {
      cancel: () => {
        waiter.cancelled = true;
      },
    };
  }

  /** `take` for a job from the queue, as a promise. */
  acquire(): Promise<ReleaseSlot> {
    return new Promise((resolve) => this.take(resolve, false));
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.free++;
      this.next();
    };
  }

  private next(): void {
    while (this.free > 0) {
      const waiter = this.pick();
      if (!waiter) return;
      this.free--;
      waiter.grant(this.releaser());
    }
  }

  private pick(): Waiter | undefined {
    while (this.own[0]?.cancelled) this.own.shift();
    while (this.queued[0]?.cancelled) this.queued.shift();
    const job = this.queued[0];
    if (job && (this.own.length === 0 || Date.now() - job.since >= this.maxQueuedWaitMs)) return this.queued.shift();
    return this.own.shift();
  }
}
