/**
 * A stored delivery (a `deliveries` row) back into a Delivery, for the worker and for replays:
 * parsed again from the stored headers and raw body, keeping the row's key and time. Stored
 * headers are redacted, which changes nothing here: secrets never reach expressions.
 */
import { parseDelivery } from '../delivery/parse-delivery.js';
import type { Delivery } from '../delivery/types.js';
import { SCM_PROVIDERS, type ScmProvider } from '../verify/hooks.js';

export interface StoredDelivery {
  provider: string;
  deliveryKey: string;
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
}

export function restoreDelivery(row: StoredDelivery): Delivery {
  if (!SCM_PROVIDERS.includes(row.provider as ScmProvider)) throw new Error(`not a GitLab/GitHub delivery: provider ${row.provider}`);
  const d = parseDelivery(row.provider as ScmProvider, row.headers, row.rawBody, row.receivedAt);
  return { ...d, deliveryKey: row.deliveryKey };
}
