/**
 * Tree-walking evaluator for expr-lang ASTs. Like expr compiled with `expr.Env(env)`:
 * an identifier that is neither a `let` variable nor in `env` is an error ("unknown name"),
 * a missing map key reads as nil, `a?.b` stops at nil, and `??` falls back only on nil.
 *
 * One deliberate leniency: member access inside the left operand of `??` is nil-safe
 * (`tasks.x.outputs.parameters.p ?? 'd'` is `'d'` when `outputs` is absent), because Argo
 * represents an absent output as a nil leaf while our scope may omit the whole branch.
 */
import { asExpressionError, ExpressionError } from '../error.js';
import type { ExprAst, ExprNode } from './ast.js';
import { BUILTINS } from './builtins.js';
import type { Predicate } from './collections.js';
import { binaryOp, unaryOp } from './operators.js';
import { parseExpr } from './parser.js';
import { goMethod, goTypeName, isMap, isNil, toIndex } from './values.js';

/** Marks a member chain cut short by `?.` (or by `??`'s nil-safe left side). */
const SHORT = Symbol('short');
type Ref = unknown;

interface Pointer {
  value: unknown;
  index: number;
  acc: unknown;
  hasAcc: boolean;
}

interface Frame {
  lets: ReadonlyMap<string, unknown>;
  pointer: Pointer | undefined;
}

class Evaluator {
  constructor(
    private readonly source: string,
    private readonly env: Record<string, unknown>,
  ) {}

  private fail(message: string, node: ExprNode): never {
    throw ExpressionError.at(message, node.offset, this.source);
  }

