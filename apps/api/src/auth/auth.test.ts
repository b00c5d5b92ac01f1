/** Bearer tokens, roles and namespaces (401/403), the token API, the bootstrap token, and the audit trail. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApi, workflowDoc, type Json, type TestApi } from '../test-support.js';
import { hashToken } from './token-service.js';

let api: TestApi;
const tokens: Record<string, { id: string; token: string }> = {};

async function issue(name: string, role: string, namespaces: string[] | string): Promise<{ id: string; token: string }> {
  const res = await api.request('/api/v1/tokens', { json: { name, role, namespaces } });
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  api = await startTestApi('auth');
  tokens.viewer = await issue('ci-viewer', 'viewer', ['team-a']);
  tokens.developer = await issue('dev-a', 'developer', ['team-a']);
  tokens.everywhere = await issue('dev-all', 'developer', '*');
  tokens.teamAdmin = await issue('admin-a', 'admin', ['team-a']);
  await api.request('/api/v1/workflows/team-a', { json: { workflow: workflowDoc('existing') } });
});

afterAll(async () => {
  await api.close();
});

const template = { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: 't' }, spec: { templates: [{ name: 'x', container: { image: 'busybox' } }] } };

describe('authentication', () => {
  it('answers 401 without a token, with a malformed header or an unknown token', async () => {
    const none = await api.request('/api/v1/workflows/team-a', { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 16, reason: 'Unauthenticated' });
    const basic = await api.request('/api/v1/workflows/team-a', { token: null, headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
    const unknown = await api.request('/api/v1/workflows/team-a', { token: 'swp_not-a-real-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe('invalid or revoked token');
  });

  it('leaves health checks and the API docs open', async () => {
    expect((await api.request('/healthz', { token: null })).status).toBe(200);
    expect((await api.request('/api/docs-json', { token: null })).status).toBe(200);
  });

  it('stores only the SHA-256 hash of issued tokens', async () => {
    const rows = await api.prisma.apiToken.findMany({ where: { name: 'dev-a' } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(hashToken(tokens.developer.token));
    expect(JSON.stringify(rows[0])).not.toContain(tokens.developer.token);
  });
});

describe('roles and namespaces', () => {
  it('viewer: reads its namespace, changes nothing (403)', async () => {
    const t = tokens.viewer.token;
    expect((await api.request('/api/v1/workflows/team-a', { token: t })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/team-a/existing', { token: t })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/team-a/lint', { token: t, json: { workflow: workflowDoc('l') } })).status).toBe(200);
    const submit = await api.request('/api/v1/workflows/team-a', { token: t, json: { workflow: workflowDoc('v') } });
    expect(submit.status).toBe(403);
    expect(submit.body).toMatchObject({ code: 7, reason: 'PermissionDenied', message: 'token "ci-viewer" (role viewer) is not allowed to change workflows' });
    expect((await api.request('/api/v1/workflows/team-a/existing/stop', { token: t, method: 'PUT' })).status).toBe(403);
    expect((await api.request('/api/v1/workflows/team-a/existing', { token: t, method: 'DELETE' })).status).toBe(403);
    const other = await api.request('/api/v1/workflows/team-b', { token: t });
    expect(other.status).toBe(403);
    expect(other.body.message).toBe('token "ci-viewer" has no access to namespace "team-b"');
    expect((await api.request('/api/v1/cluster-workflow-templates', { token: t })).status).toBe(200);
  });

  it('developer: submits, controls and deletes workflows in its namespace; no templates, cron or tokens', async () => {
    const t = tokens.developer.token;
    expect((await api.request('/api/v1/workflows/team-a', { token: t, json: { workflow: workflowDoc('by-dev') } })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/team-a/by-dev/suspend', { token: t, method: 'PUT' })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/team-a/by-dev/terminate', { token: t, method: 'PUT' })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/team-a/by-dev', { token: t, method: 'DELETE' })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/team-b', { token: t, json: { workflow: workflowDoc('x') } })).status).toBe(403);
    const tmpl = await api.request('/api/v1/workflow-templates/team-a', { token: t, json: { template } });
    expect(tmpl.status).toBe(403);
    expect(tmpl.body.message).toBe('token "dev-a" (role developer) is not allowed to change templates');
    expect((await api.request('/api/v1/workflow-templates/team-a', { token: t })).status).toBe(200);
    expect((await api.request('/api/v1/cron-workflows/team-a/x/suspend', { token: t, method: 'PUT' })).status).toBe(403);
    expect((await api.request('/api/v1/tokens', { token: t })).status).toBe(403);
    expect((await api.request('/api/v1/audit-events', { token: t })).status).toBe(403);
  });

  it('a developer for * works in any namespace', async () => {
    const res = await api.request('/api/v1/workflows/team-z', { token: tokens.everywhere.token, json: { workflow: workflowDoc('z') } });
    expect(res.status).toBe(200);
  });

  it('an admin limited to a namespace manages its templates but not cluster templates, tokens or the audit trail', async () => {
    const t = tokens.teamAdmin.token;
    expect((await api.request('/api/v1/workflow-templates/team-a', { token: t, json: { template } })).status).toBe(200);
    expect((await api.request('/api/v1/workflow-templates/team-b', { token: t, json: { template } })).status).toBe(403);
    const cluster = await api.request('/api/v1/cluster-workflow-templates', { token: t, json: { template: { ...template, kind: 'ClusterWorkflowTemplate' } } });
    expect(cluster.status).toBe(403);
    expect(cluster.body.message).toContain('needs a token for all namespaces (*)');
    expect((await api.request('/api/v1/tokens', { token: t })).status).toBe(403);
  });
});

describe('the token API', () => {
  it('lists tokens without secrets or hashes', async () => {
    const res = await api.request('/api/v1/tokens');
    expect(res.status).toBe(200);
    const names = res.body.items.map((t: Json) => t.name);
    expect(names).toEqual(expect.arrayContaining(['ci-viewer', 'dev-a', 'dev-all', 'admin-a']));
    expect(res.text).not.toContain(tokens.viewer.token);
    expect(res.text).not.toContain('tokenHash');
    expect(res.body.items.find((t: Json) => t.name === 'dev-a')).toMatchObject({ role: 'developer', namespaces: ['team-a'], createdBy: 'bootstrap-admin' });
  });

  it('validates the request, naming the field', async () => {
    const res = await api.request('/api/v1/tokens', { json: { name: 'x', role: 'root', namespaces: ['a'] } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('body.role');
    const ns = await api.request('/api/v1/tokens', { json: { name: 'x', role: 'viewer', namespaces: ['Not_A_Namespace'] } });
    expect(ns.body.message).toContain('body.namespaces');
  });

  it('revokes: the token stops working at once; revoking again is 404', async () => {
    const t = await issue('short-lived', 'viewer', ['*']);
    expect((await api.request('/api/v1/workflows/default', { token: t.token })).status).toBe(200);
    expect((await api.request(`/api/v1/tokens/${t.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.request('/api/v1/workflows/default', { token: t.token })).status).toBe(401);
    expect((await api.request(`/api/v1/tokens/${t.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await api.request('/api/v1/tokens/not-a-uuid', { method: 'DELETE' })).status).toBe(400);
  });

  it('accepts the bootstrap admin token from SLIPWAY_ADMIN_TOKEN', async () => {
    expect((await api.request('/api/v1/tokens', { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await api.request('/api/v1/tokens', { token: `${ADMIN_TOKEN}x` })).status).toBe(401);
  });
});

describe('audit events', () => {
  it('records every mutating call with actor, action, namespace, resource and details', async () => {
    const res = await api.request('/api/v1/audit-events?limit=200');
    expect(res.status).toBe(200);
    const rows = res.body.items as Json[];
    const find = (action: string, actor: string, resource?: string) =>
      rows.find((r) => r.action === action && r.actor === actor && (resource === undefined || r.resource === resource));
    expect(find('token.create', 'bootstrap-admin', 'tokens/dev-a')).toMatchObject({ resource: 'tokens/dev-a', namespace: null, details: { role: 'developer', namespaces: ['team-a'] } });
    expect(JSON.stringify(rows)).not.toContain(tokens.developer.token);
    expect(find('workflow.create', 'dev-a')).toMatchObject({ namespace: 'team-a', resource: 'workflows/by-dev', details: { method: 'POST' } });
    expect(find('workflow.suspend', 'dev-a')).toMatchObject({ resource: 'workflows/by-dev' });
    expect(find('workflow.delete', 'dev-a')).toMatchObject({ resource: 'workflows/by-dev' });
    expect(find('workflowtemplate.create', 'admin-a')).toMatchObject({ namespace: 'team-a', resource: 'workflowtemplates/t' });
    expect(find('token.revoke', 'bootstrap-admin')).toBeDefined();
    // Refused and read-only calls are not mutations.
    expect(rows.filter((r) => r.actor === 'ci-viewer')).toEqual([]);
  });

  it('pages with continue and filters by actor', async () => {
    const first = await api.request('/api/v1/audit-events?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await api.request(`/api/v1/audit-events?limit=2&continue=${first.body.metadata.continue}`);
    expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id));
    const byActor = await api.request('/api/v1/audit-events?actor=dev-all');
    expect(byActor.body.items.map((r: Json) => r.action)).toEqual(['workflow.create']);
  });
});
