/**
 * A small HTTP client for Slipway's REST API (Argo Server's paths and JSON), on Node's fetch.
 * Every failure becomes a `CliError` with a one-line message and the exit status it maps to:
 * 2 when the server could not be asked (unreachable, bad URL), 1 when it answered with an error.
 */

export const EXIT_SERVER_ERROR = 1;
export const EXIT_USAGE = 2;

/** An error to print as `slipway VERB: message` and exit with `exitCode` — never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}

/** The server answered with an error status (or an error line in a stream). */
export class ApiResponseError extends CliError {
  constructor(
    message: string,
    /** HTTP status; 0 for an error line inside a stream. */
    readonly status: number,
    /** The gRPC-style code number from `{code, message}`, when the server sent one. */
    readonly code?: number,
  ) {
    super(message, EXIT_SERVER_ERROR);
  }
}

export type Query = Record<string, string | number | boolean | string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
}

export interface ClientConfig {
  /** Base URL, e.g. http://127.0.0.1:2746 */
  server: string;
  /** API token; sent as `Authorization: Bearer …` (a value that already starts with `Bearer ` is sent as is). */
  token?: string;
  /** Per-request timeout for non-streaming calls (default 60 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class ApiClient {
  readonly server: string;
  private readonly token?: string;
  private readonly timeoutMs: number;

  constructor(config: ClientConfig) {
    this.server = normaliseServer(config.server);
    this.token = config.token?.trim() || undefined;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** One JSON request; resolves to the parsed body (undefined for an empty one). */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options, AbortSignal.timeout(this.timeoutMs));
    const text = await res.text();
    if (!res.ok) throw this.errorFor(res.status, res.statusText, text);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiResponseError(`${res.status}: the server answered with something that is not JSON: ${snippet(text)}`, res.status);
    }
  }

  /**
   * A newline-delimited JSON stream (grpc-gateway style: one `{"result": …}` or `{"error": …}`
   * per line). Yields each `result`; an `error` line throws. Ends when the server closes it.
   */
  async *stream<T>(path: string, query: Query, signal?: AbortSignal): AsyncGenerator<T> {
    const res = await this.send('GET', path, { query }, signal);
    if (!res.ok) throw this.errorFor(res.status, res.statusText, await res.text());
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of res.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield this.streamItem<T>(line);
        }
      }
    } catch (err) {
      if (err instanceof CliError || signal?.aborted) throw err;
      throw new CliError(`lost the connection to Slipway at ${this.server}: ${causeMessage(err)}`, EXIT_USAGE);
    }
    const rest = (buffered + decoder.decode()).trim();
    if (rest) yield this.streamItem<T>(rest);
  }

  private streamItem<T>(line: string): T {
    let parsed: { result?: T; error?: { code?: number; message?: string } };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      throw new ApiResponseError(`the server sent a stream line that is not JSON: ${snippet(line)}`, 0);
    }
    if (parsed.error) throw new ApiResponseError(parsed.error.message ?? 'stream error', 0, parsed.error.code);
    return (parsed.result ?? parsed) as T;
  }

  private async send(method: string, path: string, options: RequestOptions, signal?: AbortSignal): Promise<Response> {
    const url = `${this.server}${path}${queryString(options.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = /^bearer /i.test(this.token) ? this.token : `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    try {
      return await fetch(url, { method, headers, body, signal });
    } catch (err) {
      throw this.connectionError(err, signal);
    }
  }

  private connectionError(err: unknown, signal?: AbortSignal): CliError {
    if (err instanceof Error && (err.name === 'TimeoutError' || (err.name === 'AbortError' && !signal?.aborted))) {
      return new CliError(`Slipway at ${this.server} did not answer within ${Math.round(this.timeoutMs / 1000)}s`, EXIT_USAGE);
    }
    if (err instanceof Error && err.name === 'AbortError') return new CliError('interrupted', EXIT_USAGE);
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return new CliError(`cannot reach Slipway at ${this.server} (is it running? npm start)`, EXIT_USAGE);
    return new CliError(`cannot reach Slipway at ${this.server}: ${causeMessage(err)}`, EXIT_USAGE);
  }

  private errorFor(status: number, statusText: string, text: string): ApiResponseError {
    let message = statusText || 'error';
    let code: number | undefined;
    try {
      const body = JSON.parse(text) as { code?: unknown; message?: unknown; error?: unknown };
      if (typeof body.message === 'string' && body.message) message = body.message;
      else if (typeof body.error === 'string' && body.error) message = body.error;
      if (typeof body.code === 'number') code = body.code;
    } catch {
      if (text.trim()) message = snippet(text);
    }
    let hint = '';
    if (status === 401) {
      hint = this.token
        ? '\nhint: the token in --token / SLIPWAY_TOKEN was not accepted (revoked, or for another server?)'
        : '\nhint: set SLIPWAY_TOKEN (or pass --token) to an API token: the server’s SLIPWAY_ADMIN_TOKEN or one from `slipway token create`';
    } else if (status === 403) {
      hint = '\nhint: the token in --token / SLIPWAY_TOKEN lacks the role or namespace for this; use another SLIPWAY_TOKEN';
    }
    return new ApiResponseError(`${status}: ${message}${hint}`, status, code);
  }
}

/** `http://host:port` without a trailing slash; a bare `host:port` gets `http://`. */
export function normaliseServer(server: string): string {
  let s = server.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `http://${s}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new CliError(`--server / SLIPWAY_SERVER: "${server}" is not a URL (e.g. http://127.0.0.1:2746)`, EXIT_USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--server / SLIPWAY_SERVER: "${server}" must be an http:// or https:// URL`, EXIT_USAGE);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A path segment, percent-encoded. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

function causeMessage(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && cause.message) return cause.message.includes(cause.code) ? cause.message : `${cause.code}: ${cause.message}`;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function snippet(text: string): string {
  const one = text.trim().replace(/\s+/g, ' ');
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}
