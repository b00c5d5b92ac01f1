/**
 * Which WorkflowEventBindings a delivery starts, and with which parameters (Argo's event
 * dispatch plus Slipway's `spec.slipway` extensions and injection safety).
 *
 * Order per binding: the delivery starts nothing at all (unhandled event, deletion) → hook
 * reference → branch/tag filters → path filter → `spec.event.selector` → parameters (each
 * checked against its safe pattern) → concurrency key. A filter or a false selector skips the
 * binding; an expression error or an unsafe value rejects it with a reason for the delivery log.
 */
import { evaluateExpr, type WorkflowEventBinding } from '@slipway/workflow';
import type { Delivery } from '../delivery/types.js';
import type { HeaderMap } from '../http/headers.js';
import { eventEnvironment, parseCached } from './event-env.js';
import { readExtensions, type SlipwayBindingExtensions } from './extensions.js';
import { argoParameterString, DEFAULT_SAFE_PATTERN, unsafeValueReason } from './parameter-value.js';
import { pathFilterReason, refFilterReason } from './ref-filters.js';
import { renderConcurrencyKey } from './concurrency-key.js';

/** An event from Argo's generic endpoint (`POST /api/v1/events/{namespace}/{discriminator}`): any JSON. */
export interface GenericEvent {
  provider: 'generic';
  payload: unknown;
  /** Lower-cased request headers (credentials are never shown to expressions). */
  headers: HeaderMap;
  /** The `{discriminator}` path segment (`discriminator` in expressions unless the context names one). */
  discriminator?: string;
}

export type BindingEvent = Delivery | GenericEvent;

export interface MatchContext {
  /** Name of the hook that authenticated the delivery (checked against `spec.slipway.hook`). */
  hookName?: string;
  /** `discriminator` in expressions; default: the hook name, else the provider. */
  discriminator?: string;
  /** `namespace` in expressions; default: the binding's namespace. */
  namespace?: string;
}

export interface EventParameter {
  name: string;
  value: string;
}

export interface BindingStart {
  binding: WorkflowEventBinding;
  /** The arguments for `submit.workflowTemplateRef`, in the binding's order. */
  parameters: EventParameter[];
  concurrencyKey?: string;
  cancelInProgress: boolean;
  /** `spec.slipway.alerts.to` (empty when unset). */
  alertRecipients: string[];
  extensions: SlipwayBindingExtensions;
}

export interface BindingRejection {
  binding: WorkflowEventBinding;
  /** Names the binding and what failed (an unsafe value names the parameter and the value). */
  rejected: string;
  /** `unsafe`: an event value failed its safe pattern; `invalid`: the binding or an expression is broken. */
  cause: 'unsafe' | 'invalid';
}

export type BindingMatch = BindingStart | BindingRejection;

export type BindingDecision = ({ status: 'start' } & BindingStart) | ({ status: 'rejected' } & BindingRejection) | { status: 'skipped'; binding: WorkflowEventBinding; reason: string };

export function isRejection(m: BindingMatch): m is BindingRejection {
  return 'rejected' in m;
}

/** The bindings the delivery starts or that reject it; bindings it does not concern are left out. */
export function matchBindings(delivery: BindingEvent, bindings: readonly WorkflowEventBinding[], ctx: MatchContext = {}): BindingMatch[] {
  const out: BindingMatch[] = [];
  for (const binding of bindings) {
    const d = decideBinding(delivery, binding, ctx);
    if (d.status === 'start') out.push({ binding, parameters: d.parameters, concurrencyKey: d.concurrencyKey, cancelInProgress: d.cancelInProgress, alertRecipients: d.alertRecipients, extensions: d.extensions });
    else if (d.status === 'rejected') out.push({ binding, rejected: d.rejected, cause: d.cause });
  }
  return out;
}

/** The full decision for one binding, including why it was skipped (for "no binding matched" reasons). */
export function decideBinding(delivery: BindingEvent, binding: WorkflowEventBinding, ctx: MatchContext = {}): BindingDecision {
  const name = binding.metadata?.name ?? '?';
  const skip = (reason: string): BindingDecision => ({ status: 'skipped', binding, reason: `binding ${name}: ${reason}` });
  const reject = (reason: string, cause: BindingRejection['cause'] = 'invalid'): BindingDecision => ({
    status: 'rejected',
    binding,
    rejected: `binding ${name}: ${reason}`,
    cause,
  });

  const scm = delivery.provider === 'generic' ? undefined : delivery;
  if (scm?.ignoredReason) return skip(scm.ignoredReason);
  const { value: ext, errors } = readExtensions(binding);
  if (errors.length) return reject(`invalid spec.slipway: ${errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`);
  if (ext.hook !== undefined && ext.hook !== ctx.hookName) return skip(`delivery came through hook ${ctx.hookName ?? '(none)'}, binding listens to hook ${ext.hook}`);
  if (scm) {
    const refReason = refFilterReason(scm, ext) ?? pathFilterReason(scm, ext);
    if (refReason) return skip(refReason);
  } else if (ext.branches || ext.tags || ext.paths) {
    return skip('branches/tags/paths filters apply to GitLab and GitHub deliveries only');
  }

  const env = eventEnvironment({
    payload: delivery.payload,
    headers: delivery.headers,
    discriminator: ctx.discriminator ?? (delivery.provider === 'generic' ? delivery.discriminator : undefined) ?? ctx.hookName ?? delivery.provider,
    namespace: ctx.namespace ?? binding.metadata?.namespace ?? '',
  });
  let matched: unknown;
  try {
    matched = evaluateExpr(parseCached(binding.spec?.event?.selector ?? ''), env);
  } catch (err) {
    return reject(`failed to evaluate spec.event.selector: ${(err as Error).message}`);
  }
  if (typeof matched !== 'boolean') return reject(`spec.event.selector must give a bool, got ${argoParameterString(matched)}`);
  if (!matched) return skip('selector is false');
  if (!binding.spec.submit) return skip('no spec.submit');

  const parameters: EventParameter[] = [];
  for (const p of binding.spec.submit.arguments?.parameters ?? []) {
    const source = p.valueFrom?.event;
    if (source === undefined) return reject(`malformed workflow template parameter "${p.name}": valueFrom.event is not set`);
    let value: string;
    try {
      value = argoParameterString(evaluateExpr(parseCached(source), env));
    } catch (err) {
      return reject(`failed to evaluate workflow template parameter "${p.name}" expression: ${(err as Error).message}`);
    }
    const override = ext.parameters?.[p.name]?.safePattern;
    const unsafe = unsafeValueReason(p.name, value, override ?? DEFAULT_SAFE_PATTERN, override !== undefined);
    if (unsafe) return reject(unsafe, 'unsafe');
    parameters.push({ name: p.name, value });
  }

  let concurrencyKey: string | undefined;
  if (ext.concurrency) {
    try {
      concurrencyKey = renderConcurrencyKey(ext.concurrency.key, env);
    } catch (err) {
      return reject(`spec.slipway.concurrency.key: ${(err as Error).message}`);
    }
  }
  return {
    status: 'start',
    binding,
    parameters,
    concurrencyKey,
    cancelInProgress: ext.concurrency?.cancelInProgress ?? false,
    alertRecipients: ext.alerts?.to ?? [],
    extensions: ext,
  };
}
