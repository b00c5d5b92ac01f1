/**
 * The environment Argo gives `{{=…}}` tags and bare expressions (util/expr/env GetFuncMap):
 * the variables, with dotted keys expanded into nested maps, plus `asInt`, `asFloat`,
 * `jsonpath`, `toJson` and the `sprig` function map.
 */
import { ExpressionError } from '../error.js';
import { goJsonMarshal } from '../go-format/json.js';
import { jsonPath } from '../jsonpath/evaluate.js';
import { BUILTINS } from './builtins.js';
import { SPRIG } from './sprig.js';
import { goTypeName, isMap } from './values.js';

const noContext = { env: {} };

/** `jsonpath(jsonString, path)`: decode the JSON text, then query it. */
export function argoJsonPath(json: unknown, path: unknown): unknown {
  if (typeof json !== 'string') throw new Error(`jsonpath: expected a JSON string, got ${goTypeName(json)}`);
  if (typeof path !== 'string') throw new Error(`jsonpath: expected a path string, got ${goTypeName(path)}`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new ExpressionError(`jsonpath: invalid JSON: ${(err as Error).message}`, undefined, json);
  }
  return jsonPath(value, path);
}

export const ARGO_EXPR_FUNCTIONS: Readonly<Record<string, unknown>> = Object.freeze({
  asInt: (v: unknown) => BUILTINS.int([v], noContext),
  asFloat: (v: unknown) => BUILTINS.float([v], noContext),
  jsonpath: argoJsonPath,
  toJson: (v: unknown) => goJsonMarshal(v),
  sprig: SPRIG,
});

/**
 * Argo's expand.Expand: `{"a.b": 1, "a.c": 2}` becomes `{a: {b: 1, c: 2}}`; when a key is also
 * the prefix of another (`"a"` and `"a.b"`), the less specific one is dropped.
 */
export function expandDottedKeys(vars: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(vars).sort();
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, value: unknown): void => {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  };
  keys.forEach((key, i) => {
    if (i + 1 < keys.length && keys[i + 1].startsWith(`${key}.`)) return;
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (isMap(next)) node = next;
      else {
        const created: Record<string, unknown> = {};
        put(node, part, created);
        node = created;
      }
    }
    const leaf = parts[parts.length - 1];
    const existing = Object.hasOwn(node, leaf) ? node[leaf] : undefined;
    if (isMap(existing) && isMap(vars[key])) Object.assign(existing, vars[key]);
    else put(node, leaf, vars[key]);
  });
  return out;
}

/**
 * The environment for evaluateExpr: `vars` (dotted keys expanded) plus Argo's helpers, which win
 * over variables of the same name. To use `now()`, put `now` (a Date or a function returning
 * one) in `vars`: this library never reads the clock.
 */
export function argoExprEnv(vars: Record<string, unknown>): Record<string, unknown> {
  return { ...expandDottedKeys(vars), ...ARGO_EXPR_FUNCTIONS };
}
