/**
 * Event-derived parameter values: Argo's string form, and the injection-safety check.
 *
 * Argo turns a `valueFrom.event` result into a parameter with `json.Marshal`, and a JSON string
 * loses its quotes (wfv1.Item.String): `"main"` → `main`, `["a","b"]` → `["a","b"]`, `1` → `1`.
 */
import { goJsonMarshal } from '@slipway/workflow';

/** What every event-derived value must match unless the binding overrides it for the parameter. */
export const DEFAULT_SAFE_PATTERN = '^[A-Za-z0-9._/@+-]{1,255}$';

export function argoParameterString(value: unknown): string {
  const json = goJsonMarshal(value);
  const inner = json.startsWith('"') ? json.slice(1, -1) : json;
  // util/json.Fix: undo Go's HTML-safe escaping.
  return inner.replaceAll('\\u003c', '<').replaceAll('\\u003e', '>').replaceAll('\\u0026', '&');
}

const compiled = new Map<string, RegExp>();

/** The whole value must match: a binding's pattern is anchored even when written without ^…$. */
export function safePatternRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** undefined when safe, else why not (names the parameter and shows the offending value). */
export function unsafeValueReason(parameter: string, value: string, pattern: string, overridden: boolean): string | undefined {
  if (safePatternRegExp(pattern).test(value)) return undefined;
  const shown = value.length > 120 ? `${JSON.stringify(value.slice(0, 120))}…` : JSON.stringify(value);
  const where = overridden ? `its safePattern ${JSON.stringify(pattern)}` : `the default safe pattern ${DEFAULT_SAFE_PATTERN}`;
  return (
    `parameter "${parameter}": event value ${shown} does not match ${where}; ` +
    `it could run as shell code in a script (set spec.slipway.parameters.${parameter}.safePattern to allow it)`
  );
}
