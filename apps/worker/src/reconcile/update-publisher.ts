/**
 * "Workflow saved" messages for watchers (`<prefix>:workflow-updates`), at most one per workflow
 * per interval while only its nodes change: a save inside the interval is held, and the newest
 * held one goes out when the interval ends (so watchers always end at the newest version). A
 * change of the workflow's phase goes out at once and replaces what was held. Messages leave in
 * version order, on one connection.
 */
export interface WorkflowSummary {
  namespace: string;
  name: string;
  phase: string;
  version: number;
}

interface Entry {
  at: number;
  phase: string;
  held?: string;
  timer?: NodeJS.Timeout;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Error']);

export class UpdatePublisher {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Publish one message; never rejects. */
    private readonly send: (message: string) => Promise<void>,
    private readonly intervalMs = 50,
    private readonly capacity = 10_000,
  ) {}

  publish(workflowId: string, summary: WorkflowSummary): Promise<void> {
    const message = JSON.stringify({ workflowId, ...summary });
    const now = Date.now();
    const entry = this.entries.get(workflowId);
    if (entry && entry.phase === summary.phase && now - entry.at < this.intervalMs) {
      entry.held = message;
      entry.timer ??= setTimeout(() => this.release(entry), this.intervalMs - (now - entry.at));
      return Promise.resolve();
    }
    if (entry?.timer) clearTimeout(entry.timer);
    this.entries.delete(workflowId);
    if (!FINISHED.has(summary.phase)) {
      this.entries.set(workflowId, { at: now, phase: summary.phase });
      if (this.entries.size > this.capacity) this.evictOldest();
    }
    return this.send(message);
  }

  /** Send everything held now (graceful stop). */
  async flush(): Promise<void> {
    const held: Promise<void>[] = [];
    for (const [id, entry] of this.entries) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = undefined;
      if (entry.held) held.push(this.send(entry.held));
      entry.held = undefined;
      this.entries.delete(id);
    }
    await Promise.all(held);
  }

  private release(entry: Entry): void {
    entry.timer = undefined;
    const message = entry.held;
    entry.held = undefined;
    entry.at = Date.now();
    if (message !== undefined) void this.send(message);
  }

  private evictOldest(): void {
    for (const [id, entry] of this.entries) {
      if (entry.timer) continue; // it still has a message to send
      this.entries.delete(id);
      return;
    }
  }
}
