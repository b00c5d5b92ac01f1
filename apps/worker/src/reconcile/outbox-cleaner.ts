/**
 * Deleting performed actions from the outbox in batches (one DELETE per few milliseconds instead
 * of one per reconcile). Rows a crash leaves behind are performed again by the resync; every
 * action is idempotent (ADR 0004).
 */
export class OutboxCleaner {
  private ids: bigint[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly remove: (ids: bigint[]) => Promise<void>,
    private readonly onError: (err: Error) => void,
    private readonly delayMs = 20,
    private readonly maxBatch = 1000,
  ) {}

  done(ids: readonly bigint[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.ids.push(id);
    if (this.ids.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.ids;
    this.ids = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.remove(batch)).catch((err: Error) => this.onError(err));
    return this.flushing;
  }
}
