/**
 * Writing a stream of results like Argo Server: newline-delimited `{"result": …}` JSON, or
 * Server-Sent Events (`data: {"result": …}`) when the client accepts text/event-stream.
 */
import type { Request, Response } from 'express';

export type StreamFormat = 'ndjson' | 'sse';

export function streamFormat(req: Request): StreamFormat {
  return String(req.headers.accept ?? '').includes('text/event-stream') ? 'sse' : 'ndjson';
}

/** Aborted when the client goes away (or the response ends). */
export function clientGone(res: Response): AbortSignal {
  const ctl = new AbortController();
  res.on('close', () => ctl.abort());
  return ctl.signal;
}

/** Write every batch from `source`, then end the response. */
export async function writeStream(res: Response, format: StreamFormat, source: AsyncIterable<unknown[]>, signal: AbortSignal): Promise<void> {
  res.status(200);
  if (format === 'sse') {
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');
  } else {
    res.setHeader('Content-Type', 'application/x-ndjson');
  }
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  try {
    for await (const batch of source) {
      if (signal.aborted) break;
      let text = '';
      for (const result of batch) {
        const line = JSON.stringify({ result });
        text += format === 'sse' ? `data: ${line}\n\n` : `${line}\n`;
      }
      if (text !== '' && !res.write(text)) await drained(res, signal);
    }
  } finally {
    if (!res.writableEnded) res.end();
  }
}

function drained(res: Response, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done);
  });
}

/** Sleep that ends early when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
