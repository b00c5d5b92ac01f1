/** Who did what, when: one row per mutating API call. */
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

export interface AuditEntry {
  actor: string;
  action: string;
  namespace?: string | null;
  resource: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord {
  id: bigint;
  actor: string;
  action: string;
  namespace: string | null;
  resource: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface AuditQuery {
  limit?: number;
  /** Only rows older than this id (the previous page's last id). */
  beforeId?: bigint;
  actor?: string;
  action?: string;
  namespace?: string;
}

export class AuditLog {
  constructor(private readonly db: PrismaClient) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.auditEvent.create({
      data: {
        actor: entry.actor,
        action: entry.action,
        namespace: entry.namespace ?? null,
        resource: entry.resource,
        details: (entry.details ?? {}) as Prisma.InputJsonValue,
      },
    });
  }

  /** Newest first. */
  async list(q: AuditQuery = {}): Promise<AuditRecord[]> {
    const where: Prisma.AuditEventWhereInput = {};
    if (q.beforeId !== undefined) where.id = { lt: q.beforeId };
    if (q.actor) where.actor = q.actor;
    if (q.action) where.action = q.action;
    if (q.namespace) where.namespace = q.namespace;
    const rows = await this.db.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: Math.min(Math.max(q.limit ?? 100, 1), 1000) });
    return rows.map((r) => ({ ...r, details: r.details as Record<string, unknown> }));
  }
}

/** Readiness: does PostgreSQL answer? Throws the driver's error when not. */
export async function pingDatabase(db: PrismaClient): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
