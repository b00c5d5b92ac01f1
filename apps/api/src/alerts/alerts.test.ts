/** Alerts API over the AlertOutbox: list with filters and pages, get, retry of failed/stored alerts, namespace limits. */
import { AlertOutbox, type NewAlert } from '@slipway/persistence';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Json, type TestApi } from '../test-support.js';

let api: TestApi;
let outbox: AlertOutbox;
const ids: Record<string, string> = {};
let shopDev: string;
let shopViewer: string;

function alert(namespace: string, workflowName: string): NewAlert {
  const workflowId = randomUUID();
  return {
    workflowId,
    namespace,
    workflowName,
    kind: 'failure',
    recipients: ['team@example.com'],
    subject: `Workflow ${namespace}/${workflowName} failed`,
    bodyText: 'step build failed',
    bodyHtml: '<p>step build failed</p>',
    messageId: `<alert-${workflowId}@slipway>`,
  };
}

beforeAll(async () => {
  api = await startTestApi('alerts');
  outbox = new AlertOutbox(api.prisma);
  for (const [key, ns, name] of [['a', 'shop', 'build-a'], ['b', 'shop', 'build-b'], ['c', 'ops', 'deploy-c']] as const) {
    ids[key] = (await outbox.enqueue(alert(ns, name))).id;
    await new Promise((r) => setTimeout(r, 5));
  }
  await outbox.markStored(ids.a, 'SMTP_URL is not set: stored, not sent');
  shopDev = (await api.request('/api/v1/tokens', { json: { name: 'shop-dev', role: 'developer', namespaces: ['shop'] } })).body.token;
  shopViewer = (await api.request('/api/v1/tokens', { json: { name: 'shop-viewer', role: 'viewer', namespaces: ['shop'] } })).body.token;
});

afterAll(async () => {
  await api.close();
});

const listIds = (r: Json) => r.body.items.map((a: Json) => a.id);

describe('GET /api/v1/alerts', () => {
  it('lists newest first, with filters and pages', async () => {
    const all = await api.request('/api/v1/alerts');
    expect(all.status).toBe(200);
    expect(listIds(all)).toEqual([ids.c, ids.b, ids.a]);
    expect(all.body.items[2]).toMatchObject({ status: 'stored', namespace: 'shop', workflowName: 'build-a', recipients: ['team@example.com'], lastError: expect.stringContaining('SMTP_URL') });
    expect(listIds(await api.request('/api/v1/alerts?status=stored'))).toEqual([ids.a]);
    expect(listIds(await api.request('/api/v1/alerts?namespace=shop&workflow=build-b'))).toEqual([ids.b]);
    const page = await api.request('/api/v1/alerts?limit=2');
    expect(listIds(page)).toEqual([ids.c, ids.b]);
    expect(listIds(await api.request(`/api/v1/alerts?limit=2&continue=${page.body.metadata.continue}`))).toEqual([ids.a]);
    expect((await api.request('/api/v1/alerts?status=lost')).status).toBe(400);
  });

  it('a namespace-limited token sees its namespace only', async () => {
    expect(listIds(await api.request('/api/v1/alerts', { token: shopViewer }))).toEqual([ids.b, ids.a]);
    expect((await api.request('/api/v1/alerts?namespace=ops', { token: shopViewer })).status).toBe(403);
    expect((await api.request(`/api/v1/alerts/${ids.c}`, { token: shopViewer })).status).toBe(404);
    expect((await api.request(`/api/v1/alerts/${ids.a}`, { token: shopViewer })).body).toMatchObject({ id: ids.a, subject: 'Workflow shop/build-a failed' });
  });
});

describe('POST /api/v1/alerts/{id}/retry', () => {
  it('puts a stored alert back to pending; a pending one is 409', async () => {
    expect((await api.request(`/api/v1/alerts/${ids.a}/retry`, { method: 'POST', token: shopViewer })).status).toBe(403);
    const res = await api.request(`/api/v1/alerts/${ids.a}/retry`, { method: 'POST', token: shopDev });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ids.a, status: 'pending', attempts: 0, lastError: null });
    expect((await outbox.get(ids.a))?.status).toBe('pending');
    expect((await api.request(`/api/v1/alerts/${ids.b}/retry`, { method: 'POST' })).status).toBe(409);
    expect((await api.request(`/api/v1/alerts/${ids.c}/retry`, { method: 'POST', token: shopDev })).status).toBe(404);
    expect((await api.request('/api/v1/audit-events?action=alert.retry')).body.items[0]).toMatchObject({ actor: 'shop-dev', details: { id: ids.a } });
  });
});
