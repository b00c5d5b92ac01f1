/**
 * Reconciles rung from inside this worker (a pod it ran started or finished): run here at once
 * instead of through a BullMQ reconcile job, and coalesced per workflow — a ring while that
 * workflow's reconcile runs makes one more pass when it ends, which applies everything that
 * reached the inbox meanwhile in one save (group commit).
 *
 * Nothing depends on this ring for correctness: the event is already committed to the inbox.
 * If this process dies, the resync finds the event; if the reconcile fails (PostgreSQL away,
 * too many conflicting saves), the ring goes to the queue, whose job retries with backoff.
 */
import type { WorkflowHead } from '@slipway/persistence';

export class LocalReconciles {
  private readonly active = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** The newest head that came with a ring, for the next pass (see ReconcileService.reconcile). */
  private readonly heads = new Map<string, WorkflowHead>();

  constructor(
    /** Reconcile one workflow (serialised per workflow by the caller's keyed mutex). */
    private readonly reconcile: (workflowId: string, head?: WorkflowHead) => Promise<unknown>,
    /** Ring through the queue instead; never throws. */
    private readonly fallback: (workflowId: string) => Promise<void>,
  ) {}

  /**
   * Reconcile `workflowId` soon; returns at once. `head`: the workflow's version and inbox read
   * when the event was stored; the reconcile uses it instead of reading them again when its
   * cached state has exactly that version (any save in between changes the version).
   */
  ring(workflowId: string, head?: WorkflowHead): void {
    if (head) this.heads.set(workflowId, head);
    if (this.active.has(workflowId)) {
      this.again.add(workflowId);
      return;
    }
    const run = this.loop(workflowId).finally(() => this.active.delete(workflowId));
    this.active.set(workflowId, run);
  }

  /** Resolves when no local reconcile runs (graceful stop). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all(this.active.values());
  }

  private async loop(workflowId: string): Promise<void> {
    try {
      do {
        this.again.delete(workflowId);
        const head = this.heads.get(workflowId);
        this.heads.delete(workflowId);
        await this.reconcile(workflowId, head);
      } while (this.again.has(workflowId));
    } catch {
      this.again.delete(workflowId);
      this.heads.delete(workflowId);
      await this.fallback(workflowId);
    }
  }
}
