/**
 * The worker's step slots (SLIPWAY_WORKER_CONCURRENCY), shared by the pods it runs for its own
 * reconciles (ADR 0008) and those its BullMQ consumer fetched: at most `capacity` run at once.
 * A free slot goes to the worker's own pods first (they cost no queue round trips, and each one
 * run here lets its workflow's next pods be claimed here too), in the order they asked, unless
 * a fetched job has waited `maxQueuedWaitMs`: then that job, so a job this worker fetched is not
 * kept from running behind an endless stream of its own pods.
 *
 * Staging (ADR 0011): when the executor keeps the `capacity` limit itself (the local executor's
 * gate, kept in its spawner helper), the worker's own pods may take `stage` places beyond it:
 * those pods wait in the helper, which starts the next the moment a step exits, without a round
 * trip through this event loop. A job from the queue still needs one of the `capacity` places
 * (it may be a Kubernetes pod, which no gate limits); once one has waited `maxQueuedWaitMs`, no
 * more own pods are staged until it got its place. Staging pays only when steps are short (the
 * round trip it saves is ≈ 1 ms), and a staged pod is not handed to other workers while it waits,
 * so pods are staged only while the recent steps were short enough that the last staged one
 * would wait less than half of `maxQueuedWaitMs`: for long steps this is the plain line above.
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

  /**
   * How long a step held its place, recently (a moving average; undefined until one ended). With
   * staged pods a place is held while waiting in the executor too: by Little's law a step's own
   * time is about the time its place was held × capacity / places in use.
   */
  private stepMs: number | undefined;

  /**
   * `stage`: places beyond `capacity` for the worker's own pods, when their executor keeps the
   * limit of `capacity` running pods itself (0: it does not; then `capacity` is the limit).
   */
  constructor(
    readonly capacity: number,
    private readonly maxQueuedWaitMs = 1000,
    readonly stage = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`pod slots: capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(stage) || stage < 0) throw new Error(`pod slots: stage must be a whole number, got ${stage}`);
    this.free = capacity + stage;
  }

  /** Places in use (running, or staged in the executor). */
  get busy(): number {
    return this.capacity + this.stage - this.free;
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

  /** Whether own pods may take places beyond capacity now (see the file comment). */
  get staging(): boolean {
    if (this.stage === 0 || this.stepMs === undefined) return false;
    return (this.stepMs * (this.capacity + this.stage)) / this.capacity < this.maxQueuedWaitMs / 2;
  }

  private releaser(): ReleaseSlot {
    let released = false;
    const grantedAt = performance.now();
    const inUse = Math.max(this.capacity, this.busy);
    return () => {
      if (released) return;
      released = true;
      const sample = ((performance.now() - grantedAt) * this.capacity) / inUse;
      this.stepMs = this.stepMs === undefined ? sample : this.stepMs + (sample - this.stepMs) / 8;
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
    // A queue job needs a place within `capacity`; the `stage` places beyond it are for own pods.
    const withinCapacity = this.free > this.stage;
    const job = this.queued[0];
    if (job && (this.own.length === 0 || Date.now() - job.since >= this.maxQueuedWaitMs)) {
      if (withinCapacity) return this.queued.shift();
      // Its turn: own pods are not staged past it (it gets the next place within capacity).
      return undefined;
    }
    return withinCapacity || this.staging ? this.own.shift() : undefined;
  }
}
