/** The alert outbox against the real PostgreSQL: one row per (workflow, kind), claims, outcomes. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, type PrismaClient } from '../prisma-client.js';
import { AlertOutbox, type NewAlert } from './alert-outbox.js';
import { LogTails } from './log-tail.js';

let db: TestDatabase;
let prisma: PrismaClient;
let outbox: AlertOutbox;

beforeAll(async () => {
  db = await createTestDatabase('alerts');
  prisma = createPrismaClient(db.url, 4);
  outbox = new AlertOutbox(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

function newAlert(fields: Partial<NewAlert> = {}): NewAlert {
  const workflowId = fields.workflowId ?? randomUUID();
  return {
    workflowId,
    namespace: 'ci',
    workflowName: `build-${workflowId.slice(0, 5)}`,
    kind: 'failure',
    recipients: ['dev@acme.io'],
    subject: '[Slipway] Failed: ci/build',
    bodyText: 'text',
    bodyHtml: '<p>html</p>',
    messageId: `<alert-${workflowId}@slipway>`,
    ...fields,
  };
}

describe('AlertOutbox', () => {
  it('keeps one alert per workflow and kind however often it is enqueued', async () => {
    const alert = newAlert();
    const first = await outbox.enqueue(alert);
    const second = await outbox.enqueue({ ...alert, subject: 'a later, different subject' });
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    const rows = await outbox.list({ workflowId: alert.workflowId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', attempts: 0, subject: alert.subject, recipients: ['dev@acme.io'], messageId: alert.messageId });
    const racing = newAlert();
    const results = await Promise.all([1, 2, 3, 4].map(() => outbox.enqueue(racing)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });

  it('enqueues inside the caller’s transaction: a rolled-back state leaves no alert', async () => {
    const kept = newAlert();
    const dropped = newAlert();
    await prisma.$transaction(async (tx) => {
      await outbox.enqueue(kept, tx);
    });
    await expect(
      prisma.$transaction(async (tx) => {
        await outbox.enqueue(dropped, tx);
        throw new Error('version conflict');
      }),
    ).rejects.toThrow('version conflict');
    expect(await outbox.list({ workflowId: kept.workflowId })).toHaveLength(1);
    expect(await outbox.list({ workflowId: dropped.workflowId })).toHaveLength(0);
  });

  it('claims a due alert once, until its lease ends; records retry, failure and success', async () => {
    await prisma.alert.deleteMany({});
    const { id } = await outbox.enqueue(newAlert());
    const t0 = new Date(Date.now() + 1000);
    const lease = new Date(t0.getTime() + 60_000);
    const [a, b] = await Promise.all([outbox.claimDue({ now: t0, leaseUntil: lease, limit: 10 }), outbox.claimDue({ now: t0, leaseUntil: lease, limit: 10 })]);
    expect([...a, ...b].map((r) => r.id)).toEqual([id]);
    expect([...a, ...b][0].attempts).toBe(1);
    expect(await outbox.pending({ now: t0 })).toEqual([]);

    const retryAt = new Date(t0.getTime() + 30_000);
    expect(await outbox.markFailed(id, 'ECONNREFUSED', retryAt)).toBe(true);
    expect(await outbox.claimDue({ now: t0, leaseUntil: lease, limit: 10 })).toEqual([]);
    expect((await outbox.pending({ now: retryAt })).map((r) => r.id)).toEqual([id]);
    const again = await outbox.claimDue({ now: retryAt, leaseUntil: new Date(retryAt.getTime() + 60_000), limit: 10 });
    expect(again[0]).toMatchObject({ id, attempts: 2, lastError: 'ECONNREFUSED' });

    expect(await outbox.markFailed(id, '550 no such user')).toBe(true);
    expect(await outbox.get(id)).toMatchObject({ status: 'failed', lastError: '550 no such user' });
    expect(await outbox.retry(id, retryAt)).toBe(true);
    expect(await outbox.get(id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    const sentAt = new Date('2026-11-26T10:00:00Z');
    expect(await outbox.markSent(id, sentAt)).toBe(true);
    expect(await outbox.get(id)).toMatchObject({ status: 'sent', sentAt });
    expect(await outbox.markFailed(id, 'late failure')).toBe(false);
    expect(await outbox.retry(id)).toBe(false);
  });

  it('stores instead of sending: all due alerts, or only those without recipients', async () => {
    await prisma.alert.deleteMany({});
    const withTo = await outbox.enqueue(newAlert());
    const noTo = await outbox.enqueue(newAlert({ recipients: [] }));
    const now = new Date(Date.now() + 1000);
    const onlyEmpty = await outbox.storeDue({ now, reason: 'no recipients', scope: 'without-recipients' });
    expect(onlyEmpty.map((r) => r.id)).toEqual([noTo.id]);
    expect(await outbox.claimDue({ now, leaseUntil: now, limit: 10 })).toHaveLength(1);
    await outbox.markFailed(withTo.id, 'timeout', now);
    const all = await outbox.storeDue({ now, reason: 'SMTP_URL is not set', scope: 'all' });
    expect(all.map((r) => r.id)).toEqual([withTo.id]);
    expect(await outbox.get(withTo.id)).toMatchObject({ status: 'stored', lastError: 'SMTP_URL is not set' });
  });

  it('lists newest first with filters and a cursor', async () => {
    await prisma.alert.deleteMany({});
    const ids: string[] = [];
    for (const namespace of ['ci', 'ci', 'prod']) ids.push((await outbox.enqueue(newAlert({ namespace }))).id);
    await outbox.markSent(ids[0]);
    const all = await outbox.list();
    expect(all.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(all.every((r, i) => i === 0 || all[i - 1].createdAt >= r.createdAt)).toBe(true);
    expect((await outbox.list({ namespace: 'ci' })).map((r) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await outbox.list({ namespace: 'ci', status: 'pending' })).map((r) => r.id)).toEqual([ids[1]]);
    const paged: string[] = [];
    let cursor: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await outbox.list({ limit: 1, cursor });
      if (page.length === 0) break;
      paged.push(page[0].id);
      cursor = page[0];
    }
    expect(paged).toEqual(all.map((r) => r.id));
  });
});

describe('LogTails', () => {
  it('reads the last lines of a pod (or one container), oldest first', async () => {
    const workflowId = randomUUID();
    const rows = Array.from({ length: 50 }, (_, i) => ({ workflowId, podName: 'p1', container: i % 2 ? 'main' : 'wait', content: `line ${i}\n` }));
    await prisma.logChunk.createMany({ data: [...rows, { workflowId, podName: 'p2', container: 'main', content: 'other pod\n' }] });
    const tails = new LogTails(prisma);
    expect(await tails.tail(workflowId, 'p1', { lines: 3 })).toEqual(['line 47', 'line 48', 'line 49']);
    expect(await tails.tail(workflowId, 'p1', { lines: 2, container: 'main' })).toEqual(['line 47', 'line 49']);
    expect(await tails.tail(workflowId, 'missing')).toEqual([]);
  });
});
