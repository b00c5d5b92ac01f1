/**
 * JSONPath evaluation with evilmonkeyinc/jsonpath's results ("scalar consensus"): a single
 * `.key` or `[0]` yields the value itself; `*`, ranges, unions, filters and `..` yield lists.
 * After a list-producing step, the remaining steps apply to each element; elements where they
 * fail are dropped (so `$[*].bar[*]` is `[[42]]`). A missing key or out-of-range index outside
 * such a list is an error.
 */
import { ExpressionError } from '../error.js';
import { goRegExp } from '../regex.js';
import { parsePath, type PathToken } from './parser.js';
import type { ScriptNode } from './script.js';

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Children of a map in sorted-key order, or of an array in order. */
function children(v: Json): Json[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.keys(v).sort().map((k) => v[k]);
  return undefined;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  return typeof v === 'number' ? 'float64' : typeof v;
}

class Query {
  constructor(private readonly root: Json) {}

  run(tokens: PathToken[], current: Json): Json {
    if (tokens.length === 0) return current;
    const [head, ...rest] = tokens;
    return this.apply(head, current, rest);
  }

  /** Continue with `rest` for each element, dropping failures and nils. */
  private each(elements: Json[], rest: PathToken[]): Json[] {
    if (rest.length === 0) return elements;
    const out: Json[] = [];
    for (const el of elements) {
      try {
        const r = this.run(rest, el);
        if (r !== null && r !== undefined) out.push(r);
      } catch {
        // evilmonkeyinc ignores errors for individual elements
      }
    }
    return out;
  }

  /** Ranges, unions and filters index the collected list when the next step is `[n]`. */
  private collected(elements: Json[], rest: PathToken[]): Json {
    if (rest[0]?.kind === 'index') return this.run(rest, elements);
    return this.each(elements, rest);
  }

  private apply(token: PathToken, current: Json, rest: PathToken[]): Json {
    switch (token.kind) {
      case 'root':
        return this.run(rest, this.root);
      case 'current':
        return this.run(rest, current);
      case 'key': {
        if (!isObject(current)) throw new Error(`key: invalid token target. expected [map] got [${kindOf(current)}]`);
        if (!Object.hasOwn(current, token.key)) throw new Error(`key: invalid token key '${token.key}' not found`);
        return this.run(rest, current[token.key]);
      }
      case 'length': {
        if (isObject(current) && Object.hasOwn(current, 'length')) return this.run(rest, current.length);
        if (typeof current === 'string') return this.run(rest, [...current].length);
        const kids = children(current);
        if (!kids) throw new Error(`length: invalid token target. expected [array map slice string] got [${kindOf(current)}]`);
        return this.run(rest, kids.length);
      }
      case 'index': {
        if (!Array.isArray(current)) throw new Error(`index: invalid token target. expected [array slice] got [${kindOf(current)}]`);
        const i = token.index < 0 ? current.length + token.index : token.index;
        if (i < 0 || i >= current.length) throw new Error('index: invalid token out of range');
        return this.run(rest, current[i]);
      }
      case 'wildcard': {
        const kids = children(current);
        if (!kids) throw new Error(`wildcard: invalid token target. expected [array map slice] got [${kindOf(current)}]`);
        return this.each(kids, rest);
      }
      case 'recursive':
        return this.recursive(current, rest);
      case 'union':
        return this.collected(this.union(token.keys, current), rest);
      case 'range':
        return this.collected(this.range(token, current), rest);
      case 'filter': {
        const kids = children(current);
        if (!kids) throw new Error(`filter: invalid token target. expected [array map slice] got [${kindOf(current)}]`);
        return this.collected(kids.filter((el) => truthy(this.evalSafe(token.expr, el))), rest);
      }
      case 'script': {
        const key = this.script(token.expr, current);
        if (typeof key === 'number') return this.apply({ kind: 'index', index: Math.trunc(key) }, current, rest);
        if (typeof key === 'string') return this.apply({ kind: 'key', key }, current, rest);
        throw new Error('script: unexpected expression result');
      }
    }
  }

  private recursive(current: Json, rest: PathToken[]): Json[] {
    const out: Json[] = [];
    const visit = (node: Json): void => {
      if (rest.length === 0) out.push(node);
      else {
        try {
          const r = this.run(rest, node);
          if (Array.isArray(r)) out.push(...(r as Json[]));
          else if (r !== undefined && r !== null) out.push(r);
        } catch {
          // nodes without the key simply don't match
        }
      }
      for (const kid of children(node) ?? []) visit(kid);
    };
    visit(current);
    return out;
  }

