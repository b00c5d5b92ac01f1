/** Evaluating `{{=expr}}` tags and bare expressions against a scope, with Argo's helper functions. */
import {
  argoExprEnv,
  evaluateExpr,
  nestEntries,
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

/** Substitute, failing on unresolved `steps.*`, `tasks.*`, `inputs.*`, `item` references and failing expressions. */
export function substituteStrict<T>(value: T, scope: Scope, strictPrefixes: readonly string[]): T {
  return replaceInObject(value, scope, {
    strictPrefixes,
    evaluateExpression: (e, s) => evaluateInScope(e, s),
    allowUnresolvedExpressions: false,
  });
}

export function substituteText(text: string, scope: Scope, strictPrefixes: readonly string[]): string {
  return replaceTags(text, scope, {
    strictPrefixes,
    evaluateExpression: (e, s) => evaluateInScope(e, s),
    allowUnresolvedExpressions: false,
  });
}
