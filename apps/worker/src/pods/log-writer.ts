/** Batches step log lines into PostgreSQL (every 200 ms or 500 lines), so logs outlive the step. */
import type { LogChunks } from '@slipway/persistence';

interface Pending {
  workflowId: string;
  podName: string;
  container: string;
  content: string;
}

export class LogWriter {
  private buffer: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly chunks: LogChunks,
    private readonly onError: (err: Error) => void,
  ) {}

  write(line: Pending): void {
    this.buffer.push(line);
    if (this.buffer.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.chunks.append(batch.map((l) => ({ ...l, content: `${l.content}\n` })))).catch((err: Error) => this.onError(err));
    return this.flushing;
  }
}
