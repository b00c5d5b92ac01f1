/**
 * Reconcilers kept in memory between jobs, keyed by workflow id and valid only for the state
 * version they produced, so a busy workflow is not reloaded from PostgreSQL on every event.
 */
import type { WorkflowReconciler } from '@slipway/engine';

interface Entry {
  version: number;
  reconciler: WorkflowReconciler;
}

export class ReconcilerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 2000) {}

  get(id: string, version: number): WorkflowReconciler | undefined {
    const e = this.entries.get(id);
    if (!e || e.version !== version) return undefined;
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.reconciler;
  }

  set(id: string, version: number, reconciler: WorkflowReconciler): void {
    this.entries.delete(id);
    this.entries.set(id, { version, reconciler });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Whether a reconciler of any version is kept for `id`. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  drop(id: string): void {
    this.entries.delete(id);
  }
}
