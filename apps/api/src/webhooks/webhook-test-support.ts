/** Helpers for the webhook tests: registered hooks, provider payloads and signatures, raw posts. */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApi } from '../test-support.js';

const TESTDATA = join(import.meta.dirname, '../../../../libs/scm/src/testdata');

export function scmFixture(name: string): string {
  return readFileSync(join(TESTDATA, name), 'utf8');
}

export interface RawReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read replies loosely
  body: any;
}

/** POST exact bytes (no bearer token unless given). */
export async function postRaw(api: TestApi, path: string, body: Buffer | string, headers: Record<string, string>): Promise<RawReply> {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** Register a hook through the API; returns its id and the secret shown once. */
export async function createHook(api: TestApi, provider: 'gitlab' | 'github', name: string, namespace = 'shop'): Promise<{ id: string; secret: string }> {
  const res = await api.request('/api/v1/webhook-hooks', { json: { provider, name, namespace } });
  if (res.status !== 200) throw new Error(`create hook: ${res.status} ${res.text}`);
  return { id: res.body.id, secret: res.body.secret };
}

export function gitlabHeaders(token: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-event-uuid': randomUUID(),
    'idempotency-key': randomUUID(),
    ...(token === undefined ? {} : { 'x-gitlab-token': token }),
    ...extra,
  };
}

export function githubHeaders(secret: string, body: Buffer | string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    ...extra,
  };
}

/**
 * Jobs in the `deliveries` queue for an accepted webhook delivery, once it has been queued: the
 * 202 waits for the commit only and the job is added right after, so wait for its `queued_at`
 * mark (written after the job is in Redis) first.
 */
export async function queuedJobs(api: TestApi, deliveryId: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const row = await api.prisma.delivery.findUnique({ where: { id: deliveryId }, select: { queuedAt: true } });
    if (row?.queuedAt) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return deliveryJobs(api, deliveryId);
}

/** Jobs in the `deliveries` queue for a delivery. */
export async function deliveryJobs(api: TestApi, deliveryId: string): Promise<number> {
  const jobs = await api.queues.deliveries.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
  return jobs.filter((j) => (j.data as { deliveryId?: string }).deliveryId === deliveryId).length;
}
