/**
 * A Go `time.Duration` value (nanoseconds) for expr-lang date arithmetic: `now() - t` yields one,
 * `duration("1h")` makes one, and `.Seconds()` etc. read it.
 */
export class GoDuration {
  constructor(public readonly nanoseconds: number) {}

  static readonly UNITS: Readonly<Record<string, number>> = {
    ns: 1,
    us: 1e3,
    'µs': 1e3,
    'μs': 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };

  /** Go `time.ParseDuration` (no bare numbers except `0`). Returns undefined when invalid. */
  static parse(text: string): GoDuration | undefined {
    let rest = text;
    let negative = false;
    if (rest.startsWith('-') || rest.startsWith('+')) {
      negative = rest.startsWith('-');
      rest = rest.slice(1);
    }
    if (rest === '0') return new GoDuration(0);
    if (rest === '') return undefined;
    let total = 0;
    const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
    while (rest.length > 0) {
      const m = part.exec(rest);
      if (!m) return undefined;
      total += Number(m[1]) * GoDuration.UNITS[m[2]];
      rest = rest.slice(m[0].length);
    }
    return new GoDuration(Math.round(negative ? -total : total));
  }

  Hours(): number {
    return this.nanoseconds / 3600e9;
  }
  Minutes(): number {
    return this.nanoseconds / 60e9;
  }
  Seconds(): number {
    return this.nanoseconds / 1e9;
  }
  Milliseconds(): number {
    return Math.trunc(this.nanoseconds / 1e6);
  }
  Microseconds(): number {
    return Math.trunc(this.nanoseconds / 1e3);
  }
  Nanoseconds(): number {
    return this.nanoseconds;
  }
  Abs(): GoDuration {
    return new GoDuration(Math.abs(this.nanoseconds));
  }

  /** Go's `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`. */
  String(): string {
    const ns = this.nanoseconds;
    if (ns === 0) return '0s';
    const neg = ns < 0 ? '-' : '';
    const abs = Math.abs(ns);
    const trim = (n: number, digits: number): string => {
      const s = n.toFixed(digits);
      return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
    };
    if (abs < 1e3) return `${neg}${abs}ns`;
    if (abs < 1e6) return `${neg}${trim(abs / 1e3, 3)}µs`;
    if (abs < 1e9) return `${neg}${trim(abs / 1e6, 6)}ms`;
    const hours = Math.floor(abs / 3600e9);
    const minutes = Math.floor((abs % 3600e9) / 60e9);
    const seconds = trim((abs % 60e9) / 1e9, 9);
    if (hours > 0) return `${neg}${hours}h${minutes}m${seconds}s`;
    if (minutes > 0) return `${neg}${minutes}m${seconds}s`;
    return `${neg}${seconds}s`;
  }

  toString(): string {
    return this.String();
  }
}
