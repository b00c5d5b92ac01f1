/** Deliveries API: list with filters and pages, one delivery (headers redacted, raw body), replay (linked, queued), namespace limits. */
import { DeliveryStore } from '@slipway/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Json, type TestApi } from '../test-support.js';
import { createHook, deliveryJobs, githubHeaders, gitlabHeaders, postRaw, scmFixture } from '../webhooks/webhook-test-support.js';

let api: TestApi;
let pushId: string;
let githubId: string;
let otherNsId: string;
let shopViewer: string;
let shopDeveloper: string;

beforeAll(async () => {
  api = await startTestApi('deliveries');
  const gitlab = await createHook(api, 'gitlab', 'shop-gitlab', 'shop');
  const ops = await createHook(api, 'gitlab', 'ops-gitlab', 'ops');
  const github = await createHook(api, 'github', 'shop-github', 'shop');
  pushId = (await postRaw(api, '/api/v1/webhooks/gitlab', scmFixture('gitlab-push.json'), gitlabHeaders(gitlab.secret))).body.id;
  const body = scmFixture('argo-github-webhook-payload.json');
  githubId = (await postRaw(api, '/api/v1/webhooks/github', body, githubHeaders(github.secret, body))).body.id;
  otherNsId = (await postRaw(api, '/api/v1/webhooks/gitlab', scmFixture('gitlab-push.json'), gitlabHeaders(ops.secret))).body.id;
  shopViewer = (await api.request('/api/v1/tokens', { json: { name: 'shop-viewer', role: 'viewer', namespaces: ['shop'] } })).body.token;
  shopDeveloper = (await api.request('/api/v1/tokens', { json: { name: 'shop-dev', role: 'developer', namespaces: ['shop'] } })).body.token;
});

afterAll(async () => {
  await api.close();
});

const ids = (r: Json) => r.body.items.map((d: Json) => d.id);

describe('GET /api/v1/deliveries', () => {
  it('lists newest first without headers or bodies', async () => {
    const res = await api.request('/api/v1/deliveries');
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([otherNsId, githubId, pushId]);
    expect(res.body.items[2]).toMatchObject({ provider: 'gitlab', namespace: 'shop', eventType: 'Push Hook', kind: 'push', outcome: 'received', replayOf: null });
    expect(res.body.items[2].rawBody).toBeUndefined();
    expect(res.body.items[2].headers).toBeUndefined();
  });

  it('filters by provider, outcome, repo, namespace and since', async () => {
    expect(ids(await api.request('/api/v1/deliveries?provider=github'))).toEqual([githubId]);
    expect(ids(await api.request('/api/v1/deliveries?namespace=shop&provider=gitlab'))).toEqual([pushId]);
    const push = await new DeliveryStore(api.prisma).get(pushId);
    expect(ids(await api.request(`/api/v1/deliveries?repo=${encodeURIComponent(push!.repo!)}&namespace=shop`))).toEqual([pushId]);
    expect(ids(await api.request('/api/v1/deliveries?outcome=started'))).toEqual([]);
    expect(ids(await api.request(`/api/v1/deliveries?since=${new Date(Date.now() + 60_000).toISOString()}`))).toEqual([]);
    expect((await api.request('/api/v1/deliveries?outcome=maybe')).status).toBe(400);
    expect((await api.request('/api/v1/deliveries?since=yesterday')).status).toBe(400);
  });

  it('pages with limit and continue', async () => {
    const first = await api.request('/api/v1/deliveries?limit=2');
    expect(ids(first)).toEqual([otherNsId, githubId]);
    expect(first.body.metadata.continue).toEqual(expect.any(String));
    const second = await api.request(`/api/v1/deliveries?limit=2&continue=${first.body.metadata.continue}`);
    expect(ids(second)).toEqual([pushId]);
    expect(second.body.metadata.continue).toBeUndefined();
    expect((await api.request('/api/v1/deliveries?continue=garbage')).status).toBe(400);
  });

  it('a namespace-limited token sees its namespace only', async () => {
    expect(ids(await api.request('/api/v1/deliveries', { token: shopViewer }))).toEqual([githubId, pushId]);
    expect((await api.request('/api/v1/deliveries?namespace=ops', { token: shopViewer })).status).toBe(403);
    expect((await api.request(`/api/v1/deliveries/${otherNsId}`, { token: shopViewer })).status).toBe(404);
  });
});

describe('GET /api/v1/deliveries/{id}', () => {
  it('shows the headers (secrets redacted) and the raw body', async () => {
    const res = await api.request(`/api/v1/deliveries/${pushId}`);
    expect(res.status).toBe(200);
    expect(res.body.headers['x-gitlab-token']).toBe('[redacted]');
    expect(res.body.headers['x-gitlab-event']).toBe('Push Hook');
    expect(res.body.rawBody).toBe(scmFixture('gitlab-push.json'));
    expect((await api.request(`/api/v1/deliveries/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await api.request('/api/v1/deliveries/not-a-uuid')).status).toBe(400);
  });
});

describe('POST /api/v1/deliveries/{id}/replay', () => {
  it('creates a new delivery linked to the original and queues it', async () => {
    const res = await api.request(`/api/v1/deliveries/${pushId}/replay`, { method: 'POST', token: shopDeveloper });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ replayOf: pushId, provider: 'gitlab', namespace: 'shop', outcome: 'received', queued: true });
    expect(res.body.id).not.toBe(pushId);
    expect(res.body.deliveryKey).toBe(`replay:${res.body.id}`);
    expect(await deliveryJobs(api, res.body.id)).toBe(1);
    const copy = await new DeliveryStore(api.prisma).get(res.body.id);
    expect(copy?.rawBody).toBe(scmFixture('gitlab-push.json'));
    const audit = await api.request('/api/v1/audit-events?action=delivery.replay');
    expect(audit.body.items[0]).toMatchObject({ actor: 'shop-dev', details: { id: pushId } });
  });

  it('needs write access to the delivery\'s namespace', async () => {
    expect((await api.request(`/api/v1/deliveries/${pushId}/replay`, { method: 'POST', token: shopViewer })).status).toBe(403);
    expect((await api.request(`/api/v1/deliveries/${otherNsId}/replay`, { method: 'POST', token: shopDeveloper })).status).toBe(404);
    expect((await api.request(`/api/v1/deliveries/${crypto.randomUUID()}/replay`, { method: 'POST' })).status).toBe(404);
  });
});
