/** API tokens: only the SHA-256 hash of a token is stored; the token itself is shown once. */
import type { PrismaClient } from '../generated/prisma/client.js';

export type TokenRole = 'admin' | 'developer' | 'viewer';

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  /** Namespaces the token may act in; `*` = all. */
  namespaces: string[];
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const PUBLIC_FIELDS = {
  id: true,
  name: true,
  role: true,
  namespaces: true,
  createdBy: true,
  createdAt: true,
  revokedAt: true,
  lastUsedAt: true,
} as const;

export class ApiTokenRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(input: { name: string; role: TokenRole; namespaces: string[]; tokenHash: string; createdBy?: string }): Promise<ApiTokenRecord> {
    const row = await this.db.apiToken.create({
      data: { name: input.name, role: input.role, namespaces: input.namespaces, tokenHash: input.tokenHash, createdBy: input.createdBy ?? null },
      select: PUBLIC_FIELDS,
    });
    return row as ApiTokenRecord;
  }

  /** The token with this hash (and the stored hash, for a constant-time comparison), unless revoked. */
  async findActiveByHash(tokenHash: string): Promise<(ApiTokenRecord & { tokenHash: string }) | undefined> {
    const row = await this.db.apiToken.findUnique({ where: { tokenHash }, select: { ...PUBLIC_FIELDS, tokenHash: true } });
    if (!row || row.revokedAt) return undefined;
    return row as ApiTokenRecord & { tokenHash: string };
  }

  /** Tokens, newest first (revoked ones too, unless asked not to). */
  async list(opts: { includeRevoked?: boolean } = {}): Promise<ApiTokenRecord[]> {
    const rows = await this.db.apiToken.findMany({
      where: opts.includeRevoked === false ? { revokedAt: null } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: PUBLIC_FIELDS,
    });
    return rows as ApiTokenRecord[];
  }

  /** Revoke; false when there is no such active token. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const res = await this.db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    return res.count > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.apiToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }
}
