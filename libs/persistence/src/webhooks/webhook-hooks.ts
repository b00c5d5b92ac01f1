/**
 * Registered webhook hooks. Public records never carry secret material; `forVerification`
 * returns the hash/ciphertext for the webhook controller's verification step only.
 */
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../prisma-errors.js';

type Db = PrismaClient | Prisma.TransactionClient;

export interface WebhookHookRecord {
  id: string;
  provider: string;
  name: string;
  namespace: string;
  createdAt: Date;
}

/** What verification needs (see @slipway/scm WebhookHook). */
export interface WebhookHookSecretRecord extends WebhookHookRecord {
  secretHash: string | null;
  secretCiphertext: string | null;
}

/** Exactly one of the two: GitLab hooks a hash, GitHub hooks a ciphertext. */
export type HookSecret = { secretHash: string; secretCiphertext?: undefined } | { secretCiphertext: string; secretHash?: undefined };

export class WebhookHookExistsError extends Error {}
export class WebhookHookNotFoundError extends Error {}

const PUBLIC = { id: true, provider: true, name: true, namespace: true, createdAt: true } as const;

export class WebhookHookRepository {
  constructor(private readonly db: Db) {}

  async create(input: { provider: string; name: string; namespace: string } & HookSecret): Promise<WebhookHookRecord> {
    try {
      return await this.db.webhookHook.create({
        data: {
          provider: input.provider,
          name: input.name,
          namespace: input.namespace,
          secretHash: input.secretHash ?? null,
          secretCiphertext: input.secretCiphertext ?? null,
        },
        select: PUBLIC,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new WebhookHookExistsError(`${input.provider} webhook hook "${input.name}" already exists`);
      throw err;
    }
  }

  async get(id: string): Promise<WebhookHookRecord | undefined> {
    return (await this.db.webhookHook.findUnique({ where: { id }, select: PUBLIC })) ?? undefined;
  }

  async getByName(provider: string, name: string): Promise<WebhookHookRecord | undefined> {
    return (await this.db.webhookHook.findUnique({ where: { provider_name: { provider, name } }, select: PUBLIC })) ?? undefined;
  }

  /** Hooks by name, for listing (no secrets). */
  async list(filter: { provider?: string; namespace?: string } = {}): Promise<WebhookHookRecord[]> {
    return this.db.webhookHook.findMany({ where: filter, orderBy: [{ provider: 'asc' }, { name: 'asc' }], select: PUBLIC });
  }

  /** The hooks a delivery to `/webhooks/<provider>[/<name>]` is checked against, with their secret material. */
  async forVerification(provider: string, name?: string): Promise<WebhookHookSecretRecord[]> {
    return this.db.webhookHook.findMany({ where: { provider, ...(name !== undefined ? { name } : {}) }, orderBy: { createdAt: 'asc' } });
  }

  /** Replace the secret (rotation). */
  async setSecret(id: string, secret: HookSecret): Promise<void> {
    const res = await this.db.webhookHook.updateMany({
      where: { id },
      data: { secretHash: secret.secretHash ?? null, secretCiphertext: secret.secretCiphertext ?? null },
    });
    if (res.count === 0) throw new WebhookHookNotFoundError(`webhook hook ${id} not found`);
  }

  /** Deliveries it received stay, with `hookId` null. */
  async delete(id: string): Promise<boolean> {
    const res = await this.db.webhookHook.deleteMany({ where: { id } });
    return res.count > 0;
  }
}
