/** Evaluating `{{=expr}}` tags and bare expressions against a scope, with Argo's helper functions. */
import {
  argoExprEnv,
  evaluateExpr,
  freeNames,
  nestEntries,
  parseExpr,
  UnresolvedError,
  replaceInObject,
  replaceTags,
  type ReplaceOptions,
  type Scope,
} from '@slipway/workflow';

export function evaluateInScope(expression: string, scope: Scope, extra: Record<string, unknown> = {}): unknown {
  const env = argoExprEnv({ ...nestEntries(scope.entries()), ...extra });
  return evaluateExpr(expression, env);
}

const lenient: ReplaceOptions = {
  evaluateExpression: (e, s) => evaluateInScope(e, s),
  allowUnresolvedExpressions: true,
};

/** Substitute what can be substituted; leave the rest (Argo's `Replace(…, allowUnresolved=true)`). */
export function substituteLenient<T>(value: T, scope: Scope): T {
  return replaceInObject(value, scope, lenient);
}

/**
 * Substitute, failing on unresolved references with a strict prefix (`steps.`, `tasks.`, `item`…).
 * Like Argo's ReplaceStrict, an expression that reads a name not known yet is left for later,
 * unless that name is strict.
 */
export function substituteStrict<T>(value: T, scope: Scope, strictPrefixes: readonly string[]): T {
  return replaceInObject(value, scope, strictOptions(strictPrefixes));
}

function strictOptions(strictPrefixes: readonly string[]): ReplaceOptions {
  return {
    strictPrefixes,
    evaluateExpression: (expression, s) => {
      const env = nestEntries(s.entries());
      const missing = freeNames(parseExpr(expression)).filter((n) => !(n in env) && !(n in ARGO_NAMES));
      const strict = missing.find((n) => strictPrefixes.some((p) => p === n || p === `${n}.` || p.startsWith(`${n}.`)));
      if (strict) throw new UnresolvedError(`=${expression}`, `failed to evaluate expression {{=${expression}}}: ${strict} is missing`);
      if (missing.length > 0) throw new Error(`not resolvable yet: ${missing.join(', ')}`);
      let value: unknown;
      try {
        value = evaluateExpr(expression, argoExprEnv(env));
      } catch (err) {
        throw new UnresolvedError(`=${expression}`, `failed to evaluate expression {{=${expression}}}: ${(err as Error).message}`);
      }
      if (value === null || value === undefined) {
        throw new UnresolvedError(`=${expression}`, `failed to evaluate expression {{=${expression}}}: it has no value`);
      }
      return value;
    },
    allowUnresolvedExpressions: true,
  };
}

const ARGO_NAMES = argoExprEnv({});

export function substituteText(text: string, scope: Scope, strictPrefixes: readonly string[]): string {
  return replaceTags(text, scope, strictOptions(strictPrefixes));
}
