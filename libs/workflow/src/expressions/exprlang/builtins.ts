/**
 * expr-lang builtins for strings, numbers, conversions, encodings and dates (builtin/builtin.go).
 * Collection builtins live in collections.ts. Each takes evaluated arguments and throws a plain
 * Error in expr's words; the evaluator adds the position.
 */
import { GoDuration } from '../go-format/duration.js';
import { goJsonMarshal } from '../go-format/json.js';
import { parseGoTime } from '../go-format/time.js';
import { formatGoValue } from '../go-format/value.js';
import { COLLECTION_BUILTINS } from './collections.js';
import { exprTypeName, goTypeName, isInt, isMap } from './values.js';

export interface BuiltinContext {
  env: Record<string, unknown>;
}

export type Builtin = (args: unknown[], ctx: BuiltinContext) => unknown;

export function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} or ${max}`;
    throw new Error(`invalid number of arguments for ${name} (expected ${expected}, got ${args.length})`);
  }
}

export function strArg(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  throw new Error(`invalid argument for ${name} (type ${goTypeName(v)})`);
}

function intArg(name: string, v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  throw new Error(`invalid argument for ${name} (type ${goTypeName(v)})`);
}

function numArg(name: string, v: unknown): number {
  if (typeof v === 'number') return v;
  throw new Error(`invalid argument for ${name} (type ${goTypeName(v)})`);
}

/** Go's strings.Split / SplitN / SplitAfter(N). */
export function goSplit(s: string, sep: string, n = -1, after = false): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...s];
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const out: string[] = [];
  let rest = s;
  while (n < 0 || out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, after ? i + sep.length : i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** Go's strings.Replace (n < 0 means all); an empty `old` inserts around every character. */
export function goReplace(s: string, old: string, replacement: string, n = -1): string {
  if (old === '') {
    const chars = [...s];
    let out = '';
    let count = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || count < n) {
        out += replacement;
        count++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  const parts = goSplit(s, old, n < 0 ? -1 : n + 1);
  return parts.join(replacement);
}

/** Go's strings.Trim with a cutset. */
export function goTrim(s: string, cutset: string, left = true, right = true): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (left && a < b && set.has(chars[a])) a++;
  while (right && b > a && set.has(chars[b - 1])) b--;
  return chars.slice(a, b).join('');
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Go's base64.StdEncoding.DecodeString (strict padding). */
export function goBase64Decode(s: string): string {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) throw new Error(`illegal base64 data at input byte ${bad}`);
  if (s.length % 4 !== 0 || /=[^=]/.test(s) || /={3,}$/.test(s)) {
    throw new Error(`illegal base64 data at input byte ${Math.max(0, s.length - (s.length % 4 || 4))}`);
  }
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Go's strconv.ParseFloat on the forms people write. */
export function goParseFloat(s: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return undefined;
}

function roundHalfAway(n: number): number {
  return Math.sign(n) * Math.round(Math.abs(n));
}

/** Flatten nested arrays of numbers for max/min/mean/median. */
function numbers(name: string, args: unknown[]): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'number') out.push(v);
    else throw new Error(`invalid argument for ${name} (type ${goTypeName(v)})`);
  };
  args.forEach(walk);
  return out;
}

const DEFAULT_DATE_LAYOUTS = [
  '2006-01-02', '15:04:05', '2006-01-02 15:04:05', '2006-01-02T15:04:05Z07:00', '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST', 'Mon, 02 Jan 2006 15:04:05 MST',
];

function bits(name: string, v: unknown): bigint {
  if (!isInt(v)) throw new Error(`invalid argument for ${name} (type ${goTypeName(v)})`);
  return BigInt(v);
}

const toNumber = (b: bigint): number => Number(BigInt.asIntN(64, b));

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  ...COLLECTION_BUILTINS,
  len: (args) => {
    arity('len', args, 1);
    const [v] = args;
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new Error(`invalid argument for len (type ${goTypeName(v)})`);
  },
  type: (args) => (arity('type', args, 1), exprTypeName(args[0])),
  abs: (args) => (arity('abs', args, 1), Math.abs(numArg('abs', args[0]))),
  ceil: (args) => (arity('ceil', args, 1), Math.ceil(numArg('ceil', args[0]))),
  floor: (args) => (arity('floor', args, 1), Math.floor(numArg('floor', args[0]))),
  round: (args) => (arity('round', args, 1), roundHalfAway(numArg('round', args[0]))),
  int: (args) => {
    arity('int', args, 1);
    const [v] = args;
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number(v);
    throw new Error(`invalid operation: int(${typeof v === 'string' ? v : goTypeName(v)})`);
  },
  float: (args) => {
    arity('float', args, 1);
    const [v] = args;
    if (typeof v === 'number') return v;
    const parsed = typeof v === 'string' ? goParseFloat(v) : undefined;
    if (parsed === undefined) throw new Error(`invalid operation: float(${typeof v === 'string' ? v : goTypeName(v)})`);
    return parsed;
  },
  string: (args) => (arity('string', args, 1), formatGoValue(args[0])),
  trim: (args) => {
    arity('trim', args, 1, 2);
    const s = strArg('trim', args[0]);
    return args.length === 1 ? s.replace(/^\s+|\s+$/gu, '') : goTrim(s, strArg('trim', args[1]));
  },
  trimPrefix: (args) => {
    arity('trimPrefix', args, 1, 2);
    const s = strArg('trimPrefix', args[0]);
    const p = args.length > 1 ? strArg('trimPrefix', args[1]) : ' ';
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimSuffix: (args) => {
    arity('trimSuffix', args, 1, 2);
    const s = strArg('trimSuffix', args[0]);
    const p = args.length > 1 ? strArg('trimSuffix', args[1]) : ' ';
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  upper: (args) => (arity('upper', args, 1), strArg('upper', args[0]).toUpperCase()),
  lower: (args) => (arity('lower', args, 1), strArg('lower', args[0]).toLowerCase()),
  split: (args) => {
    arity('split', args, 2, 3);
    return goSplit(strArg('split', args[0]), strArg('split', args[1]), args.length > 2 ? intArg('split', args[2]) : -1);
  },
  splitAfter: (args) => {
    arity('splitAfter', args, 2, 3);
    const n = args.length > 2 ? intArg('splitAfter', args[2]) : -1;
    return goSplit(strArg('splitAfter', args[0]), strArg('splitAfter', args[1]), n, true);
  },
  replace: (args) => {
    arity('replace', args, 3, 4);
    const [s, o, r] = args.slice(0, 3).map((a) => strArg('replace', a));
    return goReplace(s, o, r, args.length > 3 ? intArg('replace', args[3]) : -1);
  },
  repeat: (args) => {
    arity('repeat', args, 2);
    const s = strArg('repeat', args[0]);
    const n = intArg('repeat', args[1]);
    if (n < 0) throw new Error(`invalid argument for repeat (expected positive integer, got ${n})`);
    if (n > 1e6) throw new Error('memory budget exceeded');
    return s.repeat(n);
  },
  join: (args) => {
    arity('join', args, 1, 2);
    if (!Array.isArray(args[0])) throw new Error(`invalid argument for join (type ${goTypeName(args[0])})`);
    const glue = args.length > 1 ? strArg('join', args[1]) : '';
    return args[0].map((v) => strArg('join', v)).join(glue);
  },
  indexOf: (args) => {
    arity('indexOf', args, 2);
    const s = strArg('indexOf', args[0]);
    const i = s.indexOf(strArg('indexOf', args[1]));
    return i < 0 ? -1 : utf8Length(s.slice(0, i));
  },
  lastIndexOf: (args) => {
    arity('lastIndexOf', args, 2);
    const s = strArg('lastIndexOf', args[0]);
    const i = s.lastIndexOf(strArg('lastIndexOf', args[1]));
    return i < 0 ? -1 : utf8Length(s.slice(0, i));
  },
  hasPrefix: (args) => (arity('hasPrefix', args, 2), strArg('hasPrefix', args[0]).startsWith(strArg('hasPrefix', args[1]))),
  hasSuffix: (args) => (arity('hasSuffix', args, 2), strArg('hasSuffix', args[0]).endsWith(strArg('hasSuffix', args[1]))),
  max: (args) => {
    if (args.length === 1 && !Array.isArray(args[0]) && typeof args[0] !== 'number') return args[0];
    const ns = numbers('max', args);
    return ns.length === 0 ? null : ns.reduce((a, b) => (b > a ? b : a));
  },
  min: (args) => {
    if (args.length === 1 && !Array.isArray(args[0]) && typeof args[0] !== 'number') return args[0];
    const ns = numbers('min', args);
    return ns.length === 0 ? null : ns.reduce((a, b) => (b < a ? b : a));
  },
  mean: (args) => {
    const ns = numbers('mean', args);
    return ns.length === 0 ? 0 : ns.reduce((a, b) => a + b, 0) / ns.length;
  },
  median: (args) => {
    const ns = numbers('median', args).sort((a, b) => a - b);
    const n = ns.length;
    if (n === 0) return 0;
    return n % 2 === 1 ? ns[(n - 1) / 2] : (ns[n / 2 - 1] + ns[n / 2]) / 2;
  },
  toJSON: (args) => (arity('toJSON', args, 1), goJsonMarshal(args[0], '  ')),
  fromJSON: (args) => {
    arity('fromJSON', args, 1);
    return JSON.parse(strArg('fromJSON', args[0])) as unknown;
  },
  toBase64: (args) => (arity('toBase64', args, 1), Buffer.from(strArg('toBase64', args[0]), 'utf8').toString('base64')),
  fromBase64: (args) => (arity('fromBase64', args, 1), goBase64Decode(strArg('fromBase64', args[0]))),
  now: (args, ctx) => {
    arity('now', args, 0);
    const clock = Object.hasOwn(ctx.env, 'now') ? ctx.env.now : undefined;
    const value = typeof clock === 'function' ? (clock as () => unknown)() : clock;
    if (value instanceof Date) return value;
    throw new Error('now() needs a clock: put `now` (a Date or a function returning one) in the environment');
  },
  duration: (args) => {
    arity('duration', args, 1);
    const s = strArg('duration', args[0]);
    const d = GoDuration.parse(s);
    if (!d) throw new Error(`time: invalid duration "${s}"`);
    return d;
  },
  date: (args) => {
    arity('date', args, 1, 3);
    if (args[0] instanceof Date) return args[0];
    const s = strArg('date', args[0]);
    if (args.length > 2 && !['UTC', 'Etc/UTC', ''].includes(strArg('date', args[2]))) {
      throw new Error('date: only the UTC time zone is supported');
    }
    const layouts = args.length > 1 ? [strArg('date', args[1])] : DEFAULT_DATE_LAYOUTS;
    for (const layout of layouts) {
      const d = parseGoTime(s, layout);
      if (d) return d;
    }
    throw new Error(`cannot parse "${s}" as a date`);
  },
  bitand: (args) => (arity('bitand', args, 2), toNumber(bits('bitand', args[0]) & bits('bitand', args[1]))),
  bitor: (args) => (arity('bitor', args, 2), toNumber(bits('bitor', args[0]) | bits('bitor', args[1]))),
  bitxor: (args) => (arity('bitxor', args, 2), toNumber(bits('bitxor', args[0]) ^ bits('bitxor', args[1]))),
  bitnand: (args) => (arity('bitnand', args, 2), toNumber(bits('bitnand', args[0]) & ~bits('bitnand', args[1]))),
  bitnot: (args) => (arity('bitnot', args, 1), toNumber(~bits('bitnot', args[0]))),
  bitshl: (args) => (arity('bitshl', args, 2), toNumber(bits('bitshl', args[0]) << bits('bitshl', args[1]))),
  bitshr: (args) => (arity('bitshr', args, 2), toNumber(bits('bitshr', args[0]) >> bits('bitshr', args[1]))),
  bitushr: (args) => {
    arity('bitushr', args, 2);
    return Number(BigInt.asUintN(64, bits('bitushr', args[0])) >> bits('bitushr', args[1]));
  },
};

