/** Follows the logs of a pod's containers (one stream each) into the sink, keeping the main container's output. */
import { Writable } from 'node:stream';
import type { Log } from '@kubernetes/client-node';
import type { PodRequest } from '@slipway/engine';
import type { ExecutionSink } from '../port.js';

type LogLine = Parameters<NonNullable<ExecutionSink['log']>>[0];

const RESULT_LIMIT = 256 * 1024;

export class LogFollower {
  private readonly streams = new Map<string, Promise<void>>();
  private readonly aborts: AbortController[] = [];
  private mainOut = '';
  private aborted = false;

  constructor(
    private readonly api: Log,
    private readonly req: PodRequest,
    private readonly emit: (line: LogLine) => void,
    private readonly warn: (message: string) => void,
  ) {}

  /** Start following a container (once). */
  follow(container: string): void {
    if (this.streams.has(container) || this.aborted) return;
    this.streams.set(container, this.run(container));
  }

  /** The main container's output, last 256 KiB, one trailing newline trimmed. */
  stdout(): string {
    return this.mainOut.replace(/\n$/, '');
  }

  /** Wait until every followed stream (of the containers `only` accepts) ended, or the timeout passed. */
  async settle(timeoutMs: number, only: (container: string) => boolean = () => true): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.streams].filter(([container]) => only(container)).map(([, ended]) => ended)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  abort(): void {
    this.aborted = true;
    for (const a of this.aborts.splice(0)) a.abort();
  }

  private async run(container: string): Promise<void> {
    const isMain = container === (this.req.containers[0]?.name ?? 'main');
    let partial = '';
    const emitLine = (text: string) =>
      this.emit({ nodeId: this.req.nodeId, podName: this.req.podName, container, stream: 'stdout', text, at: Date.now() });
    const decoder = new TextDecoder();
    let finished!: () => void;
    const ended = new Promise<void>((resolve) => (finished = resolve));
    const sink = new Writable({
      write: (chunk: Buffer, _enc, callback) => {
        const text = decoder.decode(chunk, { stream: true });
        if (isMain) {
          this.mainOut += text;
          if (this.mainOut.length > RESULT_LIMIT) this.mainOut = this.mainOut.slice(-RESULT_LIMIT);
        }
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) emitLine(line);
        callback();
      },
      final: (callback) => {
        if (partial !== '') emitLine(partial);
        partial = '';
        callback();
      },
    });
    // The client pipes the response body into `sink` without an error listener: an aborted or
    // broken stream must end this follower, not crash the process.
    sink.on('pipe', (source: NodeJS.ReadableStream) => source.on('error', () => sink.end()));
    sink.on('finish', finished);
    sink.on('close', finished);
    sink.on('error', finished);
    try {
      const abort = await this.api.log(this.req.workflow.namespace, this.req.podName, container, sink, { follow: true });
      if (this.aborted) abort.abort();
      else this.aborts.push(abort);
      await ended;
    } catch (error) {
      this.warn(`logs of ${this.req.podName}/${container}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
