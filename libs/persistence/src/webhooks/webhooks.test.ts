/** Webhook hooks, deliveries and bindings against the real PostgreSQL. */
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import type { WorkflowEventBinding } from '@slipway/workflow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../prisma-client.js';
import { DeliveryStore, type NewDelivery } from './delivery-store.js';
import { EventBindingExistsError, EventBindingNotFoundError, EventBindingRepository } from './event-bindings.js';
import { WebhookHookExistsError, WebhookHookRepository } from './webhook-hooks.js';

let db: TestDatabase;
let prisma: PrismaClient;
let hookId: string;

beforeAll(async () => {
  db = await createTestDatabase('webhooks');
  prisma = createPrismaClient(db.url, 20);
  hookId = (await new WebhookHookRepository(prisma).create({ provider: 'gitlab', name: 'shop', namespace: 'shop', secretHash: 'sha256:aa' })).id;
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

let n = 0;
const delivery = (over: Partial<NewDelivery> = {}): NewDelivery => ({
  provider: 'gitlab',
  hookId,
  namespace: 'shop',
  deliveryKey: `key-${++n}`,
  eventType: 'Push Hook',
  kind: 'push',
  repo: 'shop/orders',
  ref: 'refs/heads/main',
  commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
  headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'super-secret', authorization: 'Bearer x' },
  rawBody: '{"object_kind":"push"}',
  receivedAt: new Date('2026-11-26T10:00:00Z'),
  ...over,
});

describe('WebhookHookRepository', () => {
  it('keeps secrets out of public records; forVerification has them', async () => {
    const hooks = new WebhookHookRepository(prisma);
    const gh = await hooks.create({ provider: 'github', name: 'gh', namespace: 'shop', secretCiphertext: 'v1.k.iv.tag.data' });
    expect(Object.keys(gh).sort()).toEqual(['createdAt', 'id', 'name', 'namespace', 'provider']);
    expect(await hooks.list({ provider: 'github' })).toEqual([gh]);
    expect(await hooks.forVerification('github')).toMatchObject([{ id: gh.id, secretCiphertext: 'v1.k.iv.tag.data', secretHash: null }]);
    expect(await hooks.forVerification('gitlab', 'shop')).toMatchObject([{ id: hookId, secretHash: 'sha256:aa' }]);
    expect(await hooks.forVerification('gitlab', 'nope')).toEqual([]);
    expect((await hooks.getByName('github', 'gh'))?.id).toBe(gh.id);
    await hooks.setSecret(gh.id, { secretCiphertext: 'v1.k.iv.tag.other' });
    expect((await hooks.forVerification('github'))[0].secretCiphertext).toBe('v1.k.iv.tag.other');
  });

  it('names are unique per provider, and a hook needs secret material', async () => {
    const hooks = new WebhookHookRepository(prisma);
    await expect(hooks.create({ provider: 'gitlab', name: 'shop', namespace: 'x', secretHash: 'sha256:bb' })).rejects.toThrow(WebhookHookExistsError);
    await hooks.create({ provider: 'github', name: 'shop', namespace: 'x', secretCiphertext: 'c' });
    await expect(prisma.webhookHook.create({ data: { provider: 'gitlab', name: 'bare', namespace: 'x' } })).rejects.toThrow(/webhook_hooks_secret_check|check constraint/);
  });

  it('deleting a hook keeps its deliveries', async () => {
    const hooks = new WebhookHookRepository(prisma);
    const temp = await hooks.create({ provider: 'gitlab', name: 'temp', namespace: 'shop', secretHash: 'sha256:cc' });
    const { id } = await new DeliveryStore(prisma).record(delivery({ hookId: temp.id }));
    expect(await hooks.delete(temp.id)).toBe(true);
    expect((await new DeliveryStore(prisma).get(id))?.hookId).toBeNull();
  });
});

describe('DeliveryStore', () => {
  it('records once per (provider, delivery key); a redelivery is a duplicate of the same row', async () => {
    const store = new DeliveryStore(prisma);
    const d = delivery();
    const first = await store.record(d);
    expect(first.duplicate).toBe(false);
    expect(await store.record({ ...d, rawBody: '{"again":true}' })).toEqual({ id: first.id, duplicate: true });
    expect((await store.get(first.id))?.rawBody).toBe(d.rawBody);
    const other = await store.record({ ...d, provider: 'github' });
    expect(other.duplicate).toBe(false);
    expect(other.id).not.toBe(first.id);
  });

  it('concurrent redeliveries: exactly one insert, every answer names the same row', async () => {
    const store = new DeliveryStore(prisma);
    const d = delivery();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.record(d)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });

  it('is committed when record resolves (another connection sees it) and stores no secret', async () => {
    const { id } = await new DeliveryStore(prisma).record(delivery({ rawBody: 'a\u0000b' }));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const row = await client.query<{ headers: Record<string, string>; raw_body: string }>('SELECT headers, raw_body FROM deliveries WHERE id = $1', [id]);
      expect(row.rows[0].headers).toEqual({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '[redacted]', authorization: '[redacted]' });
      expect(row.rows[0].raw_body).toBe('a\uFFFDb');
      expect(JSON.stringify(row.rows[0])).not.toContain('super-secret');
    } finally {
      await client.end();
    }
  });

  it('a delivery that starts nothing is recorded finished', async () => {
    const store = new DeliveryStore(prisma);
    const at = new Date('2026-11-26T11:00:00Z');
    const { id } = await store.record(delivery({ eventType: 'Pipeline Hook', kind: 'other', outcome: 'skipped', reason: 'event "Pipeline Hook" is recorded but starts nothing', receivedAt: at }));
    expect(await store.get(id)).toMatchObject({ outcome: 'skipped', processedAt: at, queuedAt: null });
    expect((await store.unqueued(new Date('2100-01-01'))).map((r) => r.id)).not.toContain(id);
  });

  it('outbox: unqueued deliveries until marked queued; queued but unprocessed ones are stuck', async () => {
    const store = new DeliveryStore(prisma);
    const t0 = new Date('2026-11-20T00:00:00Z');
    const a = await store.record(delivery({ namespace: 'outbox', receivedAt: t0 }));
    const b = await store.record(delivery({ namespace: 'outbox', receivedAt: new Date(t0.getTime() + 1000) }));
    const ids = (rows: { id: string; namespace: string }[]) => rows.filter((r) => r.namespace === 'outbox').map((r) => r.id);
    expect(ids(await store.unqueued(new Date(t0.getTime() + 500)))).toEqual([a.id]);
    expect(ids(await store.unqueued(new Date(t0.getTime() + 5000)))).toEqual([a.id, b.id]);
    expect(await store.markQueued([a.id], new Date(t0.getTime() + 2000))).toBe(1);
    expect(ids(await store.unqueued(new Date(t0.getTime() + 5000)))).toEqual([b.id]);
    expect(ids(await store.stuck(new Date(t0.getTime() + 1000)))).toEqual([]);
    expect(ids(await store.stuck(new Date(t0.getTime() + 3000)))).toEqual([a.id]);
    await prisma.$transaction(async (tx) => {
      const s = new DeliveryStore(tx);
      await s.claim(a.id);
      await s.finish(a.id, { outcome: 'started', workflowIds: ['w1'], at: new Date() });
    });
    expect(ids(await store.stuck(new Date(t0.getTime() + 3000)))).toEqual([]);
  });

  it('claim: two workers, one processes; the other finds it finished', async () => {
    const store = new DeliveryStore(prisma);
    const { id } = await store.record(delivery());
    const processed: string[] = [];
    const worker = (name: string) =>
      prisma.$transaction(async (tx) => {
        const s = new DeliveryStore(tx);
        const claimed = await s.claim(id);
        if (!claimed) return;
        await new Promise((r) => setTimeout(r, 100));
        processed.push(name);
        await s.finish(id, { outcome: 'started', workflowIds: [`wf-${name}`], at: new Date() });
      });
    await Promise.all([worker('a'), worker('b')]);
    expect(processed).toHaveLength(1);
    expect(await store.get(id)).toMatchObject({ outcome: 'started', workflowIds: [`wf-${processed[0]}`] });
    expect(await store.finish(id, { outcome: 'error', at: new Date() })).toBe(false);
  });

  it('replay: a new delivery with the same headers and body, pointing at the original', async () => {
    const store = new DeliveryStore(prisma);
    const { id } = await store.record(delivery());
    await prisma.$transaction((tx) => new DeliveryStore(tx).finish(id, { outcome: 'rejected', reason: 'unsafe', at: new Date() }));
    const at = new Date('2026-11-26T12:00:00Z');
    const copy = await store.replay(id, at);
    expect(copy).toMatchObject({ replayOf: id, outcome: 'received', receivedAt: at, queuedAt: null, deliveryKey: `replay:${copy?.id}` });
    const [orig, again] = [await store.get(id), await store.get(copy!.id)];
    expect(again?.headers).toEqual(orig?.headers);
    expect(again?.rawBody).toBe(orig?.rawBody);
    expect(await store.replay('00000000-0000-0000-0000-000000000000', at)).toBeUndefined();
  });

  it('lists newest first with filters and keyset pagination', async () => {
    const store = new DeliveryStore(prisma);
    const base = new Date('2026-10-01T00:00:00Z').getTime();
    for (let i = 0; i < 5; i++) {
      await store.record(delivery({ namespace: 'list', receivedAt: new Date(base + i * 1000), eventType: i % 2 ? 'Tag Push Hook' : 'Push Hook', kind: i % 2 ? 'tag' : 'push' }));
    }
    const all = await store.list({ namespace: 'list' });
    expect(all.map((r) => r.receivedAt.getTime() - base)).toEqual([4000, 3000, 2000, 1000, 0]);
    expect(all[0]).not.toHaveProperty('rawBody');
    expect((await store.list({ namespace: 'list', kind: 'tag' })).length).toBe(2);
    expect((await store.list({ namespace: 'list', eventType: 'Push Hook', since: new Date(base + 1000) })).length).toBe(2);
    const page1 = await store.list({ namespace: 'list', limit: 2 });
    const page2 = await store.list({ namespace: 'list', limit: 2, before: page1[1] });
    expect([...page1, ...page2].map((r) => r.id)).toEqual(all.slice(0, 4).map((r) => r.id));
    expect(await store.list({ namespace: 'list', outcome: 'started' })).toEqual([]);
  });
});

