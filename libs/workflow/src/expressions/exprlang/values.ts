/**
 * Runtime values of the expr-lang evaluator and the rules expr's VM applies to them
 * (vm/runtime: Equal, Less, Fetch…). Values: null (nil), boolean, number (a safe integer is an
 * `int`, anything else a `float`), string, arrays, plain objects (maps), Date (time.Time),
 * GoDuration (time.Duration) and functions.
 */
import { GoDuration } from '../go-format/duration.js';
import { formatGoTime } from '../go-format/time.js';
import { goTypeName, isPlainObject } from '../go-format/value.js';

export { goTypeName, isPlainObject };

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v);
}

/** expr's `type(v)`. */
export function exprTypeName(v: unknown): string {
  if (isNil(v)) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'time.Time';
  if (v instanceof GoDuration) return 'time.Duration';
  if (typeof v === 'function') return 'func';
  if (isMap(v)) return 'map';
  return 'unknown';
}

/** runtime.Equal: numbers across int/float, element-wise arrays, deep maps, nil == nil. */
export function equal(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof GoDuration && b instanceof GoDuration) return a.nanoseconds === b.nanoseconds;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return a === b;
}

/** runtime.Less and friends: numbers, strings, times, durations; anything else is an error. */
export function compare(a: unknown, b: unknown, op: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a instanceof GoDuration && b instanceof GoDuration) return Math.sign(a.nanoseconds - b.nanoseconds);
  throw new Error(`invalid operation: ${goTypeName(a)} ${op} ${goTypeName(b)}`);
}

/** runtime.ToInt for indexes and counts. */
export function toIndex(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  throw new Error(`invalid operation: int(${goTypeName(v)})`);
}

/** Go's zero time, 0001-01-01T00:00:00Z. */
const GO_ZERO_TIME = new Date(0).setUTCFullYear(1, 0, 1);

/** The Go methods callable on a time or duration value (`t.Year()`, `d.Seconds()`), else undefined. */
export function goMethod(target: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (target instanceof GoDuration) {
    const methods: Record<string, () => unknown> = {
      Hours: () => target.Hours(), Minutes: () => target.Minutes(), Seconds: () => target.Seconds(),
      Milliseconds: () => target.Milliseconds(), Microseconds: () => target.Microseconds(),
      Nanoseconds: () => target.Nanoseconds(), String: () => target.String(), Abs: () => target.Abs(),
    };
    return Object.hasOwn(methods, name) ? methods[name] : undefined;
  }
  if (target instanceof Date) {
    const t = target;
    const yday = (): number => Math.floor((Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    const asDate = (v: unknown): Date => {
      if (v instanceof Date) return v;
      throw new Error(`cannot use ${goTypeName(v)} as time.Time`);
    };
    const methods: Record<string, (...args: unknown[]) => unknown> = {
      Year: () => t.getUTCFullYear(), Month: () => t.getUTCMonth() + 1, Day: () => t.getUTCDate(),
      Hour: () => t.getUTCHours(), Minute: () => t.getUTCMinutes(), Second: () => t.getUTCSeconds(),
      Nanosecond: () => t.getUTCMilliseconds() * 1e6, Weekday: () => t.getUTCDay(), YearDay: yday,
      Unix: () => Math.floor(t.getTime() / 1000), UnixMilli: () => t.getTime(),
      UTC: () => t, Local: () => t, IsZero: () => t.getTime() === GO_ZERO_TIME,
      Format: (layout) => formatGoTime(t, String(layout)),
      String: () => formatGoTime(t, '2006-01-02 15:04:05.999999999 -0700 MST'),
      Before: (u) => t.getTime() < asDate(u).getTime(), After: (u) => t.getTime() > asDate(u).getTime(),
      Equal: (u) => t.getTime() === asDate(u).getTime(),
      Sub: (u) => new GoDuration((t.getTime() - asDate(u).getTime()) * 1e6),
      Add: (d) => {
        if (!(d instanceof GoDuration)) throw new Error(`cannot use ${goTypeName(d)} as time.Duration`);
        return new Date(t.getTime() + d.nanoseconds / 1e6);
      },
    };
    return Object.hasOwn(methods, name) ? methods[name] : undefined;
  }
  return undefined;
}
