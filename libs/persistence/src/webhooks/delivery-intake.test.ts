/** DeliveryIntakeWriter (group-committed intake INSERTs) against the real PostgreSQL. */
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../prisma-client.js';
import { DeliveryIntakeWriter } from './delivery-intake.js';
import { DeliveryStore, type NewDelivery } from './delivery-store.js';
import { WebhookHookRepository } from './webhook-hooks.js';

let db: TestDatabase;
let prisma: PrismaClient;
let writer: DeliveryIntakeWriter;
let hookId: string;

beforeAll(async () => {
  db = await createTestDatabase('delivery_intake');
  prisma = createPrismaClient(db.url, 2);
  writer = DeliveryIntakeWriter.connect(db.url, { maxInFlight: 2, maxBatch: 16 });
  hookId = (await new WebhookHookRepository(prisma).create({ provider: 'gitlab', name: 'shop', namespace: 'shop', secretHash: 'sha256:aa' })).id;
});
afterAll(async () => {
  await writer?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

const delivery = (over: Partial<NewDelivery> = {}): NewDelivery => ({
  provider: 'gitlab',
  hookId,
  namespace: 'shop',
  deliveryKey: randomUUID(),
  eventType: 'Push Hook',
  kind: 'push',
  repo: 'shop/orders',
  ref: 'refs/heads/main',
  commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
  headers: { 'X-Gitlab-Event': 'Push Hook', 'x-gitlab-token': 'super-secret' },
  rawBody: '{"object_kind":"push","note":"nul\u0000byte"}',
  receivedAt: new Date('2026-11-26T10:00:00Z'),
  ...over,
});

describe('DeliveryIntakeWriter', () => {
  it('stores many concurrent deliveries, each committed when its promise resolves, with the same row as DeliveryStore', async () => {
    const rows = Array.from({ length: 100 }, () => delivery());
    const results = await Promise.all(rows.map((r) => writer.record(r)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(100);
    const stored = await new DeliveryStore(prisma).get(results[0].id);
    expect(stored).toMatchObject({ deliveryKey: rows[0].deliveryKey, outcome: 'received', processedAt: null, hookId, repo: 'shop/orders' });
    expect(stored?.headers).toEqual({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '[redacted]' });
    expect(stored?.rawBody).toBe('{"object_kind":"push","note":"nul\uFFFDbyte"}');
    expect(stored?.receivedAt.toISOString()).toBe('2026-11-26T10:00:00.000Z');
  });

  it('a redelivery resolves to the first id as a duplicate, also when both arrive in one group', async () => {
    const first = delivery();
    const [a, b, c] = await Promise.all([writer.record(first), writer.record({ ...first }), writer.record(delivery())]);
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ id: a.id, duplicate: true });
    expect(c.duplicate).toBe(false);
    expect(await writer.record({ ...first })).toEqual({ id: a.id, duplicate: true });
    expect(await prisma.delivery.count({ where: { deliveryKey: first.deliveryKey } })).toBe(1);
  });

  it('markQueued sets queued_at of the given deliveries', async () => {
    const a = await writer.record(delivery());
    const b = await writer.record(delivery());
    const at = new Date('2026-11-26T10:00:01Z');
    expect(await writer.markQueued([a.id], at)).toBe(1);
    expect((await new DeliveryStore(prisma).get(a.id))?.queuedAt).toEqual(at);
    expect((await new DeliveryStore(prisma).get(b.id))?.queuedAt).toBeNull();
  });

  it('a skipped delivery is stored finished', async () => {
    const { id } = await writer.record(delivery({ outcome: 'skipped', reason: 'branch deleted' }));
    expect(await new DeliveryStore(prisma).get(id)).toMatchObject({ outcome: 'skipped', reason: 'branch deleted', processedAt: new Date('2026-11-26T10:00:00Z') });
  });

  it('one bad row (a hook that does not exist) fails alone; the rest of its group is stored', async () => {
    const good = Array.from({ length: 5 }, () => delivery());
    const bad = delivery({ hookId: randomUUID() });
    const settled = await Promise.allSettled([...good.map((r) => writer.record(r)), writer.record(bad)]);
    expect(settled.slice(0, 5).every((s) => s.status === 'fulfilled')).toBe(true);
    expect(settled[5].status).toBe('rejected');
    expect(await prisma.delivery.count({ where: { deliveryKey: { in: good.map((g) => g.deliveryKey) } } })).toBe(5);
    expect(await prisma.delivery.count({ where: { deliveryKey: bad.deliveryKey } })).toBe(0);
  });

  it('PostgreSQL unreachable: every caller gets the connection error', async () => {
    const down = DeliveryIntakeWriter.connect('postgresql://postgres@127.0.0.1:1/slipway');
    try {
      const settled = await Promise.allSettled([down.record(delivery()), down.record(delivery())]);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await down.close();
    }
  });
});
