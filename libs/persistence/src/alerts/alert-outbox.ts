/**
 * The alert outbox: e-mails to send, one row per (workflow, kind). A failure alert is enqueued in
 * the transaction that records the workflow's Failed/Error state, so it exists exactly when the
 * state does; a dispatcher claims due rows, sends them and records the outcome.
 *
 * Status: `pending` (to send; `next_attempt_at` is the backoff or the lease of a claimed send) →
 * `sent` | `failed` (attempts exhausted, `last_error` says why) | `stored` (no SMTP server or no
 * recipients: kept for the API, never dropped).
 */
import type { Alert, PrismaClient } from '../generated/prisma/client.js';

export type AlertKind = 'failure';
export type AlertStatus = 'pending' | 'sent' | 'failed' | 'stored';
export type AlertRecord = Omit<Alert, 'kind' | 'status'> & { kind: AlertKind; status: AlertStatus };

export interface NewAlert {
  /** The workflow's uid (`workflows.id`). */
  workflowId: string;
  namespace: string;
  workflowName: string;
  kind: AlertKind;
  recipients: readonly string[];
  subject: string;
  bodyText: string;
  bodyHtml: string;
  /** Deterministic Message-ID header, angle brackets included. */
  messageId: string;
}

export interface AlertFilter {
  namespace?: string;
  workflowId?: string;
  workflowName?: string;
  kind?: AlertKind;
  status?: AlertStatus;
  /** The last alert of the previous page: only alerts listed after it. */
  cursor?: { createdAt: Date; id: string };
  /** Default 100, at most 1000. */
  limit?: number;
}

/** Anything that can run a raw query: the client or the `tx` of `db.$transaction(async (tx) => …)`. */
export type AlertTx = Pick<PrismaClient, '$queryRaw'>;

export class AlertOutbox {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Add the alert unless one of its kind already exists for the workflow (ON CONFLICT DO NOTHING).
   * Pass the transaction that writes the workflow's terminal state as `tx`, so the alert commits
   * (or rolls back) with it. Returns the row id and whether this call created it.
   */
  async enqueue(alert: NewAlert, tx: AlertTx = this.db): Promise<{ id: string; created: boolean }> {
    const recipients = [...alert.recipients];
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO alerts (workflow_id, namespace, workflow_name, kind, recipients, subject, body_text, body_html, message_id)
      VALUES (${alert.workflowId}::uuid, ${alert.namespace}, ${alert.workflowName}, ${alert.kind}, ${recipients}::text[],
              ${alert.subject}, ${alert.bodyText}, ${alert.bodyHtml}, ${alert.messageId})
      ON CONFLICT (workflow_id, kind) DO NOTHING
      RETURNING id::text AS id`;
    if (inserted.length > 0) return { id: inserted[0].id, created: true };
    const existing = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM alerts WHERE workflow_id = ${alert.workflowId}::uuid AND kind = ${alert.kind}`;
    return { id: existing[0].id, created: false };
  }

  /** Pending alerts due at `now`, oldest first (read only; the dispatcher uses `claimDue`). */
  async pending(opts: { now?: Date; limit?: number } = {}): Promise<AlertRecord[]> {
    const rows = await this.db.alert.findMany({
      where: { status: 'pending', nextAttemptAt: { lte: opts.now ?? new Date() } },
      orderBy: [{ nextAttemptAt: 'asc' }, { createdAt: 'asc' }],
      take: opts.limit ?? 100,
    });
    return rows as AlertRecord[];
  }

