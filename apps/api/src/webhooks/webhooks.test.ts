/**
 * GitLab/GitHub webhook intake over HTTP: secrets checked before anything is stored, the raw bytes
 * verified, the delivery committed before the 202 and queued once, redeliveries answered 2xx
 * without a second job, Redis down → still 202 (unqueued), PostgreSQL down → 503.
 */
import { DeliveryStore, WebhookHookRepository } from '@slipway/persistence';
import { generateWebhookSecret, hashSecret } from '@slipway/scm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../test-support.js';
import { createHook, deliveryJobs, githubHeaders, gitlabHeaders, postRaw, queuedJobs, scmFixture } from './webhook-test-support.js';

const pushBody = scmFixture('gitlab-push.json');
const githubBody = scmFixture('argo-github-webhook-payload.json');

describe('webhook intake', () => {
  let api: TestApi;
  let gitlab: { id: string; secret: string };
  let github: { id: string; secret: string };

  beforeAll(async () => {
    api = await startTestApi('webhooks');
    gitlab = await createHook(api, 'gitlab', 'shop-gitlab');
    await createHook(api, 'gitlab', 'ops', 'ops');
    github = await createHook(api, 'github', 'shop-github');
  });

  afterAll(async () => {
    await api.close();
  });

  const rows = () => api.prisma.delivery.count();

  it('GitLab: the right token → 202, the row is committed and one job queued', async () => {
    const res = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(gitlab.secret));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), duplicate: false });
    const row = await new DeliveryStore(api.prisma).get(res.body.id);
    expect(row).toMatchObject({ provider: 'gitlab', hookId: gitlab.id, namespace: 'shop', eventType: 'Push Hook', kind: 'push', ref: 'refs/heads/main', outcome: 'received' });
    expect(row?.headers['x-gitlab-token']).toBe('[redacted]');
    expect(row?.rawBody).toBe(pushBody);
    expect(await queuedJobs(api, res.body.id)).toBe(1);
    await expect.poll(async () => (await new DeliveryStore(api.prisma).get(res.body.id))?.queuedAt).not.toBeNull();
  });

  it('GitLab: wrong or missing token, or another hook\'s route → 401, nothing stored or queued', async () => {
    const before = await rows();
    const jobs = await api.queues.deliveries.count();
    const wrong = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders('not-the-secret'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ reason: 'Unauthenticated' });
    expect((await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(undefined))).status).toBe(401);
    expect((await postRaw(api, '/api/v1/webhooks/gitlab/ops', pushBody, gitlabHeaders(gitlab.secret))).status).toBe(401);
    expect((await postRaw(api, '/api/v1/webhooks/gitlab/ghost', pushBody, gitlabHeaders(gitlab.secret))).status).toBe(401);
    // a bearer token is no substitute for the hook's secret
    expect((await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, { ...gitlabHeaders(undefined), authorization: 'Bearer test-admin-token-0123456789' })).status).toBe(401);
    expect(await rows()).toBe(before);
    expect(await api.queues.deliveries.count()).toBe(jobs);
  });

  it('GitLab: the hook\'s own route accepts its secret', async () => {
    const res = await postRaw(api, '/api/v1/webhooks/gitlab/shop-gitlab', pushBody, gitlabHeaders(gitlab.secret));
    expect(res.status).toBe(202);
    expect((await new DeliveryStore(api.prisma).get(res.body.id))?.hookId).toBe(gitlab.id);
  });

  it('hooks are cached for verification, yet a hook added by another replica works at once and one deleted here is refused at once', async () => {
    expect((await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(gitlab.secret))).status).toBe(202); // caches the GitLab hooks
    // Another replica registers a hook: straight into the database, this process's cache is not told.
    const secret = generateWebhookSecret();
    const other = await new WebhookHookRepository(api.prisma).create({ provider: 'gitlab', name: 'replica-made', namespace: 'shop', secretHash: hashSecret(secret) });
    expect((await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(secret))).status).toBe(202);
    const temp = await createHook(api, 'gitlab', 'short-lived');
    expect((await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(temp.secret))).status).toBe(202);
    expect((await api.request(`/api/v1/webhook-hooks/${temp.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(temp.secret))).status).toBe(401);
    await new WebhookHookRepository(api.prisma).delete(other.id);
  });

  it('a redelivery (same Idempotency-Key) answers 2xx with the first id and queues nothing', async () => {
    const headers = gitlabHeaders(gitlab.secret);
    const first = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, headers);
    const again = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, headers);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ id: first.body.id, duplicate: true });
    // without Idempotency-Key (GitLab < 17.4) the event UUID de-duplicates
    const old = gitlabHeaders(gitlab.secret);
    delete old['idempotency-key'];
    const a = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, old);
    const b = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, old);
    expect(b.body).toEqual({ id: a.body.id, duplicate: true });
    expect(await queuedJobs(api, first.body.id)).toBe(1);
    expect(await queuedJobs(api, a.body.id)).toBe(1);
  });

  it('events that start nothing (unhandled type, deletion) are stored finished, 2xx, not queued', async () => {
    const res = await postRaw(api, '/api/v1/webhooks/gitlab', '{"object_kind":"pipeline"}', gitlabHeaders(gitlab.secret, { 'x-gitlab-event': 'Pipeline Hook' }));
    expect(res.status).toBe(202);
    expect(await new DeliveryStore(api.prisma).get(res.body.id)).toMatchObject({ outcome: 'skipped', kind: 'other' });
    expect(await deliveryJobs(api, res.body.id)).toBe(0);
  });

  it('GitHub: the HMAC over the raw bytes → 202; a changed byte or wrong secret → 401', async () => {
    // re-serialising the JSON would change the bytes: whitespace and a non-ASCII character must reach verification as sent
    const body = Buffer.from(githubBody.replace('{', '{\n  "note": "caf\u00e9 \u2713",'), 'utf8');
    const ok = await postRaw(api, '/api/v1/webhooks/github', body, githubHeaders(github.secret, body));
    expect(ok.status).toBe(202);
    const row = await new DeliveryStore(api.prisma).get(ok.body.id);
    expect(row).toMatchObject({ provider: 'github', hookId: github.id, eventType: 'push' });
    expect(row?.rawBody).toBe(body.toString('utf8'));
    expect(await queuedJobs(api, ok.body.id)).toBe(1);
    expect((await postRaw(api, '/api/v1/webhooks/github/shop-github', body, githubHeaders(github.secret, body))).status).toBe(202);

    const before = await rows();
    const tampered = Buffer.from(body.toString('utf8').replace('caf\u00e9', 'cafe'), 'utf8');
    expect((await postRaw(api, '/api/v1/webhooks/github', tampered, githubHeaders(github.secret, body))).status).toBe(401);
    expect((await postRaw(api, '/api/v1/webhooks/github', body, githubHeaders('wrong-secret', body))).status).toBe(401);
    const unsigned = githubHeaders(github.secret, body);
    delete unsigned['x-hub-signature-256'];
    expect((await postRaw(api, '/api/v1/webhooks/github', body, unsigned)).status).toBe(401);
    expect(await rows()).toBe(before);
  });

  it('GitHub: a redelivery (same X-GitHub-Delivery) answers 2xx and queues nothing new', async () => {
    const body = Buffer.from(githubBody);
    const headers = githubHeaders(github.secret, body);
    const first = await postRaw(api, '/api/v1/webhooks/github', body, headers);
    const again = await postRaw(api, '/api/v1/webhooks/github', body, headers);
    expect(again).toEqual({ status: 202, body: { id: first.body.id, duplicate: true } });
    expect(await queuedJobs(api, first.body.id)).toBe(1);
  });

  it('a body over SLIPWAY_BODY_LIMIT is 413 and not stored', async () => {
    const before = await rows();
    const big = JSON.stringify({ ...JSON.parse(pushBody), filler: 'x'.repeat(1024 * 1024) });
    const res = await postRaw(api, '/api/v1/webhooks/gitlab', big, gitlabHeaders(gitlab.secret));
    expect(res.status).toBe(413);
    expect(await rows()).toBe(before);
  });

  it('other routes still parse JSON bodies (the raw parser is for webhooks only)', async () => {
    const res = await api.request('/api/v1/workflows/default/lint', { json: { workflow: { metadata: { name: 'x' }, spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox' } }] } } } });
    expect(res.status).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await api.request('/api/docs-json', { token: null });
    for (const path of ['/api/v1/webhooks/gitlab', '/api/v1/webhooks/gitlab/{hook}', '/api/v1/webhooks/github/{hook}', '/api/v1/events/{namespace}/{discriminator}', '/api/v1/deliveries/{id}/replay', '/api/v1/webhook-hooks', '/api/v1/workflow-event-bindings/{namespace}/{name}', '/api/v1/alerts']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
  });
});

describe('Redis down', () => {
  let api: TestApi;
  const secret = generateWebhookSecret();

  beforeAll(async () => {
    api = await startTestApi('webhooks_noredis', { redisUrl: 'redis://127.0.0.1:1' });
    await new WebhookHookRepository(api.prisma).create({ provider: 'gitlab', name: 'shop-gitlab', namespace: 'shop', secretHash: hashSecret(secret) });
  });

  afterAll(async () => {
    await api.close();
  });

  it('still 202 within the queueing timeout; the row stays unqueued for the sweeper', async () => {
    const started = Date.now();
    const res = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders(secret));
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5000);
    const row = await new DeliveryStore(api.prisma).get(res.body.id);
    expect(row).toMatchObject({ outcome: 'received', queuedAt: null });
    const unqueued = await new DeliveryStore(api.prisma).unqueued(new Date(Date.now() + 60_000));
    expect(unqueued.map((d) => d.id)).toContain(res.body.id);
  });
});

describe('PostgreSQL down', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('webhooks_nopg', { databaseUrl: 'postgresql://postgres@127.0.0.1:1/slipway' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('503, never a 4xx (GitLab disables hooks after 4xx answers)', async () => {
    const gitlab = await postRaw(api, '/api/v1/webhooks/gitlab', pushBody, gitlabHeaders('whatever'));
    expect(gitlab.status).toBe(503);
    expect(gitlab.body).toMatchObject({ reason: 'Unavailable' });
    const body = Buffer.from(githubBody);
    expect((await postRaw(api, '/api/v1/webhooks/github/x', body, githubHeaders('s', body))).status).toBe(503);
  });
});
