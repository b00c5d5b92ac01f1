/**
 * Request headers as webhook code sees them: names lower-cased, one string per name (repeated
 * headers joined with ", " as Node does), and a redacted copy for storage and logs.
 */

/** What a Node request (`IncomingHttpHeaders`), a fetch `Headers` or a plain object gives. */
export type HeaderInput = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type HeaderMap = Record<string, string>;

/** Lower-case names, drop empty entries, join repeated values. */
export function normalizeHeaders(input: HeaderInput): HeaderMap {
  const out: HeaderMap = {};
  const entries: Iterable<[string, string | readonly string[] | undefined]> =
    input instanceof Headers ? input.entries() : Object.entries(input);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : value.join(', ');
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${text}` : text;
  }
  return out;
}

/** One header by name (any case), or undefined when absent or blank. */
export function header(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Headers that carry credentials. They are never stored, logged, or shown to binding
 * expressions. (`X-Hub-Signature-256` is an HMAC, not a secret, and is kept for audits.)
 */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['x-gitlab-token', 'authorization', 'proxy-authorization', 'cookie']);

export const REDACTED = '[redacted]';

/** A copy safe to store and log: credential headers replaced by `[redacted]`. */
export function redactHeaders(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) out[name] = SECRET_HEADERS.has(name) ? REDACTED : value;
  return out;
}