  /**
   * Claim due pending alerts that have recipients for one send attempt: counts the attempt and
   * moves `next_attempt_at` to `leaseUntil`, so another dispatcher (or process) skips them until
   * then. A dispatcher that dies mid-send leaves the row pending; it is retried after the lease.
   */
  async claimDue(opts: { now: Date; leaseUntil: Date; limit: number }): Promise<AlertRecord[]> {
    const claimed = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE alerts SET attempts = attempts + 1, next_attempt_at = ${opts.leaseUntil}::timestamptz
      WHERE id IN (
        SELECT id FROM alerts
        WHERE status = 'pending' AND next_attempt_at <= ${opts.now}::timestamptz AND cardinality(recipients) > 0
        ORDER BY next_attempt_at, created_at
        LIMIT ${opts.limit}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id`;
    if (claimed.length === 0) return [];
    const rows = await this.db.alert.findMany({ where: { id: { in: claimed.map((c) => c.id) } }, orderBy: { createdAt: 'asc' } });
    return rows as AlertRecord[];
  }

  /**
   * Mark due pending alerts `stored` instead of sending them: all of them (`scope: 'all'`, no SMTP
   * server configured) or those without recipients. Returns the stored rows (for the log).
   */
  async storeDue(opts: { now: Date; reason: string; scope: 'all' | 'without-recipients'; limit?: number }): Promise<AlertRecord[]> {
    const onlyEmpty = opts.scope === 'without-recipients';
    const stored = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE alerts SET status = 'stored', last_error = ${opts.reason}
      WHERE id IN (
        SELECT id FROM alerts
        WHERE status = 'pending' AND next_attempt_at <= ${opts.now}::timestamptz
          AND (NOT ${onlyEmpty}::boolean OR cardinality(recipients) = 0)
        ORDER BY created_at
        LIMIT ${opts.limit ?? 500}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id`;
    if (stored.length === 0) return [];
    const rows = await this.db.alert.findMany({ where: { id: { in: stored.map((s) => s.id) } }, orderBy: { createdAt: 'asc' } });
    return rows as AlertRecord[];
  }

  /** The SMTP server accepted the message. A late success also overrides `failed`. */
  async markSent(id: string, sentAt: Date = new Date()): Promise<boolean> {
    const r = await this.db.alert.updateMany({
      where: { id, status: { in: ['pending', 'failed'] } },
      data: { status: 'sent', sentAt, lastError: null },
    });
    return r.count > 0;
  }

  /**
   * A send failed: with `retryAt` the alert stays pending until then; without, it is `failed`
   * for good (attempts exhausted or the error is permanent).
   */
  async markFailed(id: string, error: string, retryAt?: Date): Promise<boolean> {
    const r = await this.db.alert.updateMany({
      where: { id, status: 'pending' },
      data: retryAt ? { lastError: error, nextAttemptAt: retryAt } : { lastError: error, status: 'failed' },
    });
    return r.count > 0;
  }

  /** Keep the alert without sending it (visible through the API). */
  async markStored(id: string, reason: string): Promise<boolean> {
    const r = await this.db.alert.updateMany({ where: { id, status: 'pending' }, data: { status: 'stored', lastError: reason } });
    return r.count > 0;
  }

  /** Send a `failed` or `stored` alert again (e.g. after SMTP_URL was configured): back to pending. */
  async retry(id: string, now: Date = new Date()): Promise<boolean> {
    const r = await this.db.alert.updateMany({
      where: { id, status: { in: ['failed', 'stored'] } },
      data: { status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null },
    });
    return r.count > 0;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const row = await this.db.alert.findUnique({ where: { id } });
    return (row ?? undefined) as AlertRecord | undefined;
  }

  /** Alerts matching the filter, newest first. */
  async list(filter: AlertFilter = {}): Promise<AlertRecord[]> {
    const rows = await this.db.alert.findMany({
      where: {
        ...(filter.namespace !== undefined ? { namespace: filter.namespace } : {}),
        ...(filter.workflowId !== undefined ? { workflowId: filter.workflowId } : {}),
        ...(filter.workflowName !== undefined ? { workflowName: filter.workflowName } : {}),
        ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
        ...(filter.cursor !== undefined
          ? { OR: [{ createdAt: { lt: filter.cursor.createdAt } }, { createdAt: filter.cursor.createdAt, id: { lt: filter.cursor.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: Math.min(Math.max(filter.limit ?? 100, 1), 1000),
    });
    return rows as AlertRecord[];
  }
}
