/**
 * Keeps this worker's liveness lease (ADR 0008): renewed every `ttlMs / 3`; `valid()` says
 * whether the last renewal that succeeded still covers now with half the lease to spare, which
 * is when the worker may claim pods for itself (a renewal that fails for longer stops the claims
 * well before other workers' resyncs treat this worker as gone).
 */
import type { WorkerLeases } from '@slipway/persistence';

export const LEASE_TTL_MS = 15_000;

export class LeaseKeeper {
  private validUntil = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly leases: WorkerLeases,
    private readonly worker: string,
    private readonly log: (msg: string) => void,
    private readonly ttlMs = LEASE_TTL_MS,
  ) {}

  /** Take the lease (a failure is logged; the worker then runs every pod through the queue until a renewal succeeds). */
  async start(): Promise<void> {
    this.stopped = false;
    await (this.renewing = this.renew());
  }

  valid(): boolean {
    return !this.stopped && Date.now() < this.validUntil;
  }

  /** Stop renewing and end the lease (after the worker's pods finished or were handed back). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
    try {
      await this.leases.release(this.worker);
    } catch (err) {
      this.log(`could not release the worker lease (it expires by itself): ${(err as Error).message}`);
    }
  }

  private async renew(): Promise<void> {
    const sent = Date.now();
    try {
      await this.leases.renew(this.worker, this.ttlMs);
      if (!this.stopped) this.validUntil = sent + this.ttlMs / 2;
    } catch (err) {
      this.log(`worker lease not renewed (pods go through the queue meanwhile): ${(err as Error).message}`);
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        this.renewing = this.renew();
      }, this.ttlMs / 3);
      this.timer.unref();
    }
  }
}
