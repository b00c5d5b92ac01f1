/**
 * Go `time.ParseDuration` (as Argo uses for `timeout`, `suspend.duration`, backoff) plus Argo's
 * allowance of a bare number meaning seconds.
 */
export class DurationError extends Error {}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parse a duration to milliseconds. Accepts `90`, `"90"` (seconds), `1m30s`, `1.5h`, `-2s`. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new DurationError(`invalid duration ${String(input)}`);
    return input * 1000;
  }
  const text = input.trim();
  if (text === '') throw new DurationError('invalid duration ""');
  if (/^[-+]?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let rest = text;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  if (rest === '') throw new DurationError(`invalid duration "${text}"`);
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m) throw new DurationError(`invalid duration "${text}"`);
    total += Number(m[1]) * UNIT_MS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** True when `parseDuration` would accept it. */
export function isValidDuration(input: string | number): boolean {
  try {
    parseDuration(input);
    return true;
  } catch {
    return false;
  }
}

/** Go's `time.Duration.String()` style, e.g. `1m30s`, `250ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? '-' : ''}${trimNumber(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${trimNumber(s)}s`;
  return (neg ? '-' : '') + out;
}

function trimNumber(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
