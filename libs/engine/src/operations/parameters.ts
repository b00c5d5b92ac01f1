/** `NAME=VALUE` parameter overrides for retry and resubmit (Argo's overrideParameters). */
import type { Parameter, WorkflowSpec } from '@slipway/workflow';
import { OperationError } from './errors.js';

/** Parse `NAME=VALUE` strings (the value may contain `=`). */
export function parseParameterOverrides(parameters: readonly string[]): Parameter[] {
  return parameters.map((text) => {
    const eq = text.indexOf('=');
    if (eq < 0) throw new OperationError(`expected parameter of the form: NAME=VALUE. Received: ${text}`);
    return { name: text.slice(0, eq), value: text.slice(eq + 1) };
  });
}

/**
 * The overrides first, in the order given, then the workflow's other parameters: like Argo, an
 * overridden parameter keeps none of its old fields (no `valueFrom`, `enum`, description).
 */
export function overrideParameters(spec: WorkflowSpec, overrides: readonly Parameter[]): void {
  if (overrides.length === 0) return;
  const names = new Set(overrides.map((p) => p.name));
  const kept = (spec.arguments?.parameters ?? []).filter((p) => !names.has(p.name));
  spec.arguments = { ...(spec.arguments ?? {}), parameters: [...overrides.map((p) => ({ ...p })), ...kept] };
}