  /** Run helper code, turning anything it throws into a positioned ExpressionError. */
  private guard<T>(node: ExprNode, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw asExpressionError(err, node.offset, this.source);
    }
  }

  eval(node: ExprNode, frame: Frame): unknown {
    const v = this.ref(node, frame, false);
    return v === SHORT || v === undefined ? null : v;
  }

  private bool(node: ExprNode, frame: Frame, what: string): boolean {
    const v = this.eval(node, frame);
    if (typeof v !== 'boolean') this.fail(`${what} must be a bool, got ${goTypeName(v)}`, node);
    return v;
  }

  /** Evaluate, letting member chains report SHORT; `lenient` makes nil member access SHORT too. */
  private ref(node: ExprNode, frame: Frame, lenient: boolean): Ref {
    switch (node.kind) {
      case 'nil':
        return null;
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
        return node.value;
      case 'array':
        return node.items.map((item) => this.eval(item, frame));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const { key, value } of node.entries) {
          const k = this.eval(key, frame);
          if (typeof k !== 'string') this.fail(`map key must be a string, got ${goTypeName(k)}`, key);
          Object.defineProperty(out, k, { value: this.eval(value, frame), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      case 'ident':
        return this.identifier(node.name, node, frame);
      case 'pointer':
        return this.pointer(node, frame);
      case 'member':
        return this.member(node, frame, lenient);
      case 'slice':
        return this.slice(node, frame, lenient);
      case 'call':
        return this.call(node, frame, lenient);
      case 'builtin':
        return this.builtin(node, frame);
      case 'predicate':
        return this.closure(node, frame);
      case 'unary': {
        const v = this.eval(node.operand, frame);
        return this.guard(node, () => unaryOp(node.op, v));
      }
      case 'binary':
        return this.binary(node, frame);
      case 'conditional': {
        if (node.elvis) {
          const c = this.eval(node.cond, frame);
          if (c === false || isNil(c)) return this.eval(node.else, frame);
          return c;
        }
        return this.bool(node.cond, frame, 'condition') ? this.eval(node.then, frame) : this.eval(node.else, frame);
      }
      case 'let': {
        const lets = new Map(frame.lets);
        lets.set(node.name, this.eval(node.value, frame));
        return this.eval(node.body, { ...frame, lets });
      }
      case 'sequence': {
        let last: unknown = null;
        for (const item of node.items) last = this.eval(item, frame);
        return last;
      }
    }
  }

  private identifier(name: string, node: ExprNode, frame: Frame): unknown {
    if (frame.lets.has(name)) return frame.lets.get(name);
    if (name === '$env') return this.env;
    if (Object.hasOwn(this.env, name)) return this.env[name];
    this.fail(`unknown name ${name}`, node);
  }

  private pointer(node: Extract<ExprNode, { kind: 'pointer' }>, frame: Frame): unknown {
    const p = frame.pointer;
    if (!p) this.fail('# is only available inside a predicate', node);
    if (node.name === '') return p.value;
    if (node.name === 'index') return p.index;
    if (node.name === 'acc' && p.hasAcc) return p.acc;
    this.fail(`unknown pointer #${node.name}`, node);
  }

  private member(node: Extract<ExprNode, { kind: 'member' }>, frame: Frame, lenient: boolean): Ref {
    const object = this.ref(node.object, frame, lenient);
    if (object === SHORT) return SHORT;
    const key = this.eval(node.property, frame);
    if (isNil(object)) {
      if (node.optional || lenient) return SHORT;
      this.fail(`cannot fetch ${String(key)} from <nil>`, node);
    }
    return this.guard(node, () => fetch(object, key));
  }

  private slice(node: Extract<ExprNode, { kind: 'slice' }>, frame: Frame, lenient: boolean): Ref {
    const object = this.ref(node.object, frame, lenient);
    if (object === SHORT) return SHORT;
    const from = node.from ? this.eval(node.from, frame) : undefined;
    const to = node.to ? this.eval(node.to, frame) : undefined;
    return this.guard(node, () => {
      if (!Array.isArray(object) && typeof object !== 'string') throw new Error(`cannot slice ${goTypeName(object)}`);
      const length = object.length;
      const clamp = (v: unknown, dflt: number): number => {
        if (v === undefined) return dflt;
        let i = toIndex(v);
        if (i < 0) i += length;
        return Math.min(Math.max(i, 0), length);
      };
      const b = clamp(to, length);
      const a = Math.min(clamp(from, 0), b);
      return object.slice(a, b);
    });
  }

  private call(node: Extract<ExprNode, { kind: 'call' }>, frame: Frame, lenient: boolean): Ref {
    const callee = this.ref(node.callee, frame, lenient);
    if (callee === SHORT) return SHORT;
    const args = node.args.map((a) => this.eval(a, frame));
    if (typeof callee !== 'function') {
      const name = node.callee.kind === 'ident' ? node.callee.name : describe(node.callee);
      this.fail(`${name} is not callable (type ${goTypeName(callee)})`, node);
    }
    return this.guard(node, () => (callee as (...a: unknown[]) => unknown)(...args));
  }

  private builtin(node: Extract<ExprNode, { kind: 'builtin' }>, frame: Frame): unknown {
    const fn = BUILTINS[node.name];
    const args = node.args.map((a) => this.eval(a, frame));
    return this.guard(node, () => fn(args, { env: this.env }));
  }

  /** A predicate as a JS function; only reduce passes the third (accumulator) argument. */
  private closure(node: Extract<ExprNode, { kind: 'predicate' }>, frame: Frame): Predicate {
    return (...args: unknown[]) => {
      const pointer = { value: args[0], index: args[1] as number, acc: args[2], hasAcc: args.length > 2 };
      return this.eval(node.body, { lets: frame.lets, pointer });
    };
  }

  private binary(node: Extract<ExprNode, { kind: 'binary' }>, frame: Frame): unknown {
    switch (node.op) {
      case '&&':
      case 'and':
        return this.bool(node.left, frame, `left operand of ${node.op}`) && this.bool(node.right, frame, `right operand of ${node.op}`);
      case '||':
      case 'or':
        return this.bool(node.left, frame, `left operand of ${node.op}`) || this.bool(node.right, frame, `right operand of ${node.op}`);
      case '??': {
        const left = this.ref(node.left, frame, true);
        return left === SHORT || isNil(left) ? this.eval(node.right, frame) : left;
      }
      default: {
        const left = this.eval(node.left, frame);
        const right = this.eval(node.right, frame);
        return this.guard(node, () => binaryOp(node.op, left, right));
      }
    }
  }
}

/** runtime.Fetch: map key (missing → nil), array/string index (negative from the end), Go methods. */
function fetch(object: unknown, key: unknown): unknown {
  if (typeof key === 'string') {
    const method = goMethod(object, key);
    if (method) return method;
  }
  if (isMap(object)) {
    if (typeof key !== 'string') throw new Error(`cannot use ${goTypeName(key)} as map key of type string`);
    return Object.hasOwn(object, key) ? object[key] : null;
  }
  if (object instanceof Map) return (object as Map<unknown, unknown>).get(key) ?? null;
  if (Array.isArray(object) || typeof object === 'string') {
    if (typeof key !== 'number') throw new Error(`cannot fetch ${String(key)} from ${goTypeName(object)}`);
    const length = object.length;
    let i = Math.trunc(key);
    if (i < 0) i += length;
    if (i < 0 || i >= length) throw new Error(`index out of range: ${i} (array length is ${length})`);
    return object[i];
  }
  throw new Error(`cannot fetch ${String(key)} from ${goTypeName(object)}`);
}

function describe(node: ExprNode): string {
  if (node.kind === 'ident') return node.name;
  if (node.kind === 'member' && node.property.kind === 'string') return `${describe(node.object)}.${node.property.value}`;
  return 'expression';
}

/** Identifiers the expression reads from the environment (not `let` variables, not `$env`). */
export function freeNames(ast: ExprAst): string[] {
  const names = new Set<string>();
  walkNames(ast.root, new Set(), (name) => names.add(name));
  return [...names];
}

/** Visit every identifier not bound by an enclosing `let`. */
function walkNames(node: ExprNode, bound: ReadonlySet<string>, visit: (name: string, node: ExprNode) => void): void {
  if (node.kind === 'ident') {
    if (!bound.has(node.name) && node.name !== '$env') visit(node.name, node);
  } else if (node.kind === 'let') {
    walkNames(node.value, bound, visit);
    walkNames(node.body, new Set([...bound, node.name]), visit);
  } else {
    for (const child of children(node)) walkNames(child, bound, visit);
  }
}

function children(node: ExprNode): ExprNode[] {
  switch (node.kind) {
    case 'nil': case 'bool': case 'int': case 'float': case 'string': case 'ident': case 'pointer':
      return [];
    case 'array': return node.items;
    case 'map': return node.entries.flatMap((e) => [e.key, e.value]);
    case 'member': return [node.object, node.property];
    case 'slice': return [node.object, ...(node.from ? [node.from] : []), ...(node.to ? [node.to] : [])];
    case 'call': return [node.callee, ...node.args];
    case 'builtin': return node.args;
    case 'predicate': return [node.body];
    case 'unary': return [node.operand];
    case 'binary': return [node.left, node.right];
    case 'conditional': return [node.cond, node.then, node.else];
    case 'let': return [node.value, node.body];
    case 'sequence': return node.items;
  }
}

/**
 * Evaluate an expr-lang expression (source text or a parsed AST) against `env`. Unknown names
 * are rejected before evaluation, as expr's compiler does. Returns null for nil.
 */
export function evaluateExpr(srcOrAst: string | ExprAst, env: Record<string, unknown>): unknown {
  const ast = typeof srcOrAst === 'string' ? parseExpr(srcOrAst) : srcOrAst;
  checkNames(ast, env);
  return new Evaluator(ast.source, env).eval(ast.root, { lets: new Map(), pointer: undefined });
}

function checkNames(ast: ExprAst, env: Record<string, unknown>): void {
  walkNames(ast.root, new Set(), (name, node) => {
    if (!Object.hasOwn(env, name)) throw ExpressionError.at(`unknown name ${name}`, node.offset, ast.source);
  });
}
