/**
 * The `sprig` object of Argo's expression environment: sprig's GenericFuncMap minus what is
 * impure (env, expandenv, now, ago, rand*, uuidv4, crypto keys) or out of scope (semver, urls,
 * base32). Integer helpers follow spf13/cast: `add` turns `"3"`, `3.9` and `true` into 3, 3, 1.
 */
import { GoDuration } from '../go-format/duration.js';
import { goJsonMarshal } from '../go-format/json.js';
import { formatGoTime, parseGoTime } from '../go-format/time.js';
import { formatGoValue } from '../go-format/value.js';
import { goParseFloat } from './builtins.js';
import { int, SPRIG_STRINGS, str, strval, type SprigFunction } from './sprig-strings.js';
import { equal, exprTypeName, goTypeName, isMap, isNil } from './values.js';

/** cast.ToInt64: numbers truncate, numeric strings parse (base prefixes, "5.0"), else 0. */
export function castInt(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return 0;
  const s = v.replace(/\.0*$/, '');
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[1-9][0-9_]*|0)$/.exec(s);
  if (!m) return 0;
  const body = m[2].replace(/_/g, '');
  const lower = body.toLowerCase();
  let n: number;
  if (lower.startsWith('0x')) n = parseInt(lower.slice(2), 16);
  else if (lower.startsWith('0b')) n = parseInt(lower.slice(2), 2);
  else if (lower.startsWith('0o')) n = parseInt(lower.slice(2), 8);
  else if (lower.length > 1 && lower.startsWith('0')) n = parseInt(lower.slice(1), 8);
  else n = parseInt(lower, 10);
  return m[1] === '-' ? -n : n;
}

/** cast.ToFloat64. */
export function castFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return goParseFloat(v) ?? 0;
  return 0;
}

/** sprig's `empty`: zero values (0, "", false, empty list/map, nil) are empty. */
export function sprigEmpty(v: unknown): boolean {
  if (isNil(v)) return true;
  if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'boolean') return !v;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

function list(fn: string, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`sprig.${fn}: cannot use ${goTypeName(v)} as a list`);
}

function dictArg(fn: string, v: unknown): Record<string, unknown> {
  if (isMap(v)) return v;
  throw new Error(`sprig.${fn}: cannot use ${goTypeName(v)} as a dict`);
}

function setKey(d: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(d, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

/**
 * The time sprig's date functions operate on: a Date, Unix seconds, or (our addition: Go would
 * silently use the current time) a timestamp string such as Argo's `workflow.creationTimestamp`.
 */
function toTime(fn: string, v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(Math.trunc(v) * 1000);
  if (typeof v === 'string') {
    const parsed = parseGoTime(v, '2006-01-02T15:04:05Z07:00') ?? parseGoTime(v, '2006-01-02 15:04:05.999999999 -0700 MST');
    if (parsed) return parsed;
  }
  throw new Error(`sprig.${fn}: cannot use ${goTypeName(v)} ${formatGoValue(v)} as a time`);
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setKey(out, k, deepCopy(x));
    return out;
  }
  return v;
}

function merge(dst: Record<string, unknown>, src: Record<string, unknown>, overwrite: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const existing = Object.hasOwn(dst, k) ? dst[k] : undefined;
    if (isMap(existing) && isMap(v)) merge(existing, v, overwrite);
    else if (overwrite ? !sprigEmpty(v) || !Object.hasOwn(dst, k) : sprigEmpty(existing)) setKey(dst, k, deepCopy(v));
  }
}

