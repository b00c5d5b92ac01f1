/**
 * A stored delivery (a `deliveries` row) back into what bindings are matched against, for the
 * worker and for replays: a GitLab/GitHub delivery is parsed again from the stored headers and
 * raw body (keeping the row's key and time); an event from Argo's generic endpoint
 * (`provider: generic`) is its JSON body as `payload`, its headers as `metadata` and the
 * `{discriminator}` path segment (stored as the event type). Stored headers are redacted, which
 * changes nothing here: secrets never reach expressions.
 */
import type { GenericEvent } from '../bindings/match-bindings.js';
import { parseDelivery } from '../delivery/parse-delivery.js';
import type { Delivery } from '../delivery/types.js';
import { SCM_PROVIDERS, type ScmProvider } from '../verify/hooks.js';

export interface StoredDelivery {
  provider: string;
  deliveryKey: string;
  /** For generic events: the discriminator. */
  eventType?: string;
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
}

export function restoreDelivery(row: StoredDelivery): Delivery {
  if (!SCM_PROVIDERS.includes(row.provider as ScmProvider)) throw new Error(`not a GitLab/GitHub delivery: provider ${row.provider}`);
  const d = parseDelivery(row.provider as ScmProvider, row.headers, row.rawBody, row.receivedAt);
  return { ...d, deliveryKey: row.deliveryKey };
}

/** Any stored delivery: GitLab/GitHub as `restoreDelivery`, `generic` as a GenericEvent. Throws for other providers and unreadable generic bodies. */
export function restoreEvent(row: StoredDelivery): Delivery | GenericEvent {
  if (row.provider !== 'generic') return restoreDelivery(row);
  let payload: unknown;
  try {
    payload = JSON.parse(row.rawBody === '' ? '{}' : row.rawBody);
  } catch (err) {
    throw new Error(`the generic event's body is not JSON: ${(err as Error).message}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(row.headers)) headers[name.toLowerCase()] = value;
  return { provider: 'generic', payload, headers, discriminator: row.eventType ?? '' };
}
