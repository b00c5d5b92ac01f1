/**
 * `{{tag}}` substitution with Argo's rules (util/template/simple_template.go, expression_template.go):
 * whitespace inside the braces is trimmed; `{{=expr}}` is an expr-lang expression; unknown tags are
 * left verbatim unless they start with a strict prefix, in which case resolution fails.
 */

/** A variable that exists but has no value (e.g. the output of a skipped step with no default). */
export const NIL = Symbol('nil');
export type Resolved = string | undefined | typeof NIL;

export interface Scope {
  /** The value of `tag` (already trimmed), undefined when unknown, NIL when present without value. */
  get(tag: string): Resolved;
  /** Flat `key → value` entries, used to build the environment of `{{=expr}}` tags. */
  entries(): Iterable<[string, string]>;
}

export class UnresolvedError extends Error {
  constructor(
    readonly tag: string,
    message?: string,
  ) {
    super(message ?? `failed to resolve {{${tag}}}`);
  }
}

export interface ReplaceOptions {
  /** Tags with these prefixes must resolve (else UnresolvedError). Others are left verbatim. */
  strictPrefixes?: readonly string[];
  /** Evaluates `{{=expr}}` tags; when absent those tags are left verbatim. */
  evaluateExpression?: (expression: string, scope: Scope) => unknown;
  /**
   * When an expression fails or yields nil: leave the tag verbatim (true, Argo's first pass over a
   * template, before its inputs are known) or throw (false).
   */
  allowUnresolvedExpressions?: boolean;
}

const TAG = /\{\{([\s\S]*?)\}\}/g;

export function hasTags(text: string): boolean {
  return text.includes('{{');
}

/** Replace every tag in `text`. */
export function replaceTags(text: string, scope: Scope, options: ReplaceOptions = {}): string {
  if (!text.includes('{{')) return text;
  return text.replace(TAG, (whole, inner: string) => {
    const tag = inner.trim();
    if (tag.startsWith('=')) {
      if (!options.evaluateExpression) return whole;
      let value: unknown;
      try {
        value = options.evaluateExpression(tag.slice(1), scope);
      } catch (err) {
        if (err instanceof UnresolvedError) throw err;
        if (options.allowUnresolvedExpressions) return whole;
        throw new UnresolvedError(tag, `failed to evaluate expression {{${tag}}}: ${(err as Error).message}`);
      }
      if (value === undefined || value === null) {
        if (options.allowUnresolvedExpressions) return whole;
        throw new UnresolvedError(tag, `failed to evaluate expression {{${tag}}}: it has no value`);
      }
      return stringifyValue(value);
    }
    const value = scope.get(tag);
    if (value === NIL) throw new UnresolvedError(tag, `{{${tag}}} has no value (the step that would set it did not run and no default is declared)`);
    if (value !== undefined) return value;
    if (options.strictPrefixes?.some((p) => tag === p.replace(/\.$/, '') || tag.startsWith(p))) {
      throw new UnresolvedError(tag);
    }
    return whole;
  });
}

/** How a value produced by an expression is written into text (Argo marshals non-strings as JSON). */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Apply `replaceTags` to every string inside a JSON-like value (keys are kept). Returns a copy. */
export function replaceInObject<T>(value: T, scope: Scope, options: ReplaceOptions = {}): T {
  return walk(value, (s) => replaceTags(s, scope, options)) as T;
}

function walk(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return value.includes('{{') ? fn(value) : value;
  if (Array.isArray(value)) return value.map((v) => walk(v, fn));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // An index loop: this runs cold (interpreted) at every pod start, where for…of allocates an
    // iterator result per key.
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) out[keys[i]] = walk((value as Record<string, unknown>)[keys[i]], fn);
    return out;
  }
  return value;
}

/** Every `{{tag}}` (trimmed, including `=expr` ones) inside a JSON-like value. */
export function collectTags(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('{{')) for (const m of value.matchAll(TAG)) into.push(m[1].trim());
  } else if (Array.isArray(value)) {
    for (const v of value) collectTags(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collectTags(v, into);
  }
  return into;
}

/** A scope over a Map, optionally layered over a parent scope. */
export class MapScope implements Scope {
  constructor(
    readonly values: Map<string, string | typeof NIL> = new Map(),
    readonly parent?: Scope,
    readonly dynamic?: (tag: string) => Resolved,
  ) {}

  get(tag: string): Resolved {
    const own = this.values.get(tag);
    if (own !== undefined) return own;
    const d = this.dynamic?.(tag);
    if (d !== undefined) return d;
    return this.parent?.get(tag);
  }

  set(key: string, value: string | typeof NIL): this {
    this.values.set(key, value);
    return this;
  }

  *entries(): Iterable<[string, string]> {
    const seen = new Set<string>();
    for (const [k, v] of this.values) {
      seen.add(k);
      if (v !== NIL) yield [k, v];
    }
    if (this.parent) for (const [k, v] of this.parent.entries()) if (!seen.has(k)) yield [k, v];
  }
}

/**
 * Build the nested environment an expression sees from flat `a.b.c → value` entries, as Argo's
 * `expand` does: `inputs.parameters.x` becomes `{inputs: {parameters: {x: "…"}}}`.
 */
export function nestEntries(entries: Iterable<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const sorted = [...entries].sort((a, b) => b[0].length - a[0].length);
  for (const [key, value] of sorted) {
    const parts = key.split('.');
    let node: Record<string, unknown> = root;
    let ok = true;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (next === undefined) {
        const created: Record<string, unknown> = {};
        node[parts[i]] = created;
        node = created;
      } else if (typeof next === 'object' && next !== null) {
        node = next as Record<string, unknown>;
      } else {
        ok = false; // a value already stands where a map would go (e.g. `steps.x.outputs.parameters` JSON)
        break;
      }
    }
    if (ok) {
      const leaf = parts[parts.length - 1];
      if (!(leaf in node) || typeof node[leaf] !== 'object') node[leaf] = value;
    }
  }
  return root;
}
