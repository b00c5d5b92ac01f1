/**
 * `spec.slipway.concurrency.key`: a template whose `{{…}}` parts are expr-lang expressions over
 * the event (`{{payload.project.path_with_namespace}}/{{payload.ref}}`). A part that is nil is an
 * error, so a typo never lumps unrelated runs into one group.
 */
import { evaluateExpr } from '@slipway/workflow';
import { parseCached } from './event-env.js';
import { argoParameterString } from './parameter-value.js';

const TAG = /\{\{\s*(.+?)\s*\}\}/g;

export function renderConcurrencyKey(template: string, env: Record<string, unknown>): string {
  return template.replace(TAG, (_all, source: string) => {
    const value = evaluateExpr(parseCached(source), env);
    if (value === null || value === undefined) throw new Error(`{{${source}}} is not set in this event`);
    return argoParameterString(value);
  });
}