  private union(keys: (string | number | ScriptNode)[], current: Json): Json[] {
    const out: Json[] = [];
    for (const raw of keys) {
      const key = typeof raw === 'object' ? this.script(raw, current) : raw;
      if (typeof key === 'number' && Array.isArray(current)) {
        const i = key < 0 ? current.length + key : key;
        if (i < 0 || i >= current.length) throw new Error('union: invalid token out of range');
        out.push(current[i]);
      } else if (typeof key === 'string' && isObject(current)) {
        if (!Object.hasOwn(current, key)) throw new Error(`union: invalid token key '${key}' not found`);
        out.push(current[key]);
      } else throw new Error(`union: invalid token target, got [${kindOf(current)}]`);
    }
    return out;
  }

  private range(token: Extract<PathToken, { kind: 'range' }>, current: Json): Json[] {
    if (!Array.isArray(current)) throw new Error(`range: invalid token target. expected [array slice] got [${kindOf(current)}]`);
    const length = current.length;
    const arg = (v: number | ScriptNode | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      const n = typeof v === 'number' ? v : this.script(v, current);
      if (typeof n !== 'number') throw new Error('range: invalid argument');
      return Math.trunc(n);
    };
    const clamp = (n: number): number => Math.min(Math.max(n < 0 ? length + n : n, 0), length);
    const from = clamp(arg(token.from, 0));
    const to = clamp(arg(token.to, length));
    const step = arg(token.step, 1);
    if (step === 0) throw new Error('range: invalid token out of range');
    const out: Json[] = [];
    if (step > 0) for (let i = from; i < to; i += step) out.push(current[i]);
    else for (let i = to - 1; i >= from; i += step) out.push(current[i]);
    return out;
  }

  private script(expr: ScriptNode, current: Json): unknown {
    return this.evalScript(expr, current);
  }

  private evalSafe(expr: ScriptNode, current: Json): unknown {
    try {
      return this.evalScript(expr, current);
    } catch {
      return null;
    }
  }

  private evalScript(node: ScriptNode, current: Json): unknown {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'array':
        return node.items.map((i) => this.evalScript(i, current));
      case 'path':
        return this.run(parsePath(node.selector), node.selector.startsWith('$') ? this.root : current);
      case 'not':
        return !truthy(this.evalScript(node.operand, current));
      case 'binary':
        return this.binary(node, current);
    }
  }

  private binary(node: Extract<ScriptNode, { kind: 'binary' }>, current: Json): unknown {
    if (node.op === '&&') return truthy(this.evalScript(node.left, current)) && truthy(this.evalScript(node.right, current));
    if (node.op === '||') return truthy(this.evalScript(node.left, current)) || truthy(this.evalScript(node.right, current));
    const a = this.evalScript(node.left, current);
    const b = this.evalScript(node.right, current);
    switch (node.op) {
      case '==':
        return looseEqual(a, b);
      case '!=':
        return !looseEqual(a, b);
      case 'in':
      case 'not in': {
        const pool = children(b);
        if (!pool) throw new Error(`invalid argument for ${node.op}`);
        const found = pool.some((x) => looseEqual(a, x));
        return node.op === 'in' ? found : !found;
      }
      case '=~':
        if (typeof a !== 'string' || typeof b !== 'string') throw new Error('invalid argument for =~');
        return goRegExp(b).test(a);
      default: {
        if (typeof a !== 'number' || typeof b !== 'number') throw new Error(`invalid argument for ${node.op}: expected numbers`);
        const ops: Record<string, (x: number, y: number) => unknown> = {
          '<': (x, y) => x < y, '<=': (x, y) => x <= y, '>': (x, y) => x > y, '>=': (x, y) => x >= y,
          '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y, '/': (x, y) => x / y,
          '%': (x, y) => Math.trunc(x) % Math.trunc(y), '**': (x, y) => Math.pow(x, y),
        };
        return ops[node.op](a, b);
      }
    }
  }
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** evilmonkeyinc's filter inclusion rule. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  if (typeof v === 'string') return v.replace(/^(['"])(.*)\1$/s, '$2') !== '';
  return v !== 0;
}

/**
 * Query `value` (already-decoded JSON) with a JSONPath selector. Throws ExpressionError for a bad
 * selector, a missing key or an out-of-range index.
 */
export function jsonPath(value: unknown, path: string): unknown {
  const tokens = parsePath(path);
  try {
    const result = new Query(value).run(tokens, value);
    return result === undefined ? null : result;
  } catch (err) {
    if (err instanceof ExpressionError) throw err;
    throw new ExpressionError(`jsonpath ${path}: ${(err as Error).message}`, undefined, path);
  }
}
