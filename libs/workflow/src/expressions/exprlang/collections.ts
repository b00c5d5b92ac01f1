/**
 * expr-lang collection builtins: the closure ("predicate") family — all, any, none, one, filter,
 * map, count, sum, find*, groupBy, sortBy, reduce — and array/map helpers. A predicate arrives as
 * a JS function `(item, index, acc) => value` built by the evaluator.
 */
import { formatGoValue } from '../go-format/value.js';
import { compare, equal, goTypeName, isMap, isNil } from './values.js';

export type Predicate = (item: unknown, index: number, acc?: unknown) => unknown;
type Builtin = (args: unknown[]) => unknown;

function list(name: string, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`invalid argument for ${name} (type ${goTypeName(v)}): expected an array`);
}

function pred(name: string, v: unknown): Predicate {
  if (typeof v === 'function') return v as Predicate;
  throw new Error(`invalid argument for ${name}: expected a predicate`);
}

/** A predicate result that must be a bool (all, any, filter, …). */
function truth(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  throw new Error(`predicate of ${name} must return bool (got ${goTypeName(v)})`);
}

function map(name: string, v: unknown): Record<string, unknown> {
  if (isMap(v)) return v;
  throw new Error(`cannot get ${name} from ${goTypeName(v)}`);
}

function order(name: string, v: unknown): 1 | -1 {
  if (v === undefined || v === 'asc') return 1;
  if (v === 'desc') return -1;
  throw new Error(`invalid order ${formatGoValue(v)} for ${name}, expected asc or desc`);
}

function addNumbers(values: unknown[]): number {
  let total = 0;
  for (const v of values) {
    if (typeof v !== 'number') throw new Error(`invalid operation: sum of ${goTypeName(v)}`);
    total += v;
  }
  return total;
}

function flattenDeep(values: unknown[], out: unknown[] = []): unknown[] {
  for (const v of values) {
    if (Array.isArray(v)) flattenDeep(v, out);
    else out.push(v);
  }
  return out;
}

function findWith(args: unknown[], name: string, fromEnd: boolean): number {
  const items = list(name, args[0]);
  const p = pred(name, args[1]);
  for (let k = 0; k < items.length; k++) {
    const i = fromEnd ? items.length - 1 - k : k;
    if (truth(name, p(items[i], i))) return i;
  }
  return -1;
}

export const COLLECTION_BUILTINS: Readonly<Record<string, Builtin>> = {
  all: (args) => {
    const p = pred('all', args[1]);
    return list('all', args[0]).every((x, i) => truth('all', p(x, i)));
  },
  any: (args) => {
    const p = pred('any', args[1]);
    return list('any', args[0]).some((x, i) => truth('any', p(x, i)));
  },
  none: (args) => {
    const p = pred('none', args[1]);
    return !list('none', args[0]).some((x, i) => truth('none', p(x, i)));
  },
  one: (args) => {
    const p = pred('one', args[1]);
    return list('one', args[0]).filter((x, i) => truth('one', p(x, i))).length === 1;
  },
  filter: (args) => {
    const p = pred('filter', args[1]);
    return list('filter', args[0]).filter((x, i) => truth('filter', p(x, i)));
  },
  map: (args) => {
    const p = pred('map', args[1]);
    return list('map', args[0]).map((x, i) => p(x, i));
  },
  count: (args) => {
    const items = list('count', args[0]);
    const p = args.length > 1 ? pred('count', args[1]) : (x: unknown) => x;
    return items.filter((x, i) => truth('count', p(x, i))).length;
  },
  sum: (args) => {
    const items = list('sum', args[0]);
    if (args.length < 2) return addNumbers(items);
    const p = pred('sum', args[1]);
    return addNumbers(items.map((x, i) => p(x, i)));
  },
  find: (args) => {
    const i = findWith(args, 'find', false);
    return i < 0 ? null : (args[0] as unknown[])[i];
  },
  findIndex: (args) => findWith(args, 'findIndex', false),
  findLast: (args) => {
    const i = findWith(args, 'findLast', true);
    return i < 0 ? null : (args[0] as unknown[])[i];
  },
  findLastIndex: (args) => findWith(args, 'findLastIndex', true),
  groupBy: (args) => {
    const p = pred('groupBy', args[1]);
    const groups: Record<string, unknown[]> = {};
    list('groupBy', args[0]).forEach((x, i) => {
      const key = formatGoValue(p(x, i));
      if (!Object.hasOwn(groups, key)) Object.defineProperty(groups, key, { value: [], enumerable: true, writable: true, configurable: true });
      groups[key].push(x);
    });
    return groups;
  },
  sortBy: (args) => {
    const items = list('sortBy', args[0]);
    const p = pred('sortBy', args[1]);
    const dir = order('sortBy', args[2]);
    const keyed = items.map((x, i) => ({ x, k: p(x, i) }));
    keyed.sort((a, b) => dir * compare(a.k, b.k, '<'));
    return keyed.map((e) => e.x);
  },
  reduce: (args) => {
    const items = list('reduce', args[0]);
    const p = pred('reduce', args[1]);
    let start = 0;
    let acc: unknown;
    if (args.length > 2) acc = args[2];
    else {
      if (items.length === 0) throw new Error('reduce of empty array with no initial value');
      acc = items[0];
      start = 1;
    }
    for (let i = start; i < items.length; i++) acc = p(items[i], i, acc);
    return acc;
  },
  first: (args) => (Array.isArray(args[0]) && args[0].length > 0 ? (args[0][0] as unknown) : null),
  last: (args) => (Array.isArray(args[0]) && args[0].length > 0 ? (args[0][args[0].length - 1] as unknown) : null),
  get: (args) => {
    const [v, key] = args;
    if (Array.isArray(v) && typeof key === 'number') {
      const i = key < 0 ? v.length + Math.trunc(key) : Math.trunc(key);
      return i >= 0 && i < v.length ? (v[i] as unknown) : null;
    }
    if (isMap(v) && typeof key === 'string') return Object.hasOwn(v, key) ? v[key] : null;
    return null;
  },
  take: (args) => {
    const n = args[1];
    if (typeof n !== 'number') throw new Error(`cannot take ${goTypeName(n)} elements`);
    return list('take', args[0]).slice(0, Math.max(0, Math.trunc(n)));
  },
  keys: (args) => Object.keys(map('keys', args[0])),
  values: (args) => Object.values(map('values', args[0])),
  toPairs: (args) => Object.entries(map('pairs', args[0])).map(([k, v]) => [k, v]),
  fromPairs: (args) => {
    const out: Record<string, unknown> = {};
    for (const pair of list('fromPairs', args[0])) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`invalid pair ${formatGoValue(pair)}`);
      Object.defineProperty(out, String(pair[0]), { value: pair[1], enumerable: true, writable: true, configurable: true });
    }
    return out;
  },
  reverse: (args) => [...list('reverse', args[0])].reverse(),
  uniq: (args) => {
    const out: unknown[] = [];
    for (const v of list('uniq', args[0])) if (!out.some((o) => equal(o, v))) out.push(v);
    return out;
  },
  concat: (args) => {
    if (args.length === 0) throw new Error('invalid number of arguments (expected at least 1, got 0)');
    return args.flatMap((a) => {
      if (!Array.isArray(a)) throw new Error(`cannot concat ${isNil(a) ? 'invalid' : goTypeName(a)}`);
      return a as unknown[];
    });
  },
  flatten: (args) => flattenDeep(list('flatten', args[0])),
  sort: (args) => {
    const dir = order('sort', args[1]);
    return [...list('sort', args[0])].sort((a, b) => dir * compare(a, b, '<'));
  },
};
