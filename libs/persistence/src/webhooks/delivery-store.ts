/**
 * Webhook deliveries: the inbox of GitLab/GitHub events and the outbox of the delivery queue.
 *
 * - `record` is one INSERT … ON CONFLICT (provider, delivery_key) DO NOTHING: a redelivery finds
 *   the first row (`duplicate: true`). It commits before the HTTP answer (the caller awaits it).
 * - `markQueued` after the job is in Redis; `unqueued`/`stuck` let a sweeper queue the rest.
 * - `claim` (inside a transaction) locks a `received` delivery for processing, so two workers
 *   never both start its workflows; `finish` records the outcome in the same transaction.
 * - `replay` copies a delivery into a new one that is processed again.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

type Db = PrismaClient | Prisma.TransactionClient;

export type DeliveryOutcome = 'received' | 'started' | 'skipped' | 'rejected' | 'error';

export interface NewDelivery {
  provider: string;
  hookId: string | null;
  namespace: string;
  deliveryKey: string;
  eventType: string;
  kind: string;
  repo?: string | null;
  ref?: string | null;
  commitSha?: string | null;
  /** Lower-cased headers; credential headers are redacted here again in any case. */
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
  /** A delivery that starts nothing by its nature (unhandled event, deletion) is recorded finished. */
  outcome?: 'received' | 'skipped';
  reason?: string | null;
}

export interface DeliverySummary {
  id: string;
  provider: string;
  hookId: string | null;
  namespace: string;
  deliveryKey: string;
  eventType: string;
  kind: string;
  repo: string | null;
  ref: string | null;
  commitSha: string | null;
  receivedAt: Date;
  queuedAt: Date | null;
  outcome: DeliveryOutcome;
  reason: string | null;
  workflowIds: string[];
  processedAt: Date | null;
  replayOf: string | null;
}

export interface DeliveryDetail extends DeliverySummary {
  headers: Record<string, string>;
  rawBody: string;
}

export interface DeliveryFilter {
  namespace?: string;
  provider?: string;
  outcome?: DeliveryOutcome;
  eventType?: string;
  kind?: string;
  repo?: string;
  since?: Date;
  until?: Date;
  /** Keyset pagination: deliveries received before this one (newest first). */
  before?: { receivedAt: Date; id: string };
  /** Default 50, at most 500. */
  limit?: number;
}

const REDACT = new Set(['x-gitlab-token', 'authorization', 'proxy-authorization', 'cookie']);

