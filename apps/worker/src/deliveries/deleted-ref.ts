/**
 * A deleted branch or tag starts nothing, but the runs it started earlier are now building
 * something that no longer exists: for each binding with `concurrency.cancelInProgress` whose
 * hook and selector accept the deletion event, its concurrency key (rendered from the deletion's
 * payload, which carries the same project and ref) names the group whose unfinished runs to stop.
 */
import { eventEnvironment, readExtensions, renderConcurrencyKey, type Delivery } from '@slipway/scm';
import { evaluateExpr, parseExpr, type WorkflowEventBinding } from '@slipway/workflow';

export function deletedRefGroups(delivery: Delivery, bindings: readonly WorkflowEventBinding[], ctx: { hookName?: string; namespace: string }): string[] {
  if (!delivery.deleted) return [];
  const keys = new Set<string>();
  for (const binding of bindings) {
    const ext = readExtensions(binding).value;
    if (!ext.concurrency?.cancelInProgress) continue;
    if (ext.hook !== undefined && ext.hook !== ctx.hookName) continue;
    const env = eventEnvironment({ payload: delivery.payload, headers: delivery.headers, discriminator: ctx.hookName ?? delivery.provider, namespace: ctx.namespace });
    try {
      if (evaluateExpr(parseExpr(binding.spec.event.selector), env) !== true) continue;
      keys.add(renderConcurrencyKey(ext.concurrency.key, env));
    } catch {
      // a selector or key that does not evaluate for a deletion: nothing to stop
    }
  }
  return [...keys];
}
