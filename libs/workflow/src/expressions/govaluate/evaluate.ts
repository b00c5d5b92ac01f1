/**
 * Evaluation of govaluate `when:` expressions with Argo's `shouldExecute` rules: numbers are
 * float64, strings compare lexically, `==` is deep equality (so `1 == '1'` is false), `+` with a
 * string concatenates, `&&`/`||` short-circuit, and there are no variables (an `a.B` accessor
 * fails with "No parameter 'a' found.").
 */
import { ExpressionError } from '../error.js';
import { formatFloatG } from '../go-format/float.js';
import { goRegExp } from '../regex.js';
import { parseWhen, type WhenAst, type WhenNode } from './parser.js';

type Value = number | string | boolean | null | Value[];

const COMPARATOR = "Value '%v' cannot be used with the comparator '%op', it is not a number";
const MODIFIER = "Value '%v' cannot be used with the modifier '%op', it is not a number";
const LOGICAL = "Value '%v' cannot be used with the logical operator '%op', it is not a bool";
const TERNARY = "Value '%v' cannot be used with the ternary operator '%op', it is not a bool";
const PREFIX = "Value '%v' cannot be used with the prefix '%op'";

/** Go's `%v` for govaluate values (every number is a float64). */
function show(v: Value): string {
  if (v === null) return '<nil>';
  if (typeof v === 'number') return formatFloatG(v, -1);
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  return String(v);
}

function deepEqual(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  return a === b;
}

class Evaluator {
  constructor(private readonly source: string) {}

  private fail(format: string, value: Value, op: string, node: WhenNode): never {
    const message = format.replace('%v', show(value)).replace('%op', op === '==' ? '=' : op);
    throw ExpressionError.at(message, node.offset, this.source);
  }

  private num(v: Value, format: string, op: string, node: WhenNode): number {
    if (typeof v !== 'number') this.fail(format, v, op, node);
    return v;
  }

  private bool(v: Value, format: string, op: string, node: WhenNode): boolean {
    if (typeof v !== 'boolean') this.fail(format, v, op, node);
    return v;
  }

  eval(node: WhenNode): Value {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'group':
        return node.inner ? this.eval(node.inner) : null;
      case 'accessor':
        throw ExpressionError.at(`No parameter '${node.path[0]}' found.`, node.offset, this.source);
      case 'unary': {
        const v = this.eval(node.operand);
        if (node.op === '!') return !this.bool(v, PREFIX, '!', node);
        const n = this.num(v, PREFIX, node.op, node);
        return node.op === '-' ? -n : Number(~BigInt.asIntN(64, BigInt(Math.trunc(n))));
      }
      case 'binary':
        return this.binary(node);
    }
  }

  private binary(node: Extract<WhenNode, { kind: 'binary' }>): Value {
    const { op } = node;
    const left = this.eval(node.left);
    // Short circuits happen before any type check of the left side.
    if (op === '&&' && left === false) return false;
    if (op === '||' && left === true) return true;
    if ((op === ':' || op === '??') && left !== null) return left;
    if (op === '?' && left === false) return null;
    const right = this.eval(node.right);
    switch (op) {
      case ',':
        return Array.isArray(left) ? [...left, right] : [left, right];
      case '?':
        return this.bool(left, TERNARY, op, node) ? right : null;
      case ':':
      case '??':
        return right;
      case '&&':
      case '||': {
        const l = this.bool(left, LOGICAL, op, node);
        const r = this.bool(right, LOGICAL, op, node);
        return op === '&&' ? l && r : l || r;
      }
      case '==':
        return deepEqual(left, right);
      case '!=':
        return !deepEqual(left, right);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
        if (!comparable) this.fail(COMPARATOR, left, op, node);
        const l = left;
        const r = right;
        return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
      }
      case '=~':
      case '!~': {
        if (typeof left !== 'string') this.fail(COMPARATOR, left, op, node);
        if (typeof right !== 'string') this.fail(COMPARATOR, right, op, node);
        let matched: boolean;
        try {
          matched = goRegExp(right).test(left);
        } catch (err) {
          throw ExpressionError.at(`Unable to compile regexp pattern '${right}': ${(err as Error).message}`, node.offset, this.source);
        }
        return op === '=~' ? matched : !matched;
      }
      case 'in': {
        if (!Array.isArray(right)) this.fail(COMPARATOR, right, op, node);
        return (right).some((v) => v === left);
      }
      case '+':
        if (typeof left === 'string' || typeof right === 'string') return show(left) + show(right);
        if (typeof left !== 'number' || typeof right !== 'number') this.fail(MODIFIER, left, op, node);
        return (left) + (right);
      default:
        return this.arithmetic(op, this.num(left, MODIFIER, op, node), this.num(right, MODIFIER, op, node));
    }
  }

  private arithmetic(op: string, l: number, r: number): number {
    const int = (n: number): bigint => BigInt.asIntN(64, BigInt(Math.trunc(n)));
    const uint = (n: number): bigint => BigInt.asUintN(64, BigInt(Math.trunc(n)));
    switch (op) {
      case '-': return l - r;
      case '*': return l * r;
      case '/': return l / r;
      case '%': return l % r;
      case '**': return Math.pow(l, r);
      case '&': return Number(int(l) & int(r));
      case '|': return Number(int(l) | int(r));
      case '^': return Number(int(l) ^ int(r));
      case '<<': return Number(BigInt.asUintN(64, uint(l) << uint(r)));
      default: return Number(uint(l) >> uint(r));
    }
  }
}

/** Evaluate a parsed `when:` expression to its raw govaluate value (number, string, bool, list or null). */
export function evaluateWhenAst(ast: WhenAst): unknown {
  return new Evaluator(ast.source).eval(ast.root);
}

/**
 * Argo's `shouldExecute`: an empty `when` is true; otherwise the expression must parse and yield
 * a boolean. Throws ExpressionError (Argo marks the node Error) on any failure.
 */
export function evaluateWhen(source: string): boolean {
  if (source === '') return true;
  const ast = parseWhen(source);
  const result = evaluateWhenAst(ast);
  if (typeof result !== 'boolean') {
    throw new ExpressionError(`Expected boolean evaluation for '${source}'. Got ${show(result as Value)}`, undefined, source);
  }
  return result;
}