const SUMMARY = {
  id: true,
  provider: true,
  hookId: true,
  namespace: true,
  deliveryKey: true,
  eventType: true,
  kind: true,
  repo: true,
  ref: true,
  commitSha: true,
  receivedAt: true,
  queuedAt: true,
  outcome: true,
  reason: true,
  workflowIds: true,
  processedAt: true,
  replayOf: true,
} as const;

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  /** Store a delivery unless one with the same (provider, delivery key) exists. */
  async record(d: NewDelivery): Promise<{ id: string; duplicate: boolean }> {
    const id = randomUUID();
    const outcome = d.outcome ?? 'received';
    const headers = JSON.stringify(safeHeaders(d.headers));
    const inserted = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO deliveries (id, provider, hook_id, namespace, delivery_key, event_type, kind, repo, ref, commit_sha,
                              headers, raw_body, received_at, outcome, reason, processed_at)
      VALUES (${id}::uuid, ${d.provider}, ${d.hookId}::uuid, ${d.namespace}, ${d.deliveryKey}, ${d.eventType}, ${d.kind},
              ${d.repo ?? null}, ${d.ref ?? null}, ${d.commitSha ?? null}, ${headers}::jsonb, ${noNul(d.rawBody)}, ${d.receivedAt},
              ${outcome}, ${d.reason ?? null}, ${outcome === 'received' ? null : d.receivedAt})
      ON CONFLICT (provider, delivery_key) DO NOTHING
      RETURNING id::text AS id`;
    if (inserted.length) return { id: inserted[0].id, duplicate: false };
    const existing = await this.db.delivery.findUnique({ where: { provider_deliveryKey: { provider: d.provider, deliveryKey: d.deliveryKey } }, select: { id: true } });
    if (!existing) throw new Error(`delivery ${d.provider}/${d.deliveryKey} conflicted but cannot be found`);
    return { id: existing.id, duplicate: true };
  }

  async get(id: string): Promise<DeliveryDetail | undefined> {
    const row = await this.db.delivery.findUnique({ where: { id }, select: { ...SUMMARY, headers: true, rawBody: true } });
    return row ? { ...(row as DeliverySummary & { rawBody: string }), headers: row.headers as Record<string, string> } : undefined;
  }

  /** Newest first, without headers and bodies. */
  async list(filter: DeliveryFilter = {}): Promise<DeliverySummary[]> {
    const where: Prisma.DeliveryWhereInput = {
      namespace: filter.namespace,
      provider: filter.provider,
      outcome: filter.outcome,
      eventType: filter.eventType,
      kind: filter.kind,
      repo: filter.repo,
      receivedAt: filter.since || filter.until ? { gte: filter.since, lte: filter.until } : undefined,
      ...(filter.before
        ? { OR: [{ receivedAt: { lt: filter.before.receivedAt } }, { receivedAt: filter.before.receivedAt, id: { lt: filter.before.id } }] }
        : {}),
    };
    const rows = await this.db.delivery.findMany({
      where,
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      take: Math.min(Math.max(filter.limit ?? 50, 1), 500),
      select: SUMMARY,
    });
    return rows as DeliverySummary[];
  }

  /** The queue job for these deliveries was added. */
  async markQueued(ids: readonly string[], at: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db.delivery.updateMany({ where: { id: { in: [...ids] } }, data: { queuedAt: at } });
    return res.count;
  }

  /** Received before `olderThan` and never queued (Redis was down): for the sweeper, oldest first. */
  async unqueued(olderThan: Date, limit = 100): Promise<DeliverySummary[]> {
    const rows = await this.db.delivery.findMany({
      where: { outcome: 'received', queuedAt: null, receivedAt: { lt: olderThan } },
      orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: SUMMARY,
    });
    return rows as DeliverySummary[];
  }

  /** Queued before `queuedBefore` but still not processed (the job was lost): queue again. */
  async stuck(queuedBefore: Date, limit = 100): Promise<DeliverySummary[]> {
    const rows = await this.db.delivery.findMany({
      where: { outcome: 'received', queuedAt: { lt: queuedBefore } },
      orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: SUMMARY,
    });
    return rows as DeliverySummary[];
  }

  /**
   * Lock a delivery that is still `received` for processing (SELECT … FOR UPDATE), or undefined
   * when another worker already finished it. Use the store of a transaction (`new DeliveryStore(tx)`):
   * the lock lasts until the transaction ends, and `finish` belongs in the same transaction.
   */
  async claim(id: string): Promise<DeliveryDetail | undefined> {
    const locked = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM deliveries WHERE id = ${id}::uuid AND outcome = 'received' FOR UPDATE`;
    return locked.length ? this.get(id) : undefined;
  }

  /** Record the outcome of a `received` delivery; false when it was already finished. */
  async finish(id: string, result: { outcome: Exclude<DeliveryOutcome, 'received'>; reason?: string | null; workflowIds?: string[]; at: Date }): Promise<boolean> {
    const res = await this.db.delivery.updateMany({
      where: { id, outcome: 'received' },
      data: { outcome: result.outcome, reason: result.reason ?? null, workflowIds: result.workflowIds ?? [], processedAt: result.at },
    });
    return res.count > 0;
  }

  /** A new delivery with the same headers and body, to be queued and processed again. */
  async replay(id: string, at: Date): Promise<DeliverySummary | undefined> {
    const original = await this.get(id);
    if (!original) return undefined;
    const newId = randomUUID();
    const row = await this.db.delivery.create({
      data: {
        id: newId,
        provider: original.provider,
        hookId: original.hookId,
        namespace: original.namespace,
        deliveryKey: `replay:${newId}`,
        eventType: original.eventType,
        kind: original.kind,
        repo: original.repo,
        ref: original.ref,
        commitSha: original.commitSha,
        headers: original.headers,
        rawBody: original.rawBody,
        receivedAt: at,
        replayOf: original.id,
      },
      select: SUMMARY,
    });
    return row as DeliverySummary;
  }
}

/** Lower-cased names, credential headers redacted. */
export function safeHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = REDACT.has(name.toLowerCase()) ? '[redacted]' : noNul(value);
  return out;
}

/** PostgreSQL text cannot hold NUL characters. */
export function noNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
