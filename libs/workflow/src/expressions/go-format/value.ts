/**
 * How Go's `fmt` prints dynamic values with `%v` (`fmt.Sprint`), and the Go type names used in
 * error text such as `%!d(string=abc)`. JS numbers that are safe integers are treated as Go
 * `int`; every other number as `float64`.
 */
import { GoDuration } from './duration.js';
import { formatFloatG } from './float.js';
import { formatGoTime } from './time.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isGoInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Go's type name as printed by `%T`, simplified for the values expressions can hold. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return isGoInt(value) ? 'int' : 'float64';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof Date) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  if (typeof value === 'function') return 'func(...interface {}) interface {}';
  return 'map[string]interface {}';
}

/** Go `time.Time.String()` for a UTC time: `2024-01-02 03:04:05.5 +0000 UTC`. */
export function goTimeString(date: Date): string {
  return formatGoTime(date, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** `fmt.Sprint(value)` / `%v`. */
export function formatGoValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return isGoInt(value) ? String(value) : formatFloatG(value, -1);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  if (typeof value === 'function') return '<func>';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatGoValue).join(' ')}]`;
  if (value instanceof Date) return goTimeString(value);
  if (value instanceof GoDuration) return value.String();
  if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [formatGoValue(k), formatGoValue(v)]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${v}`).join(' ')}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `map[${keys.map((k) => `${k}:${formatGoValue(obj[k])}`).join(' ')}]`;
}
