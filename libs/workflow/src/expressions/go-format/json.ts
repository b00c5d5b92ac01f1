/**
 * Go `encoding/json` Marshal / MarshalIndent output, byte for byte: map keys sorted, `<`, `>`, `&`,
 * U+2028 and U+2029 escaped, control characters as `\u00XX`, times as RFC 3339, durations as
 * integer nanoseconds. JS and Go agree on number formatting (exponent below 1e-6 and from 1e21).
 */
import { GoDuration } from './duration.js';
import { formatGoTime } from './time.js';

export class GoJsonError extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Go's JSON string quoting (HTML-safe, as json.Marshal does by default). */
export function goJsonQuote(s: string): string {
   
  const escaped = s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => {
    const simple = SIMPLE_ESCAPES[c];
    if (simple) return simple;
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** `json.Marshal(value)`; with `indent`, `json.MarshalIndent(value, "", indent)`. */
export function goJsonMarshal(value: unknown, indent?: string): string {
  return marshal(value, indent, '', new Set());
}

function marshal(value: unknown, indent: string | undefined, prefix: string, seen: Set<object>): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GoJsonError(`json: unsupported value: ${value}`);
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return goJsonQuote(value);
  if (typeof value !== 'object') throw new GoJsonError(`json: unsupported type: ${typeof value}`);
  if (value instanceof Date) return goJsonQuote(formatGoTime(value, '2006-01-02T15:04:05.999999999Z07:00'));
  if (value instanceof GoDuration) return String(value.nanoseconds);
  const obj = value;
  if (seen.has(obj)) throw new GoJsonError('json: unsupported value: encountered a cycle');
  seen.add(obj);
  try {
    const inner = indent === undefined ? '' : prefix + indent;
    const open = indent === undefined ? '' : `\n${inner}`;
    const close = indent === undefined ? '' : `\n${prefix}`;
    const sep = indent === undefined ? ',' : `,\n${inner}`;
    const colon = indent === undefined ? ':' : ': ';
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      return `[${open}${value.map((v) => marshal(v, indent, inner, seen)).join(sep)}${close}]`;
    }
    const entries: [string, unknown][] =
      value instanceof Map ? [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v]) : Object.entries(obj);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (entries.length === 0) return '{}';
    const body = entries.map(([k, v]) => `${goJsonQuote(k)}${colon}${marshal(v, indent, inner, seen)}`).join(sep);
    return `{${open}${body}${close}}`;
  } finally {
    seen.delete(obj);
  }
}
