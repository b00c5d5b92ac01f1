/** Step logs in PostgreSQL, in chunks, so they outlive the step and the process that ran it. */
import type { PrismaClient } from '../generated/prisma/client.js';

export interface LogLine {
  podName: string;
  container: string;
  content: string;
  id: bigint;
  createdAt: Date;
}

export class LogChunks {
  constructor(private readonly db: PrismaClient) {}

  async append(rows: { workflowId: string; podName: string; container: string; content: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.logChunk.createMany({ data: rows });
  }

  /** Chunks after `afterId`, oldest first, optionally for one pod and container. */
  async read(workflowId: string, opts: { podName?: string; container?: string; afterId?: bigint; limit?: number } = {}): Promise<LogLine[]> {
    return this.db.logChunk.findMany({
      where: {
        workflowId,
        ...(opts.podName ? { podName: opts.podName } : {}),
        ...(opts.container ? { container: opts.container } : {}),
        ...(opts.afterId !== undefined ? { id: { gt: opts.afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: opts.limit ?? 5000,
      select: { id: true, podName: true, container: true, content: true, createdAt: true },
    });
  }
}
