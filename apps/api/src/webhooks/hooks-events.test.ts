/** Webhook hooks (secret shown once, stored hashed or encrypted, admin only) and Argo's generic event endpoint. */
import { DeliveryStore } from '@slipway/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Json, type TestApi } from '../test-support.js';
import { deliveryJobs } from './webhook-test-support.js';

let api: TestApi;
let developer: string;
let viewer: string;

beforeAll(async () => {
  api = await startTestApi('hooks_events');
  developer = (await api.request('/api/v1/tokens', { json: { name: 'dev', role: 'developer', namespaces: ['shop'] } })).body.token;
  viewer = (await api.request('/api/v1/tokens', { json: { name: 'view', role: 'viewer', namespaces: '*' } })).body.token;
});

afterAll(async () => {
  await api.close();
});

describe('webhook hooks', () => {
  it('create returns the secret once; the database holds only its hash (GitLab) or ciphertext (GitHub)', async () => {
    const gl = await api.request('/api/v1/webhook-hooks', { json: { provider: 'gitlab', name: 'shop-gitlab', namespace: 'shop' } });
    expect(gl.status).toBe(200);
    expect(gl.body).toMatchObject({ provider: 'gitlab', name: 'shop-gitlab', namespace: 'shop', url: '/api/v1/webhooks/gitlab/shop-gitlab', secret: expect.stringMatching(/^.{32,}$/) });
    const gh = await api.request('/api/v1/webhook-hooks', { json: { provider: 'github', name: 'shop-github', namespace: 'shop' } });
    expect(gh.status).toBe(200);

    const stored = await api.prisma.webhookHook.findMany({ orderBy: { name: 'asc' } });
    const dump = JSON.stringify(stored);
    expect(dump).not.toContain(gl.body.secret);
    expect(dump).not.toContain(gh.body.secret);
    expect(stored.find((h) => h.name === 'shop-gitlab')).toMatchObject({ secretHash: expect.stringMatching(/^sha256:/), secretCiphertext: null });
    expect(stored.find((h) => h.name === 'shop-github')).toMatchObject({ secretHash: null, secretCiphertext: expect.stringMatching(/^v1\./) });
  });

  it('list and get never show secrets', async () => {
    const list = await api.request('/api/v1/webhook-hooks');
    expect(list.status).toBe(200);
    expect(list.body.items.map((h: Json) => `${h.provider}/${h.name}`)).toEqual(['github/shop-github', 'gitlab/shop-gitlab']);
    expect(list.text).not.toMatch(/secret"|secretHash|secretCiphertext/);
    expect((await api.request('/api/v1/webhook-hooks?provider=gitlab')).body.items).toHaveLength(1);
    const one = await api.request(`/api/v1/webhook-hooks/${list.body.items[0].id}`);
    expect(one.body).toMatchObject({ name: 'shop-github' });
    expect(one.body.secret).toBeUndefined();
  });

  it('rejects duplicates (409), bad input (400) and non-admins (403); writes audit rows', async () => {
    expect((await api.request('/api/v1/webhook-hooks', { json: { provider: 'gitlab', name: 'shop-gitlab', namespace: 'shop' } })).status).toBe(409);
    const bad = await api.request('/api/v1/webhook-hooks', { json: { provider: 'bitbucket', name: 'Bad Name', namespace: 'shop' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('body.provider');
    expect((await api.request('/api/v1/webhook-hooks', { token: developer, json: { provider: 'gitlab', name: 'x', namespace: 'shop' } })).status).toBe(403);
    expect((await api.request('/api/v1/webhook-hooks', { token: viewer })).status).toBe(403);
    const audit = await api.request('/api/v1/audit-events?action=webhookhook.create');
    expect(audit.body.items.map((e: Json) => e.resource)).toEqual(['webhookhooks/shop-github', 'webhookhooks/shop-gitlab']);
    expect(JSON.stringify(audit.body)).not.toMatch(/secret/i);
  });

  it('delete removes the hook; its route then answers 401', async () => {
    const created = await api.request('/api/v1/webhook-hooks', { json: { provider: 'gitlab', name: 'temp', namespace: 'shop' } });
    const del = await api.request(`/api/v1/webhook-hooks/${created.body.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ name: 'temp' });
    expect((await api.request(`/api/v1/webhook-hooks/${created.body.id}`, { method: 'DELETE' })).status).toBe(404);
    const post = await fetch(`${api.url}/api/v1/webhooks/gitlab/temp`, { method: 'POST', headers: { 'x-gitlab-token': created.body.secret, 'x-gitlab-event': 'Push Hook' }, body: '{}' });
    expect(post.status).toBe(401);
    expect((await api.request('/api/v1/audit-events?action=webhookhook.delete')).body.items[0]).toMatchObject({ resource: 'webhookhooks/temp' });
  });
});

describe('generic events (POST /api/v1/events/{namespace}/{discriminator})', () => {
  it('with a developer token: stored as a generic delivery and queued', async () => {
    const res = await api.request('/api/v1/events/shop/release', { token: developer, json: { version: '1.2.3' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.any(String), duplicate: false });
    const row = await new DeliveryStore(api.prisma).get(res.body.id);
    expect(row).toMatchObject({ provider: 'generic', hookId: null, namespace: 'shop', eventType: 'release', kind: 'generic', outcome: 'received', rawBody: '{"version":"1.2.3"}' });
    expect(row?.headers.authorization).toBe('[redacted]');
    expect(await deliveryJobs(api, res.body.id)).toBe(1);
  });

  it('an Idempotency-Key de-duplicates; without one every event is new', async () => {
    const headers = { 'idempotency-key': 'abc-1' };
    const a = await api.request('/api/v1/events/shop/release', { token: developer, json: {}, headers });
    const b = await api.request('/api/v1/events/shop/release', { token: developer, json: {}, headers });
    expect(b.body).toEqual({ id: a.body.id, duplicate: true });
    expect(await deliveryJobs(api, a.body.id)).toBe(1);
    const c = await api.request('/api/v1/events/shop/release', { token: developer, json: {} });
    const d = await api.request('/api/v1/events/shop/release', { token: developer, json: {} });
    expect(c.body.id).not.toBe(d.body.id);
  });

  it('needs a token with write access to the namespace, and a JSON body', async () => {
    expect((await api.request('/api/v1/events/shop/release', { token: null, json: {} })).status).toBe(401);
    expect((await api.request('/api/v1/events/shop/release', { token: viewer, json: {} })).status).toBe(403);
    expect((await api.request('/api/v1/events/other/release', { token: developer, json: {} })).status).toBe(403);
    const bad = await api.request('/api/v1/events/shop/release', { token: developer, raw: '{not json', contentType: 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('must be JSON');
  });
});
