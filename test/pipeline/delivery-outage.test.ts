/**
 * Redis unreachable for the webhook producers under load: every delivery is still answered 2xx
 * and committed to PostgreSQL, the worker's sweep queues what could not be queued, and every
 * accepted delivery is processed exactly once (one run each, no duplicates) — also when jobs are
 * queued twice (a redelivery of the same event, a sweep re-queueing a delivered job).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '@slipway/api';
import { DeliveryStore } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { TEST_REDIS_URL } from '@slipway/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HOOK_SECRET, pushPayload, startHarness, until, type Harness } from './push-harness.js';

let h: Harness;
let downApi: INestApplication;
let downQueues: SlipwayQueues;
let downSubscriber: Redis;
let downBase: string;

beforeAll(async () => {
  h = await startHarness('delivery_outage');
  // A second API process whose Redis is unreachable (a closed port): the outage, bounded to this test.
  const unreachable = redisConnection('redis://127.0.0.1:1');
  unreachable.on('error', () => {}); // expected: ECONNREFUSED until the test ends
  downQueues = new SlipwayQueues(unreachable, h.config.SLIPWAY_REDIS_PREFIX);
  for (const q of [downQueues.reconcile, downQueues.pods, downQueues.timers, downQueues.maintenance, downQueues.deliveries]) q.on('error', () => {});
  downSubscriber = redisConnection(TEST_REDIS_URL, { forWorker: true });
  downApi = await createApiApp({ config: h.config, prisma: h.prisma, queues: downQueues, subscriber: downSubscriber, logger: false });
  await downApi.listen(0, '127.0.0.1');
  downBase = `http://127.0.0.1:${(downApi.getHttpServer().address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await downApi?.close();
  downQueues?.connection.disconnect();
  downSubscriber?.disconnect();
  await h?.close();
});

async function post(base: string, sha: string, uuid: string): Promise<{ status: number; id?: string }> {
  const res = await fetch(`${base}/api/v1/webhooks/gitlab`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': HOOK_SECRET, 'x-gitlab-event-uuid': uuid },
    body: JSON.stringify(pushPayload(h, sha, 'main', '0'.repeat(39) + '1', 'shop/load')),
  });
  const body = (await res.json().catch(() => ({}))) as { id?: string };
  return { status: res.status, id: body.id };
}

test('deliveries accepted while Redis is unreachable are each processed exactly once after it returns', async () => {
  const shas = Array.from({ length: 30 }, (_, i) => createHash('sha1').update(`load-${i}`).digest('hex'));
  const uuids = shas.map(() => randomUUID());
  // Half through the API whose Redis is down, half through the healthy one, all at once.
  const started = Date.now();
  const answers = await Promise.all(shas.map((sha, i) => post(i % 2 === 0 ? downBase : h.base, sha, uuids[i])));
  expect(answers.map((a) => a.status)).toEqual(shas.map(() => 202));
  expect(Date.now() - started).toBeLessThan(9_000); // inside GitLab's 10 s
  const ids = answers.map((a) => a.id!);
  // GitLab retries a few of them (same event UUID): the same delivery, no second run.
  const retries = await Promise.all([0, 1, 2, 3].map((i) => post(h.base, shas[i], uuids[i])));
  expect(retries.map((r) => r.id)).toEqual(ids.slice(0, 4));

  // Redis is back for the workers: the sweep queues what the down API could not.
  const store = new DeliveryStore(h.prisma);
  const processed = await until(
    'every delivery processed',
    async () => {
      await h.worker.webhooks.tick(() => {});
      const rows = await Promise.all(ids.map((id) => store.get(id)));
      return rows.every((r) => r && r.outcome !== 'received') ? rows : undefined;
    },
    60_000,
  );
  // Queue every delivery once more (a sweep re-queueing jobs that did run): the claim makes them no-ops.
  for (const id of ids) await h.queues.queueDelivery(id);
  await new Promise((r) => setTimeout(r, 2000));

  for (const row of processed) {
    expect(row!.outcome, row!.reason ?? '').toBe('started');
    expect(row!.workflowIds).toHaveLength(1);
  }
  const runs = await h.prisma.workflow.findMany({ where: { labels: { path: ['workflows.argoproj.io/workflow-event-binding'], equals: 'load-push' } }, select: { id: true, labels: true } });
  expect(runs).toHaveLength(ids.length);
  const byDelivery = new Map(runs.map((r) => [(r.labels as Record<string, string>)['slipway.dev/delivery'], r.id]));
  expect([...byDelivery.keys()].sort()).toEqual([...ids].sort());
  for (const row of processed) expect(byDelivery.get(row!.id)).toBe(row!.workflowIds[0]);
  const after = await Promise.all(ids.map((id) => store.get(id)));
  expect(after.map((r) => r?.processedAt?.getTime())).toEqual(processed.map((r) => r?.processedAt?.getTime()));
});
