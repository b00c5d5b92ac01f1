/**
 * For the server verbs' tests: a local HTTP server speaking the API's wire format (it records
 * every request and answers from routes the test sets), and a runner that captures a verb's output.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Io } from '../io.js';
import { runServerVerb, type ServerEnv } from './index.js';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body: unknown;
  authorization?: string;
}

export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: Handler;
}

export class FakeApi {
  readonly requests: Recorded[] = [];
  private routes: Route[] = [];
  private server?: Server;

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  /** Answer `method path` (later routes win); a non-function answer is sent as JSON 200. */
  on(method: string, path: string | RegExp, answer: Handler | object): this {
    const handler: Handler = typeof answer === 'function' ? (answer as Handler) : (_req, res) => json(res, 200, answer);
    this.routes.unshift({ method, path, handler });
    return this;
  }

  reset(): void {
    this.routes = [];
    this.requests.length = 0;
  }

  /** Every request so far, as `METHOD path?query` (query decoded). */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}${queryText(r.query)}`);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const recorded: Recorded = { method: req.method ?? '', path: url.pathname, query, body, authorization: req.headers.authorization };
    this.requests.push(recorded);
    const route = this.routes.find((r) => r.method === recorded.method && (typeof r.path === 'string' ? r.path === recorded.path : r.path.test(recorded.path)));
    if (!route) return json(res, 404, { code: 5, message: `no route for ${recorded.method} ${recorded.path}` });
    await route.handler(recorded, res);
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** An error the way the API sends it. */
export const apiError = (status: number, code: number, message: string): Handler => (_req, res) => json(res, status, { code, message });

/** A newline-delimited JSON stream of `{"result": …}` lines, `gapMs` apart; it ends after the last. */
export function ndjson(results: unknown[], gapMs = 0): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (const r of results) {
      res.write(`${JSON.stringify({ result: r })}\n`);
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    res.end();
  };
}

function queryText(query: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  const s = params.toString();
  return s ? `?${decodeURIComponent(s.replace(/\+/g, ' '))}` : '';
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** What went to the progress stream (the live tree / plain lines). */
  progress: string;
}

/** 2024-05-01T12:00:00Z: tests pin the clock (and TZ=UTC) so ages and timestamps are exact. */
export const NOW = Date.parse('2024-05-01T12:00:00Z');

/** Run `slipway ARGS…` against `server` with SLIPWAY_TOKEN=secret unless env says otherwise. */
export async function slipway(args: string[], server: string, env: ServerEnv = { SLIPWAY_TOKEN: 'secret' }): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let progress = '';
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => (progress += c.toString('utf8')));
  const io: Io = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stderrStream: stream as unknown as NodeJS.WriteStream,
  };
  const [verb, ...rest] = args;
  const code = await runServerVerb(verb, rest, io, { env: { SLIPWAY_SERVER: server, ...env }, now: () => NOW, pollMs: 10 });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout, stderr, progress };
}
