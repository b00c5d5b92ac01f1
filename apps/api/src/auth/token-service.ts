/** Bearer tokens: issued once, stored as SHA-256 hashes, compared in constant time. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import { ApiTokenRepository, type ApiTokenRecord, type TokenRole } from '@slipway/persistence';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { notFound } from '../common/api-error.js';
import { CLOCK, CONFIG, type Clock } from '../deps.js';
import type { Principal } from './access.js';

export const BOOTSTRAP_ADMIN = 'bootstrap-admin';
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `swp_${randomBytes(32).toString('base64url')}`;
}

export interface IssuedToken extends ApiTokenRecord {
  /** Shown once; only its hash is stored. */
  token: string;
}

@Injectable()
export class TokenService {
  private readonly log = new Logger('auth');
  private readonly bootstrapHash?: Buffer;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly tokens: ApiTokenRepository,
    @Inject(CONFIG) config: SlipwayConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    if (config.SLIPWAY_ADMIN_TOKEN) this.bootstrapHash = Buffer.from(hashToken(config.SLIPWAY_ADMIN_TOKEN), 'hex');
  }

  /** The principal a presented token stands for, or undefined. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const presented = Buffer.from(hash, 'hex');
    if (this.bootstrapHash && timingSafeEqual(presented, this.bootstrapHash)) {
      return { name: BOOTSTRAP_ADMIN, role: 'admin', namespaces: ['*'] };
    }
    const row = await this.tokens.findActiveByHash(hash);
    if (!row || !timingSafeEqual(presented, Buffer.from(row.tokenHash, 'hex'))) return undefined;
    this.touch(row.id);
    return { id: row.id, name: row.name, role: row.role, namespaces: row.namespaces };
  }

  async issue(input: { name: string; role: TokenRole; namespaces: string[] }, createdBy: string): Promise<IssuedToken> {
    const token = generateToken();
    const record = await this.tokens.create({ ...input, tokenHash: hashToken(token), createdBy });
    return { ...record, token };
  }

  list(): Promise<ApiTokenRecord[]> {
    return this.tokens.list();
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.tokens.revoke(id, new Date(this.clock())))) throw notFound(`token "${id}" not found or already revoked`);
  }

  /** `lastUsedAt`, written at most once a minute per token and never on the request's path. */
  private touch(id: string): void {
    const now = this.clock();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.tokens.touch(id, new Date(now)).catch((err: Error) => this.log.warn(`token ${id}: cannot record last use: ${err.message}`));
  }
}
