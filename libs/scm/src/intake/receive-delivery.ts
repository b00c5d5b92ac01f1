/**
 * Webhook intake without HTTP: what `POST /api/v1/webhooks/{gitlab|github}[/{hook}]` does between
 * reading the raw body and answering. Transport-independent, with the outside world as ports:
 *
 * 1. Load the provider's hooks (only the named one on `/…/{hook}`) and verify the secret
 *    before parsing anything → `unauthorized` (401).
 * 2. Parse and record the delivery; `record` commits before this resolves. A redelivery
 *    (same key) → `accepted` with `duplicate`, nothing queued. Events that start nothing by
 *    nature are recorded finished (`skipped`).
 * 3. Queue the delivery id (bounded by `enqueueTimeoutMs`; with `queueAfterAnswer` right after
 *    resolving instead of before). If the queue is down the delivery stays accepted: the outbox
 *    sweeper queues it later (`queued: false`). `markQueued` is not awaited (the sweeper tolerates
 *    a lost mark: processing claims the row, so it runs once).
 *
 * Errors from `hooks` or `record` (the database is down) are thrown: answer 503, never 4xx
 * (GitLab disables a hook after 4xx answers).
 */
import type { Delivery } from '../delivery/types.js';
import { parseDelivery } from '../delivery/parse-delivery.js';
import type { HeaderInput } from '../http/headers.js';
import type { SecretCipher } from '../secrets/secret-cipher.js';
import type { ScmProvider, WebhookHook } from '../verify/hooks.js';
import { verifyGithub } from '../verify/verify-github.js';
import { verifyGitlab } from '../verify/verify-gitlab.js';

/** The row to store (matches @slipway/persistence NewDelivery). */
export interface DeliveryRow {
  provider: string;
  hookId: string | null;
  namespace: string;
  deliveryKey: string;
  eventType: string;
  kind: string;
  repo: string | null;
  ref: string | null;
  commitSha: string | null;
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
  outcome: 'received' | 'skipped';
  reason: string | null;
}

export interface IntakePorts {
  /** Registered hooks of the provider; only `name` when given (`/webhooks/<provider>/<name>`). */
  hooks(provider: ScmProvider, name?: string): Promise<WebhookHook[]>;
  record(row: DeliveryRow): Promise<{ id: string; duplicate: boolean }>;
  /** Add the processing job (payload: the delivery id). */
  enqueue(deliveryId: string): Promise<void>;
  markQueued(ids: string[], at: Date): Promise<unknown>;
  cipher?: SecretCipher;
  now?: () => Date;
  /** Give up queueing after this long (default 2000 ms): a hung Redis must not delay the answer. */
  enqueueTimeoutMs?: number;
  /** Told when queueing failed (the sweeper will queue it) or a mark could not be written. */
  onQueueError?: (deliveryId: string, error: Error) => void;
  /**
   * Resolve once the delivery is committed and queue it right after, instead of waiting for the
   * queue too (`queued: false` and `queueing` in the result): the answer then waits for
   * PostgreSQL only. Nothing is lost either way: a delivery whose job never made it is queued
   * by the sweeper.
   */
  queueAfterAnswer?: boolean;
}

export interface IntakeRequest {
  provider: ScmProvider;
  /** The `{hook}` path segment, if any. */
  hookName?: string;
  headers: HeaderInput;
  rawBody: Buffer | string;
}

export type IntakeResult =
  | { status: 'unauthorized' }
  | {
      status: 'accepted';
      deliveryId: string;
      duplicate: boolean;
      /** In the queue before this resolved. */
      queued: boolean;
      /** With `queueAfterAnswer`: whether queueing (started, not awaited) succeeded. */
      queueing?: Promise<boolean>;
      hook: WebhookHook;
      delivery: Delivery;
    };

export async function receiveDelivery(req: IntakeRequest, ports: IntakePorts): Promise<IntakeResult> {
  const receivedAt = ports.now?.() ?? new Date();
  const hooks = await ports.hooks(req.provider, req.hookName);
  const hook =
    req.provider === 'gitlab'
      ? verifyGitlab(req.headers, hooks, { cipher: ports.cipher })
      : await verifyGithub(req.rawBody, req.headers, hooks, { cipher: ports.cipher });
  if (!hook) return { status: 'unauthorized' };

  const delivery = parseDelivery(req.provider, req.headers, req.rawBody, receivedAt);
  const { id, duplicate } = await ports.record(deliveryRow(delivery, hook));
  if (duplicate || delivery.ignoredReason) return { status: 'accepted', deliveryId: id, duplicate, queued: false, hook, delivery };

  const queueing = queue(id, ports);
  if (ports.queueAfterAnswer) return { status: 'accepted', deliveryId: id, duplicate: false, queued: false, queueing, hook, delivery };
  return { status: 'accepted', deliveryId: id, duplicate: false, queued: await queueing, hook, delivery };
}

/** Add the job (bounded by the timeout), then mark the row queued without waiting; never rejects. */
async function queue(id: string, ports: IntakePorts): Promise<boolean> {
  try {
    await withTimeout(ports.enqueue(id), ports.enqueueTimeoutMs ?? 2000);
  } catch (err) {
    ports.onQueueError?.(id, err as Error);
    return false;
  }
  void Promise.resolve()
    .then(() => ports.markQueued([id], ports.now?.() ?? new Date()))
    .catch((err: unknown) => ports.onQueueError?.(id, err as Error));
  return true;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`queueing took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function deliveryRow(d: Delivery, hook: Pick<WebhookHook, 'id' | 'namespace'>): DeliveryRow {
  return {
    provider: d.provider,
    hookId: hook.id,
    namespace: hook.namespace,
    deliveryKey: d.deliveryKey,
    eventType: d.eventType,
    kind: d.kind,
    repo: d.repo ?? null,
    ref: d.ref ?? null,
    commitSha: d.commitSha ?? null,
    headers: d.headers,
    rawBody: d.rawBody,
    receivedAt: d.receivedAt,
    outcome: d.ignoredReason ? 'skipped' : 'received',
    reason: d.ignoredReason ?? null,
  };
}
