/**
 * Registered webhook hooks: the secret is generated here and returned once; GitLab hooks keep its
 * hash (`X-Gitlab-Token` is compared), GitHub hooks its ciphertext (the HMAC needs the secret).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import { WebhookHookExistsError, WebhookHookRepository, type WebhookHookRecord } from '@slipway/persistence';
import { generateWebhookSecret, hashSecret, type ScmProvider, type SecretCipher } from '@slipway/scm';
import { conflict, notFound } from '../common/api-error.js';
import { CONFIG } from '../deps.js';
import { HookVerificationCache } from './hook-cache.js';
import { SECRET_CIPHER } from './secret-key.js';

export interface HookView {
  id: string;
  provider: string;
  name: string;
  namespace: string;
  createdAt: string;
  /** Where to point the provider's webhook (absolute when SLIPWAY_PUBLIC_URL is set). */
  url: string;
}

export interface CreatedHook extends HookView {
  /** Shown only in this response. */
  secret: string;
}

@Injectable()
export class HooksService {
  constructor(
    private readonly hooks: WebhookHookRepository,
    private readonly verification: HookVerificationCache,
    @Inject(SECRET_CIPHER) private readonly cipher: SecretCipher,
    @Inject(CONFIG) private readonly config: SlipwayConfig,
  ) {}

  async create(input: { provider: ScmProvider; name: string; namespace: string }): Promise<CreatedHook> {
    const secret = generateWebhookSecret();
    const material = input.provider === 'gitlab' ? { secretHash: hashSecret(secret) } : { secretCiphertext: this.cipher.encrypt(secret) };
    try {
      const record = await this.hooks.create({ ...input, ...material });
      this.verification.clear();
      return { ...this.view(record), secret };
    } catch (err) {
      if (err instanceof WebhookHookExistsError) throw conflict(err.message);
      throw err;
    }
  }

  async list(filter: { provider?: string; namespace?: string }): Promise<HookView[]> {
    return (await this.hooks.list(filter)).map((r) => this.view(r));
  }

  async get(id: string): Promise<HookView> {
    const record = await this.hooks.get(id);
    if (!record) throw notFound(`webhook hook ${id} not found`);
    return this.view(record);
  }

  async delete(id: string): Promise<HookView> {
    const record = await this.get(id);
    const deleted = await this.hooks.delete(id);
    this.verification.clear();
    if (!deleted) throw notFound(`webhook hook ${id} not found`);
    return record;
  }

  private view(r: WebhookHookRecord): HookView {
    const base = (this.config.SLIPWAY_PUBLIC_URL ?? '').replace(/\/+$/, '');
    return { id: r.id, provider: r.provider, name: r.name, namespace: r.namespace, createdAt: r.createdAt.toISOString(), url: `${base}/api/v1/webhooks/${r.provider}/${r.name}` };
  }
}
