/**
 * The webhook intake's write path: `record` stores a delivery and resolves once it is committed,
 * like `DeliveryStore.record`, but through a `pg` Pool of its own and with group commit.
 *
 * Deliveries that arrive while earlier INSERTs are in flight wait and go together as one
 * multi-row `INSERT … ON CONFLICT (provider, delivery_key) DO NOTHING RETURNING` (one statement,
 * one commit, one WAL flush for the group; `synchronous_commit` as the server has it). Every
 * caller's promise resolves only after that statement has committed, so "stored before the 2xx"
 * holds for each delivery. A key that inserted nothing is a redelivery (also within one group:
 * the first wins) and resolves to the stored row's id with `duplicate: true`.
 *
 * A group that fails for a reason other than the connection (say, a hook deleted meanwhile breaks
 * the foreign key of one row) is retried row by row, so one bad row never fails the others.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { noNul, safeHeaders, type NewDelivery } from './delivery-store.js';


export interface DeliveryIntakeOptions {
  /** INSERT statements in flight at once (default 4); the pool has one connection more for lookups. */
  maxInFlight?: number;
  /** Deliveries per INSERT at most (default 64). */
  maxBatch?: number;
}

interface Pending {
  row: NewDelivery;
  resolve: (r: { id: string; duplicate: boolean }) => void;
  reject: (err: unknown) => void;
}

export class DeliveryIntakeWriter {
  private pending: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(
    private readonly pool: pg.Pool,
    opts: DeliveryIntakeOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 4;
    this.maxBatch = opts.maxBatch ?? 64;
  }

  /** A writer with its own pool (`maxInFlight` + 1 connections); `close` ends the pool. */
  static connect(databaseUrl: string, opts: DeliveryIntakeOptions = {}): DeliveryIntakeWriter {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: (opts.maxInFlight ?? 4) + 1, connectionTimeoutMillis: 5000 });
    // An idle connection dropped by the server (restart, failover) must not crash the process:
    // the next query opens a new one, and a failing query rejects its callers (→ 503).
    pool.on('error', () => undefined);
    return new DeliveryIntakeWriter(pool, opts);
  }

  /** Store a delivery unless one with the same (provider, delivery key) exists; resolves after the commit. */
  record(row: NewDelivery): Promise<{ id: string; duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.kick();
    });
  }

  /** The queue jobs of these deliveries were added (`DeliveryStore.markQueued` on this pool). */
  async markQueued(ids: readonly string[], at: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.pool.query({
      name: 'slipway_delivery_intake_queued',
      text: 'UPDATE deliveries SET queued_at = $1::timestamptz WHERE id = ANY($2::uuid[])',
      values: [at, [...ids]],
    });
    return res.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Send what is pending once the current tick's deliveries are in (they join one group). */
  private kick(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
        const group = this.pending.splice(0, this.maxBatch);
        this.inFlight++;
        void this.write(group).finally(() => {
          this.inFlight--;
          this.kick();
        });
      }
    });
  }

  private async write(group: Pending[]): Promise<void> {
    try {
      settle(group, await this.insert(group.map((p) => p.row)));
    } catch (err) {
      if (group.length === 1 || isConnectionError(err)) {
        for (const p of group) p.reject(err);
        return;
      }
      await Promise.all(
        group.map(async (p) => {
          try {
            settle([p], await this.insert([p.row]));
          } catch (rowErr) {
            p.reject(rowErr);
          }
        }),
      );
    }
  }

  /** One INSERT for the group, then the ids of the keys that were already there. */
  private async insert(rows: NewDelivery[]): Promise<Map<string, { id: string; duplicate: boolean }>> {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const d of rows) {
      const outcome = d.outcome ?? 'received';
      const base = values.length;
      values.push(
        randomUUID(),
        d.provider,
        d.hookId,
        d.namespace,
        d.deliveryKey,
        d.eventType,
        d.kind,
        d.repo ?? null,
        d.ref ?? null,
        d.commitSha ?? null,
        JSON.stringify(safeHeaders(d.headers)),
        noNul(d.rawBody),
        d.receivedAt,
        outcome,
        d.reason ?? null,
        outcome === 'received' ? null : d.receivedAt,
      );
      const p = (i: number): string => `$${base + i}`;
      tuples.push(`(${p(1)}::uuid, ${p(2)}, ${p(3)}::uuid, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}::jsonb, ${p(12)}, ${p(13)}::timestamptz, ${p(14)}, ${p(15)}, ${p(16)}::timestamptz)`);
    }
    // Named per group size: each connection parses a shape once and then only binds values.
    const inserted = await this.pool.query<{ id: string; provider: string; delivery_key: string }>({
      name: `slipway_delivery_intake_${rows.length}`,
      text: `INSERT INTO deliveries (id, provider, hook_id, namespace, delivery_key, event_type, kind, repo, ref, commit_sha,
                                     headers, raw_body, received_at, outcome, reason, processed_at)
             VALUES ${tuples.join(', ')}
             ON CONFLICT (provider, delivery_key) DO NOTHING
             RETURNING id::text AS id, provider, delivery_key`,
      values,
    });
    const out = new Map<string, { id: string; duplicate: boolean }>();
    for (const r of inserted.rows) out.set(keyOf(r.provider, r.delivery_key), { id: r.id, duplicate: false });
    if (inserted.rows.length === rows.length) return out;
    const missing = rows.filter((d) => !out.has(keyOf(d.provider, d.deliveryKey)));
    if (missing.length === 0) return out;
    const existing = await this.pool.query<{ id: string; provider: string; delivery_key: string }>({
      name: 'slipway_delivery_intake_existing',
      text: `SELECT id::text AS id, provider, delivery_key FROM deliveries
             WHERE (provider, delivery_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      values: [missing.map((d) => d.provider), missing.map((d) => d.deliveryKey)],
    });
    for (const r of existing.rows) {
      const key = keyOf(r.provider, r.delivery_key);
      if (!out.has(key)) out.set(key, { id: r.id, duplicate: true });
    }
    return out;
  }
}

/** Resolve each caller; within a group only the first of two equal keys is new. */
function settle(group: Pending[], results: Map<string, { id: string; duplicate: boolean }>): void {
  const seen = new Set<string>();
  for (const p of group) {
    const key = keyOf(p.row.provider, p.row.deliveryKey);
    const r = results.get(key);
    if (!r) {
      p.reject(new Error(`delivery ${p.row.provider}/${p.row.deliveryKey} conflicted but cannot be found`));
      continue;
    }
    p.resolve(seen.has(key) ? { id: r.id, duplicate: true } : r);
    seen.add(key);
  }
}

function keyOf(provider: string, deliveryKey: string): string {
  return `${provider}\u0000${deliveryKey}`;
}

/** The server or the network, not the data: no point retrying row by row. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E'))) return true;
  return /timeout|terminated|Connection/i.test((err as Error | undefined)?.message ?? '');
}
