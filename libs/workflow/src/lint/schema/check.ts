/**
 * Checks a decoded YAML value against the field tables (unknown fields, wrong value types) and
 * returns a cleaned copy that later rules can trust: wrong-typed fields are dropped (or, for
 * scalars where a string is expected, turned into strings), AnyString values become strings, and
 * nulls disappear, as in Go. List items keep their indices.
 */
import type { FieldPath } from '../../yaml/diagnostic.js';
import { ARGO_TYPES } from './argo-types.js';
import { parseTypeExpr, type ParsedType, type Primitive, type TypeExpr } from './type-expr.js';

export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

type Path = (string | number)[];

export function checkSchema(value: unknown, type: TypeExpr, path: FieldPath, issues: SchemaIssue[]): unknown {
  return new Checker(issues).check(value, type, [...path]);
}

const PARSED = new Map<TypeExpr, ParsedType>();

/** `parseTypeExpr`, once per type expression. */
function parsed(type: TypeExpr): ParsedType {
  let t = PARSED.get(type);
  if (t === undefined) {
    t = parseTypeExpr(type);
    PARSED.set(type, t);
  }
  return t;
}

class Checker {
  private readonly issues: SchemaIssue[];

  constructor(issues: SchemaIssue[]) {
    this.issues = issues;
  }

  /** `path` is a stack: pushed and popped on the way down, copied only into an issue. */
  check(value: unknown, type: TypeExpr, path: Path): unknown {
    if (value === null || value === undefined) return undefined;
    const t = parsed(type);
    switch (t.kind) {
      case 'primitive':
        return this.primitive(value, t.name, path);
      case 'list':
        if (!Array.isArray(value)) return this.wrong(path, 'a list', value);
        return value.map((item, i) => this.child(item, t.of, path, i) ?? listHole(t.of));
      case 'map': {
        if (!isMapping(value)) return this.wrong(path, 'a mapping', value);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          const c = this.child(v, t.of, path, k);
          if (c !== undefined) out[k] = c;
        }
        return out;
      }
      case 'object':
        return this.object(value, t.name, path);
    }
  }

  private object(value: unknown, typeName: string, path: Path): unknown {
    if (!isMapping(value)) return this.wrong(path, 'a mapping', value);
    const schema = ARGO_TYPES[typeName];
    if (typeName === 'Plugin') {
      const n = Object.keys(value).length;
      if (n !== 1) this.issue(path, `a plugin template needs exactly one key (the plugin name), got ${n}`);
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const fieldType = Object.hasOwn(schema, k) ? schema[k] : undefined;
      if (fieldType === undefined) {
        path.push(k);
        this.issue(path, `unknown field "${k}" in ${typeName}${suggest(k, Object.keys(schema))}`);
        path.pop();
        continue;
      }
      const c = this.child(v, fieldType, path, k);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }

  private primitive(value: unknown, name: Primitive, path: Path): unknown {
    switch (name) {
      case 'string':
        if (typeof value === 'string') return value;
        this.wrong(path, 'a string', value);
        return isScalar(value) ? String(value) : undefined;
      case 'anyString':
        if (isScalar(value)) return String(value);
        return this.wrong(path, 'a string', value);
      case 'bool':
        return typeof value === 'boolean' ? value : this.wrong(path, 'true or false', value);
      case 'int':
        return Number.isInteger(value) ? value : this.wrong(path, 'an integer', value);
      case 'number':
        return typeof value === 'number' ? value : this.wrong(path, 'a number', value);
      case 'intOrString':
        if (typeof value === 'string' || Number.isInteger(value)) return value;
        return this.wrong(path, 'an integer or a string', value);
      case 'stringMap': {
        if (!isMapping(value)) return this.wrong(path, 'a mapping', value);
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value)) {
          if (v === null || v === undefined) continue;
          if (typeof v === 'string') {
            out[k] = v;
          } else {
            path.push(k);
            this.wrong(path, 'a string', v);
            path.pop();
          }
        }
        return out;
      }
      case 'json':
        return value;
      case 'k8s':
        return isMapping(value) ? value : this.wrong(path, 'a mapping', value);
    }
  }

  private child(value: unknown, type: TypeExpr, path: Path, key: string | number): unknown {
    if (value === null || value === undefined) return undefined;
    path.push(key);
    const c = this.check(value, type, path);
    path.pop();
    return c;
  }

  private wrong(path: Path, expected: string, value: unknown): undefined {
    this.issue(path, `expected ${expected}, got ${describe(value)}`);
    return undefined;
  }

  private issue(path: Path, message: string): void {
    this.issues.push({ path: [...path], message });
  }
}

/** What a wrong-typed list item becomes, so that indices stay aligned. */
function listHole(type: TypeExpr): unknown {
  const t = parsed(type);
  if (t.kind === 'object' || t.kind === 'map') return {};
  if (t.kind === 'list') return [];
  return t.name === 'k8s' || t.name === 'stringMap' ? {} : '';
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  return typeof v === 'object' ? 'a mapping' : typeof v;
}

/** ` (did you mean "x"?)` when a known field is within two edits or differs only in case. */
function suggest(key: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k, key);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
