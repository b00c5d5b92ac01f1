/** The last lines of a pod's log, read backwards from `log_chunks` (for alert e-mails). */
import type { PrismaClient } from '../generated/prisma/client.js';

export class LogTails {
  constructor(private readonly db: PrismaClient) {}

  /** Up to `lines` last lines of the pod's log (all containers, or one), oldest first. */
  async tail(workflowId: string, podName: string, opts: { container?: string; lines?: number } = {}): Promise<string[]> {
    const lines = Math.max(opts.lines ?? 30, 1);
    // A chunk holds at least one line, so the last `lines` chunks hold the last `lines` lines.
    const chunks = await this.db.logChunk.findMany({
      where: { workflowId, podName, ...(opts.container !== undefined ? { container: opts.container } : {}) },
      orderBy: { id: 'desc' },
      take: lines,
      select: { content: true },
    });
    const text = chunks.reverse().map((c) => c.content).join('');
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    return all.slice(-lines);
  }
}