const numberFns: Record<string, SprigFunction> = {
  atoi: (s) => (typeof s === 'string' && /^[+-]?\d+$/.test(s) ? Number(s) : 0),
  int: castInt,
  int64: castInt,
  float64: castFloat,
  toDecimal: (v) => {
    const s = formatGoValue(v);
    return /^[+-]?[0-7]+$/.test(s) ? parseInt(s, 8) : 0;
  },
  add: (...xs) => xs.reduce<number>((a, b) => a + castInt(b), 0),
  add1: (x) => castInt(x) + 1,
  sub: (a, b) => castInt(a) - castInt(b),
  mul: (a, ...xs) => xs.reduce<number>((acc, b) => acc * castInt(b), castInt(a)),
  div: (a, b) => {
    const d = castInt(b);
    if (d === 0) throw new Error('sprig.div: integer divide by zero');
    return Math.trunc(castInt(a) / d);
  },
  mod: (a, b) => {
    const d = castInt(b);
    if (d === 0) throw new Error('sprig.mod: integer divide by zero');
    return castInt(a) % d;
  },
  max: (a, ...xs) => xs.reduce<number>((m, b) => Math.max(m, castInt(b)), castInt(a)),
  biggest: (a, ...xs) => xs.reduce<number>((m, b) => Math.max(m, castInt(b)), castInt(a)),
  min: (a, ...xs) => xs.reduce<number>((m, b) => Math.min(m, castInt(b)), castInt(a)),
  maxf: (a, ...xs) => xs.reduce<number>((m, b) => Math.max(m, castFloat(b)), castFloat(a)),
  minf: (a, ...xs) => xs.reduce<number>((m, b) => Math.min(m, castFloat(b)), castFloat(a)),
  addf: (...xs) => xs.reduce<number>((a, b) => a + castFloat(b), 0),
  add1f: (x) => castFloat(x) + 1,
  subf: (a, ...xs) => xs.reduce<number>((acc, b) => acc - castFloat(b), castFloat(a)),
  mulf: (a, ...xs) => xs.reduce<number>((acc, b) => acc * castFloat(b), castFloat(a)),
  divf: (a, ...xs) => xs.reduce<number>((acc, b) => acc / castFloat(b), castFloat(a)),
  ceil: (a) => Math.ceil(castFloat(a)),
  floor: (a) => Math.floor(castFloat(a)),
  round: (a, places, roundOn) => {
    const pow = Math.pow(10, castFloat(places));
    const digit = pow * castFloat(a);
    const frac = digit - Math.trunc(digit);
    return (frac >= (roundOn === undefined ? 0.5 : castFloat(roundOn)) ? Math.ceil(digit) : Math.floor(digit)) / pow;
  },
  until: (count) => {
    const n = int('until', count);
    return untilStep(0, n, n < 0 ? -1 : 1);
  },
  untilStep: (start, stop, step) => untilStep(int('untilStep', start), int('untilStep', stop), int('untilStep', step)),
  seq: (...params) => {
    const p = params.map((x) => int('seq', x));
    let values: number[] = [];
    if (p.length === 1) values = untilStep(1, p[0] + (p[0] < 1 ? -1 : 1), p[0] < 1 ? -1 : 1);
    else if (p.length === 2) {
      const step = p[1] < p[0] ? -1 : 1;
      values = untilStep(p[0], p[1] + step, step);
    } else if (p.length === 3) {
      const inc = p[2] < p[0] ? -1 : 1;
      if (!(p[2] < p[0] && p[1] > 0)) values = untilStep(p[0], p[2] + inc, p[1]);
    }
    return values.join(' ');
  },
};

const defaultFns: Record<string, SprigFunction> = {
  default: (d, ...given) => (given.length === 0 || sprigEmpty(given[0]) ? d : given[0]),
  empty: (v) => sprigEmpty(v),
  coalesce: (...xs) => xs.find((x) => !sprigEmpty(x)) ?? null,
  all: (...xs) => xs.every((x) => !sprigEmpty(x)),
  any: (...xs) => xs.some((x) => !sprigEmpty(x)),
  compact: (l) => list('compact', l).filter((x) => !sprigEmpty(x)),
  ternary: (vt, vf, cond) => (cond === true ? vt : vf),
  fromJson: (s) => {
    try {
      return JSON.parse(str('fromJson', s)) as unknown;
    } catch {
      return null;
    }
  },
  mustFromJson: (s) => JSON.parse(str('mustFromJson', s)) as unknown,
  toJson: (v) => goJsonMarshal(v),
  mustToJson: (v) => goJsonMarshal(v),
  toPrettyJson: (v) => goJsonMarshal(v, '  '),
  toRawJson: (v) => goJsonMarshal(v).replace(/\\u00(3c|3e|26)/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
  deepCopy,
  typeOf: (v) => goTypeName(v),
  kindOf: (v) => {
    const t = exprTypeName(v);
    return t === 'array' ? 'slice' : t === 'float' ? 'float64' : t === 'nil' ? 'invalid' : t;
  },
  kindIs: (kind, v) => defaultFns.kindOf(v) === kind,
  typeIs: (type, v) => goTypeName(v) === type,
  deepEqual: (a, b) => equal(a, b),
  fail: (msg) => {
    throw new Error(str('fail', msg));
  },
};

const listFns: Record<string, SprigFunction> = {
  list: (...xs) => xs,
  tuple: (...xs) => xs,
  first: (l) => (list('first', l).length ? list('first', l)[0] : null),
  last: (l) => (list('last', l).length ? list('last', l)[list('last', l).length - 1] : null),
  rest: (l) => list('rest', l).slice(1),
  initial: (l) => list('initial', l).slice(0, -1),
  append: (l, v) => [...list('append', l), v],
  push: (l, v) => [...list('push', l), v],
  prepend: (l, v) => [v, ...list('prepend', l)],
  concat: (...ls) => ls.flatMap((l) => list('concat', l)),
  reverse: (l) => [...list('reverse', l)].reverse(),
  uniq: (l) => list('uniq', l).filter((x, i, arr) => arr.findIndex((y) => equal(x, y)) === i),
  without: (l, ...omit) => list('without', l).filter((x) => !omit.some((o) => equal(o, x))),
  has: (needle, l) => (isNil(l) ? false : list('has', l).some((x) => equal(x, needle))),
  slice: (l, ...idx) => {
    const items = list('slice', l);
    const a = idx.length > 0 ? int('slice', idx[0]) : 0;
    const b = idx.length > 1 ? int('slice', idx[1]) : items.length;
    return items.slice(a, b);
  },
  chunk: (size, l) => {
    const n = int('chunk', size);
    const items = list('chunk', l);
    const out: unknown[][] = [];
    for (let i = 0; n > 0 && i < items.length; i += n) out.push(items.slice(i, i + n));
    return out;
  },
};

const dictFns: Record<string, SprigFunction> = {
  dict: (...kv) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < kv.length; i += 2) setKey(out, strval(kv[i]), i + 1 < kv.length ? kv[i + 1] : '');
    return out;
  },
  get: (d, k) => {
    const m = dictArg('get', d);
    const key = str('get', k);
    return Object.hasOwn(m, key) ? m[key] : '';
  },
  set: (d, k, v) => (setKey(dictArg('set', d), str('set', k), v), d),
  unset: (d, k) => (delete dictArg('unset', d)[str('unset', k)], d),
  hasKey: (d, k) => Object.hasOwn(dictArg('hasKey', d), str('hasKey', k)),
  pluck: (k, ...ds) => ds.map((d) => dictArg('pluck', d)).filter((d) => Object.hasOwn(d, str('pluck', k))).map((d) => d[str('pluck', k)]),
  keys: (...ds) => ds.flatMap((d) => Object.keys(dictArg('keys', d))),
  values: (d) => Object.values(dictArg('values', d)),
  pick: (d, ...ks) => Object.fromEntries(Object.entries(dictArg('pick', d)).filter(([k]) => ks.includes(k))),
  omit: (d, ...ks) => Object.fromEntries(Object.entries(dictArg('omit', d)).filter(([k]) => !ks.includes(k))),
  merge: (dst, ...srcs) => {
    const d = dictArg('merge', dst);
    for (const s of srcs) merge(d, dictArg('merge', s), false);
    return d;
  },
  mergeOverwrite: (dst, ...srcs) => {
    const d = dictArg('mergeOverwrite', dst);
    for (const s of srcs) merge(d, dictArg('mergeOverwrite', s), true);
    return d;
  },
  dig: (...args) => {
    const d = args[args.length - 1];
    const fallback = args[args.length - 2];
    let cur: unknown = d;
    for (const k of args.slice(0, -2)) {
      if (!isMap(cur) || !Object.hasOwn(cur, str('dig', k))) return fallback;
      cur = cur[str('dig', k)];
    }
    return cur;
  },
};

