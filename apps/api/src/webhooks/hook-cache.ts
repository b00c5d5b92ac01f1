/**
 * The registered hooks a webhook delivery is verified against, cached for `HOOK_CACHE_TTL_MS` so an
 * intake costs one query (the INSERT) instead of two. Bounded staleness, never a false 401:
 *
 * - a secret that matches no cached hook is checked once more against the database before the
 *   answer is 401 (`fresh`), so a hook created or rotated on another API replica works at once;
 * - create/delete through this process's admin API clear the cache (deleted → 401 at once here);
 *   on other replicas a deleted hook's secret is accepted for at most the TTL.
 */
import { Injectable } from '@nestjs/common';
import { WebhookHookRepository } from '@slipway/persistence';

export const HOOK_CACHE_TTL_MS = 1000;

type HookRows = Awaited<ReturnType<WebhookHookRepository['forVerification']>>;

@Injectable()
export class HookVerificationCache {
  private readonly entries = new Map<string, { until: number; rows: Promise<HookRows> }>();

  constructor(private readonly hooks: WebhookHookRepository) {}

  /** The provider's hooks (only `name` when given); `fresh` skips and refreshes the cache. */
  get(provider: string, name: string | undefined, { fresh = false, now = Date.now() } = {}): Promise<HookRows> {
    const key = `${provider}\u0000${name ?? ''}`;
    const hit = this.entries.get(key);
    if (!fresh && hit && hit.until > now) return hit.rows;
    const rows = this.hooks.forVerification(provider, name);
    const entry = { until: now + HOOK_CACHE_TTL_MS, rows };
    this.entries.set(key, entry);
    // A failed lookup (database down) is not cached: the next delivery asks again.
    rows.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return rows;
  }

  clear(): void {
    this.entries.clear();
  }
}
