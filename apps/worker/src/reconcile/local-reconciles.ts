/**
 * Reconciles rung from inside this worker (a pod it ran started or finished): run here at once
 * instead of through a BullMQ reconcile job, and coalesced per workflow — a ring while that
 * workflow's reconcile runs makes one more pass when it ends, which applies everything that
 * reached the inbox meanwhile in one save (group commit).
 *
 * A ring while other pods of the same workflow still run on this worker waits for them (at most
 * `gatherMs`): their results, due any moment, then go into the same reconcile and save.
 *
 * Nothing depends on this ring for correctness: the event is already committed to the inbox.
 * If this process dies, the resync finds the event; if the reconcile fails (PostgreSQL away,
 * too many conflicting saves), the ring goes to the queue, whose job retries with backoff.
 */
import type { WorkflowHead } from '@slipway/persistence';

export class LocalReconciles {
  private readonly active = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /**
   * The head that came with the one ring the next pass serves (see ReconcileService.reconcile);
   * null once a second ring (or one without a head) is waiting: a head read with one event need
   * not hold another's, so that pass reads the head itself.
   */
  private readonly heads = new Map<string, WorkflowHead | null>();
  /** Pods running on this worker, per workflow (see `track`). */
  private readonly running = new Map<string, number>();
  /** Rings waiting for other pods of their workflow (see `gatherMs`). */
  private readonly gathering = new Map<string, NodeJS.Timeout>();

  constructor(
    /** Reconcile one workflow (serialised per workflow by the caller's keyed mutex). */
    private readonly reconcile: (workflowId: string, head?: WorkflowHead) => Promise<unknown>,
    /** Ring through the queue instead; never throws. */
    private readonly fallback: (workflowId: string) => Promise<void>,
    /** How long a ring waits at most for other pods of its workflow running here (0: never). */
    private readonly gatherMs = 5,
  ) {}

  /** Run `fn` (a pod of `workflowId` on this worker) counted among the workflow's running pods. */
  async track<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
    this.running.set(workflowId, (this.running.get(workflowId) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const left = (this.running.get(workflowId) ?? 1) - 1;
      if (left > 0) this.running.set(workflowId, left);
      else this.running.delete(workflowId);
    }
  }

  /**
   * Reconcile `workflowId` soon; returns at once. `head`: the workflow's version and inbox read
   * when the event was stored; a pass that serves only this ring uses it instead of reading them
   * again when its cached state has exactly that version (any save in between changes it).
   */
  ring(workflowId: string, head?: WorkflowHead): void {
    this.heads.set(workflowId, this.heads.has(workflowId) ? null : (head ?? null));
    // The ringing pod is still counted (it rings before its run ends).
    this.schedule(workflowId, (this.running.get(workflowId) ?? 0) - 1);
  }

  /** Resolves when no local reconcile runs or waits (graceful stop). */
  async idle(): Promise<void> {
    while (this.active.size > 0 || this.gathering.size > 0) {
      for (const id of [...this.gathering.keys()]) this.start(id);
      await Promise.all(this.active.values());
    }
  }

  /** Start a pass now, or once the `others` pods of the workflow running here rang (at most gatherMs). */
  private schedule(workflowId: string, others: number): void {
    if (this.active.has(workflowId)) {
      this.again.add(workflowId);
      return;
    }
    if (others > 0 && this.gatherMs > 0) {
      if (!this.gathering.has(workflowId)) this.gathering.set(workflowId, setTimeout(() => this.start(workflowId), this.gatherMs));
      return;
    }
    this.start(workflowId);
  }

  private start(workflowId: string): void {
    const timer = this.gathering.get(workflowId);
    if (timer) clearTimeout(timer);
    this.gathering.delete(workflowId);
    if (this.active.has(workflowId)) {
      this.again.add(workflowId);
      return;
    }
    const run = this.pass(workflowId).finally(() => {
      this.active.delete(workflowId);
      // Rung during the pass: one more, gathered like a ring.
      if (this.again.delete(workflowId)) this.schedule(workflowId, this.running.get(workflowId) ?? 0);
    });
    this.active.set(workflowId, run);
  }

  private async pass(workflowId: string): Promise<void> {
    const head = this.heads.get(workflowId) ?? undefined;
    this.heads.delete(workflowId);
    try {
      await this.reconcile(workflowId, head);
    } catch {
      this.again.delete(workflowId);
      this.heads.delete(workflowId);
      await this.fallback(workflowId);
    }
  }
}