const dateFns: Record<string, SprigFunction> = {
  date: (fmt, t) => formatGoTime(toTime('date', t), str('date', fmt)),
  dateInZone: (fmt, t, zone) => formatGoTime(toTime('dateInZone', t), str('dateInZone', fmt), zoneOrUtc(zone)),
  date_in_zone: (fmt, t, zone) => formatGoTime(toTime('date_in_zone', t), str('date_in_zone', fmt), zoneOrUtc(zone)),
  htmlDate: (t) => formatGoTime(toTime('htmlDate', t), '2006-01-02'),
  htmlDateInZone: (t, zone) => formatGoTime(toTime('htmlDateInZone', t), '2006-01-02', zoneOrUtc(zone)),
  toDate: (fmt, s) => parseGoTime(str('toDate', s), str('toDate', fmt)) ?? new Date(new Date(0).setUTCFullYear(1, 0, 1)),
  mustToDate: (fmt, s) => {
    const d = parseGoTime(str('mustToDate', s), str('mustToDate', fmt));
    if (!d) throw new Error(`sprig.mustToDate: cannot parse "${str('mustToDate', s)}" as "${str('mustToDate', fmt)}"`);
    return d;
  },
  unixEpoch: (t) => String(Math.floor(toTime('unixEpoch', t).getTime() / 1000)),
  dateModify: (d, t) => {
    const time = toTime('dateModify', t);
    const dur = GoDuration.parse(str('dateModify', d));
    return dur ? new Date(time.getTime() + dur.nanoseconds / 1e6) : time;
  },
  duration: (sec) => new GoDuration(castInt(sec) * 1e9).String(),
};

/** An IANA zone Intl knows, else UTC (sprig falls back to UTC for unknown zones). */
function zoneOrUtc(zone: unknown): string {
  const name = str('dateInZone', zone);
  if (name === 'Local') return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return 'UTC';
  }
}

const pathFns: Record<string, SprigFunction> = {
  base: (p) => {
    const s = str('base', p).replace(/\/+$/, '');
    if (s === '') return str('base', p) === '' ? '.' : '/';
    return s.slice(s.lastIndexOf('/') + 1);
  },
  dir: (p) => {
    const s = str('dir', p);
    const i = s.lastIndexOf('/');
    return i < 0 ? '.' : i === 0 ? '/' : s.slice(0, i).replace(/\/+$/, '') || '/';
  },
  ext: (p) => {
    const s = str('ext', p);
    const m = /\.[^./]*$/.exec(s);
    return m ? m[0] : '';
  },
  isAbs: (p) => str('isAbs', p).startsWith('/'),
};

/** Sprig's functions, as exposed under `sprig.` in Argo expressions. */
export const SPRIG: Readonly<Record<string, SprigFunction>> = Object.freeze({
  hello: () => 'Hello!',
  ...SPRIG_STRINGS,
  ...numberFns,
  ...defaultFns,
  ...listFns,
  ...dictFns,
  ...dateFns,
  ...pathFns,
});