describe('EventBindingRepository', () => {
  const manifest: WorkflowEventBinding = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowEventBinding',
    metadata: { name: 'orders-push' },
    spec: { event: { selector: 'true' }, submit: { workflowTemplateRef: { name: 'build' } }, slipway: { branches: ['main'] } },
  };

  it('create, get, list, update, delete', async () => {
    const repo = new EventBindingRepository(prisma);
    const created = await repo.create('shop', 'orders-push', manifest);
    expect(created.manifest.metadata).toEqual({ name: 'orders-push', namespace: 'shop' });
    expect(created.manifest.spec.slipway).toEqual({ branches: ['main'] });
    await expect(repo.create('shop', 'orders-push', manifest)).rejects.toThrow(EventBindingExistsError);
    await repo.create('shop', 'a-first', { ...manifest, metadata: { name: 'a-first' } });
    await repo.create('other', 'orders-push', manifest);
    expect((await repo.list('shop')).map((b) => b.name)).toEqual(['a-first', 'orders-push']);
    const updated = await repo.update('shop', 'orders-push', { ...manifest, spec: { ...manifest.spec, event: { selector: 'false' } } });
    expect(updated.manifest.spec.event.selector).toBe('false');
    await expect(repo.update('shop', 'missing', manifest)).rejects.toThrow(EventBindingNotFoundError);
    expect(await repo.delete('shop', 'orders-push')).toBe(true);
    expect(await repo.delete('shop', 'orders-push')).toBe(false);
    expect(await repo.get('other', 'orders-push')).toBeDefined();
  });
});
