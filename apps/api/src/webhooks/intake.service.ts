/**
 * Webhook intake: `receiveDelivery` (verify → record, committed → answer; queue right after, with
 * a timeout) wired to PostgreSQL and the `deliveries` queue, plus Argo's generic events. Only the
 * delivery id is queued; what happens next is the worker's. Redis down: accepted anyway (`queued_at` stays null
 * and the sweeper queues it); PostgreSQL down: the error propagates and the route answers 503.
 *
 * Under load the deliveries of one moment share their round trips: the INSERTs go through
 * DeliveryIntakeWriter (group commit; each caller still waits for its own commit) and the queue
 * adds of one event-loop turn are one `addBulk`.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DeliveryIntakeWriter } from '@slipway/persistence';
import { SlipwayQueues } from '@slipway/queue';
import { normalizeHeaders, receiveDelivery, redactHeaders, type IntakePorts, type IntakeResult, type ScmProvider, type SecretCipher } from '@slipway/scm';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CLOCK, QUEUES, type Clock } from '../deps.js';
import { METRICS } from '../metrics/metrics.controller.js';
import type { SlipwayMetrics } from '@slipway/observability';
import { HookVerificationCache } from './hook-cache.js';
import { SECRET_CIPHER } from './secret-key.js';

/** Give up queueing after this long: a hung Redis must not delay the answer (GitLab/GitHub wait 10 s). */
export const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * `queued_at` marks are coalesced: one UPDATE for the deliveries queued within this window instead
 * of a committed UPDATE per delivery (half the commits of an intake under load). The mark is
 * advisory: an unmarked delivery is queued again by the sweeper after 10 s and processing claims
 * the row, so it still runs once.
 */
export const MARK_QUEUED_BATCH_MS = 20;

export interface GenericEventInput {
  namespace: string;
  discriminator: string;
  headers: IncomingHttpHeaders;
  body: string;
}

@Injectable()
export class WebhookIntakeService implements OnModuleDestroy {
  private readonly log = new Logger('webhooks');
  private pendingMarks: string[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private pendingQueue: { id: string; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(
    private readonly hooks: HookVerificationCache,
    private readonly writer: DeliveryIntakeWriter,
    @Inject(QUEUES) private readonly queues: SlipwayQueues,
    @Inject(SECRET_CIPHER) private readonly cipher: SecretCipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS) private readonly metrics: SlipwayMetrics,
  ) {}

  receive(provider: ScmProvider, hookName: string | undefined, headers: IncomingHttpHeaders, rawBody: Buffer): Promise<IntakeResult> {
    // slipway_webhook_deliveries_total{source, outcome}: accepted, duplicate, unauthorized or error.
    return this.verifyAndRecord(provider, hookName, headers, rawBody).then(
      (result) => {
        this.metrics.webhookDeliveries.inc({ source: provider, outcome: result.status === 'accepted' && result.duplicate ? 'duplicate' : result.status });
        return result;
      },
      (err: unknown) => {
        this.metrics.webhookDeliveries.inc({ source: provider, outcome: 'error' });
        throw err;
      },
    );
  }

  /**
   * Hooks come from a short-lived cache (one query less per delivery); nothing is stored when the
   * secret matches none, so before answering 401 the secret is checked against the database itself
   * (a hook created or rotated on another replica since the hooks were cached).
   */
  private async verifyAndRecord(provider: ScmProvider, hookName: string | undefined, headers: IncomingHttpHeaders, rawBody: Buffer): Promise<IntakeResult> {
    const result = await receiveDelivery({ provider, hookName, headers, rawBody }, this.ports(false));
    if (result.status !== 'unauthorized') return result;
    return receiveDelivery({ provider, hookName, headers, rawBody }, this.ports(true));
  }

  /** Argo's `POST /api/v1/events/{namespace}/{discriminator}`: stored as a `generic` delivery and queued. */
  async receiveGeneric(input: GenericEventInput): Promise<{ id: string; duplicate: boolean; queued: boolean }> {
    const headers = redactHeaders(normalizeHeaders(input.headers));
    const key = headers['idempotency-key'] ?? headers['x-request-id'];
    const receivedAt = new Date(this.clock());
    const { id, duplicate } = await this.writer.record({
      provider: 'generic',
      hookId: null,
      namespace: input.namespace,
      deliveryKey: key ? `${input.namespace}/${input.discriminator}/${key}` : `generic:${randomUUID()}`,
      eventType: input.discriminator,
      kind: 'generic',
      headers,
      rawBody: input.body,
      receivedAt,
    });
    this.metrics.webhookDeliveries.inc({ source: 'generic', outcome: duplicate ? 'duplicate' : 'accepted' });
    if (duplicate) return { id, duplicate, queued: false };
    return { id, duplicate, queued: await this.enqueue(id) };
  }

  /** Queue a stored delivery (replays); false when Redis did not take it in time (the sweeper will). */
  async enqueue(deliveryId: string): Promise<boolean> {
    try {
      await withTimeout(this.queueGrouped(deliveryId), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      this.queueError(deliveryId, err as Error);
      return false;
    }
    this.markQueuedSoon([deliveryId]);
    return true;
  }

  /** Write the pending `queued_at` marks now (also on shutdown, before the database goes away). */
  async flushMarks(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const ids = this.pendingMarks;
    if (ids.length === 0) return;
    this.pendingMarks = [];
    try {
      await this.writer.markQueued(ids, new Date(this.clock()));
    } catch (err) {
      this.log.warn(`${ids.length} deliveries not marked queued (the sweeper queues them again, processing runs each once): ${(err as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.flushMarks();
    await this.writer.close();
  }

  /** Add the job; the adds of one event-loop turn go to Redis as one `addBulk`. */
  private queueGrouped(deliveryId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingQueue.push({ id: deliveryId, resolve, reject });
      if (this.pendingQueue.length > 1) return;
      setImmediate(() => {
        const group = this.pendingQueue;
        this.pendingQueue = [];
        this.queues.queueDeliveries(group.map((g) => g.id)).then(
          () => group.forEach((g) => g.resolve()),
          (err: unknown) => group.forEach((g) => g.reject(err)),
        );
      });
    });
  }

  private markQueuedSoon(ids: readonly string[]): void {
    this.pendingMarks.push(...ids);
    this.markTimer ??= setTimeout(() => void this.flushMarks(), MARK_QUEUED_BATCH_MS);
  }

  private ports(fresh: boolean): IntakePorts {
    return {
      hooks: (provider, name) => this.hooks.get(provider, name, { fresh }),
      record: (row) => this.writer.record(row),
      enqueue: (deliveryId) => this.queueGrouped(deliveryId),
      markQueued: (ids) => {
        this.markQueuedSoon(ids);
        return Promise.resolve();
      },
      cipher: this.cipher,
      now: () => new Date(this.clock()),
      enqueueTimeoutMs: ENQUEUE_TIMEOUT_MS,
      onQueueError: (id, err) => this.queueError(id, err),
      // The 202 waits for the commit only; the job is added right after (a hung Redis delays nothing).
      queueAfterAnswer: true,
    };
  }

  private queueError(deliveryId: string, err: Error): void {
    this.log.warn(`delivery ${deliveryId} not queued (the sweeper queues it later): ${err.message}`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`queueing took longer than ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
