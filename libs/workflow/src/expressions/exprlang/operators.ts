/**
 * expr-lang operator semantics (vm/runtime helpers). Errors are plain Errors with expr's wording;
 * the evaluator adds the position.
 */
import { GoDuration } from '../go-format/duration.js';
import { goRegExp } from '../regex.js';
import { compare, equal, goTypeName, isInt, isMap, isNil } from './values.js';

/** Largest array `..` and `repeat` may build (expr's default memory budget). */
export const MEMORY_BUDGET = 1_000_000;

function invalid(a: unknown, op: string, b: unknown): Error {
  return new Error(`invalid operation: ${goTypeName(a)} ${op} ${goTypeName(b)}`);
}

function str(v: unknown, op: string, other: unknown, leftSide: boolean): string {
  if (typeof v === 'string') return v;
  throw leftSide ? invalid(v, op, other) : invalid(other, op, v);
}

export function binaryOp(op: string, a: unknown, b: unknown): unknown {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
      return compare(a, b, op) < 0;
    case '>':
      return compare(a, b, op) > 0;
    case '<=':
      return compare(a, b, op) <= 0;
    case '>=':
      return compare(a, b, op) >= 0;
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (a instanceof Date && b instanceof GoDuration) return new Date(a.getTime() + b.nanoseconds / 1e6);
      if (a instanceof GoDuration && b instanceof Date) return new Date(b.getTime() + a.nanoseconds / 1e6);
      if (a instanceof GoDuration && b instanceof GoDuration) return new GoDuration(a.nanoseconds + b.nanoseconds);
      throw invalid(a, op, b);
    case '-':
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      if (a instanceof Date && b instanceof Date) return new GoDuration((a.getTime() - b.getTime()) * 1e6);
      if (a instanceof Date && b instanceof GoDuration) return new Date(a.getTime() - b.nanoseconds / 1e6);
      if (a instanceof GoDuration && b instanceof GoDuration) return new GoDuration(a.nanoseconds - b.nanoseconds);
      throw invalid(a, op, b);
    case '*':
      if (typeof a === 'number' && typeof b === 'number') return a * b;
      if (a instanceof GoDuration && isInt(b)) return new GoDuration(a.nanoseconds * b);
      if (isInt(a) && b instanceof GoDuration) return new GoDuration(a * b.nanoseconds);
      throw invalid(a, op, b);
    case '/':
      if (typeof a === 'number' && typeof b === 'number') return a / b;
      throw invalid(a, op, b);
    case '%':
      if (isInt(a) && isInt(b)) {
        if (b === 0) throw new Error('integer divide by zero');
        return a % b;
      }
      throw invalid(a, op, b);
    case '**':
    case '^':
      if (typeof a === 'number' && typeof b === 'number') return Math.pow(a, b);
      throw invalid(a, op, b);
    case '..': {
      if (!isInt(a) || !isInt(b)) throw invalid(a, op, b);
      const size = b - a + 1;
      if (size > MEMORY_BUDGET) throw new Error('memory budget exceeded');
      return size <= 0 ? [] : Array.from({ length: size }, (_, i) => a + i);
    }
    case 'in':
      return inOp(a, b);
    case 'contains':
      return str(a, op, b, true).includes(str(b, op, a, false));
    case 'startsWith':
      return str(a, op, b, true).startsWith(str(b, op, a, false));
    case 'endsWith':
      return str(a, op, b, true).endsWith(str(b, op, a, false));
    case 'matches':
      return goRegExp(str(b, op, a, false)).test(str(a, op, b, true));
    default:
      throw new Error(`unknown operator (${op})`);
  }
}

/** runtime.In: element of an array (by Equal) or key of a map; nil holds nothing. */
export function inOp(needle: unknown, haystack: unknown): boolean {
  if (isNil(haystack)) return false;
  if (Array.isArray(haystack)) return haystack.some((v) => equal(v, needle));
  if (isMap(haystack)) {
    if (typeof needle !== 'string') throw new Error(`cannot use ${goTypeName(needle)} as map key of type string`);
    return Object.hasOwn(haystack, needle);
  }
  throw new Error(`operator "in" not defined on ${goTypeName(haystack)}`);
}

export function unaryOp(op: string, v: unknown): unknown {
  switch (op) {
    case '!':
    case 'not':
      if (typeof v === 'boolean') return !v;
      throw new Error(`invalid operation: ${op} ${goTypeName(v)}`);
    case '-':
      if (typeof v === 'number') return -v;
      if (v instanceof GoDuration) return new GoDuration(-v.nanoseconds);
      throw new Error(`invalid operation: - ${goTypeName(v)}`);
    case '+':
      if (typeof v === 'number') return v;
      throw new Error(`invalid operation: + ${goTypeName(v)}`);
    default:
      throw new Error(`unknown operator (${op})`);
  }
}
