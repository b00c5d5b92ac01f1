/**
 * Workflow logs from PostgreSQL (`log_chunks`), one entry per line like Argo's
 * `{"content", "podName"}`; with follow, polled every 200 ms until the workflow has finished and
 * its last lines are out.
 */
import { Injectable } from '@nestjs/common';
import { LogChunks, WorkflowRepository, WorkflowWrites } from '@slipway/persistence';
import { invalid, notFound } from '../common/api-error.js';
import { pause } from '../common/stream.js';

export interface LogQuery {
  podName?: string;
  container: string;
  follow: boolean;
  grep?: string;
}

export interface LogEntry {
  content: string;
  podName: string;
}

export const POLL_MS = 200;
const PAGE = 2000;
const FINISHED = new Set(['Succeeded', 'Failed', 'Error']);

@Injectable()
export class LogsService {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly writes: WorkflowWrites,
    private readonly chunks: LogChunks,
  ) {}

  /** Resolve the workflow (404 before anything is streamed), then stream its log lines. */
  async open(namespace: string, name: string, q: LogQuery): Promise<(signal: AbortSignal) => AsyncGenerator<LogEntry[]>> {
    const pattern = compileGrep(q.grep);
    const id = await this.workflows.idOf(namespace, name);
    if (!id) throw notFound(`workflows.argoproj.io "${name}" not found`);
    return (signal) => this.lines(id, q, pattern, signal);
  }

  private async *lines(workflowId: string, q: LogQuery, pattern: RegExp | undefined, signal: AbortSignal): AsyncGenerator<LogEntry[]> {
    let after: bigint | undefined;
    while (!signal.aborted) {
      // Read the phase before draining: lines written before the workflow finished are then read in this pass.
      const phase = q.follow ? await this.writes.phase(workflowId) : undefined;
      for (;;) {
        const rows = await this.chunks.read(workflowId, { podName: q.podName, container: q.container, afterId: after, limit: PAGE });
        if (rows.length === 0) break;
        after = rows[rows.length - 1].id;
        const batch: LogEntry[] = [];
        for (const row of rows) {
          for (const line of splitLines(row.content)) if (!pattern || pattern.test(line)) batch.push({ content: line, podName: row.podName });
        }
        if (batch.length > 0) yield batch;
        if (rows.length < PAGE || signal.aborted) break;
      }
      if (!q.follow || phase === undefined || FINISHED.has(phase)) return;
      await pause(POLL_MS, signal);
    }
  }
}

function splitLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Argo's `grep` is a regular expression. */
function compileGrep(grep: string | undefined): RegExp | undefined {
  if (!grep) return undefined;
  try {
    return new RegExp(grep);
  } catch (err) {
    throw invalid(`grep: not a valid regular expression: ${(err as Error).message}`);
  }
}
