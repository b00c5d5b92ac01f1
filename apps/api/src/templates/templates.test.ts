/** WorkflowTemplates and ClusterWorkflowTemplates: CRUD, lint, revisions, diff, rollback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Json, type TestApi } from '../test-support.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('templates');
});

afterAll(async () => {
  await api.close();
});

const yamlTemplate = (greeting: string, name = 'hello') => `# the greeting template
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: ${name}
  labels:
    team: platform
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: busybox
        command: [echo, "${greeting}"]
`;

const base = '/api/v1/workflow-templates/default';

describe('WorkflowTemplates', () => {
  it('creates from YAML (revision 1) and gets it back with server metadata', async () => {
    const res = await api.request(base, { raw: yamlTemplate('hi') });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toMatchObject({ name: 'hello', namespace: 'default', resourceVersion: '1', labels: { team: 'platform' } });
    expect(res.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const got = await api.request(`${base}/hello`);
    expect(got.status).toBe(200);
    expect(got.body.spec.templates[0].container.command).toEqual(['echo', 'hi']);
  });

  it('refuses a duplicate (409) and a lint error (400 with line:col)', async () => {
    const dup = await api.request(base, { raw: yamlTemplate('again') });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('workflowtemplates.argoproj.io "hello" already exists');
    const bad = await api.request(base, { raw: yamlTemplate('x', 'broken').replace('entrypoint: main', 'entrypoint: nothing') });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^9:3: spec.entrypoint: /);
  });

  it('updates with PUT (JSON), each update a new revision; a stale resourceVersion is a 409', async () => {
    const current = (await api.request(`${base}/hello`)).body;
    current.spec.templates[0].container.command = ['echo', 'hello there'];
    const res = await api.request(`${base}/hello`, { method: 'PUT', json: { template: current } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.resourceVersion).toBe('2');
    const stale = await api.request(`${base}/hello`, { method: 'PUT', json: { template: current } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('resourceVersion 1 is not the current 2');
    const renamed = await api.request(`${base}/hello`, { method: 'PUT', json: { template: { ...current, metadata: { name: 'other' } } } });
    expect(renamed.status).toBe(400);
    expect(renamed.body.message).toContain('metadata.name');
    const third = await api.request(`${base}/hello`, { method: 'PUT', raw: yamlTemplate('third') });
    expect(third.body.metadata.resourceVersion).toBe('3');
  });

  it('lists (with a label selector) and lints', async () => {
    await api.request(base, { raw: yamlTemplate('b', 'second').replace('team: platform', 'team: apps') });
    const all = await api.request(base);
    expect(all.body.items.map((t: Json) => t.metadata.name)).toEqual(['hello', 'second']);
    const apps = await api.request(`${base}?listOptions.labelSelector=team%3Dapps`);
    expect(apps.body.items.map((t: Json) => t.metadata.name)).toEqual(['second']);
    const lint = await api.request(`${base}/lint`, { raw: yamlTemplate('x', 'unsaved') });
    expect(lint.status).toBe(200);
    expect((await api.request(`${base}/unsaved`)).status).toBe(404);
    const lintBad = await api.request(`${base}/lint`, { json: { template: { kind: 'WorkflowTemplate', metadata: { name: 'x' }, spec: { entrypoint: 'a', templates: [] } } } });
    expect(lintBad.status).toBe(400);
  });

  it('lists revisions and shows one with its source', async () => {
    const list = await api.request(`${base}/hello/revisions`);
    expect(list.body.items.map((r: Json) => [r.revision, r.current, r.createdBy])).toEqual([
      [3, true, 'bootstrap-admin'],
      [2, false, 'bootstrap-admin'],
      [1, false, 'bootstrap-admin'],
    ]);
    const one = await api.request(`${base}/hello/revisions/1`);
    expect(one.status).toBe(200);
    expect(one.body.source).toBe(yamlTemplate('hi'));
    expect(one.body.template.spec.templates[0].container.command).toEqual(['echo', 'hi']);
    expect((await api.request(`${base}/hello/revisions/9`)).status).toBe(404);
    expect((await api.request(`${base}/hello/revisions/zero`)).status).toBe(400);
  });

  it('diffs two revisions as a unified diff of their YAML', async () => {
    const res = await api.request(`${base}/hello/revisions/1/diff/3`);
    expect(res.status).toBe(200);
    expect(res.body.diff).toContain('--- hello@1');
    expect(res.body.diff).toContain('+++ hello@3');
    expect(res.body.diff).toContain('-        command: [echo, "hi"]');
    expect(res.body.diff).toContain('+        command: [echo, "third"]');
    const text = await api.request(`${base}/hello/revisions/1/diff/3`, { headers: { accept: 'text/plain' } });
    expect(text.headers.get('content-type')).toContain('text/x-diff');
    expect(text.text).toBe(res.body.diff);
  });

  it('rolls back by copying an old revision into a new one', async () => {
    const res = await api.request(`${base}/hello/rollback`, { json: { revision: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.resourceVersion).toBe('4');
    expect(res.body.spec.templates[0].container.command).toEqual(['echo', 'hi']);
    const diff = await api.request(`${base}/hello/revisions/1/diff/4`);
    expect(diff.body.diff).not.toContain('@@');
    expect((await api.request(`${base}/hello/rollback`, { json: { revision: 42 } })).status).toBe(404);
    const bad = await api.request(`${base}/hello/rollback`, { json: { revision: 'latest' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('body.revision');
  });

  it('submissions use the current revision', async () => {
    const res = await api.request('/api/v1/workflows/default/submit', { json: { resourceKind: 'WorkflowTemplate', resourceName: 'hello' } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.annotations['slipway.dev/workflow-template-revision']).toBe('4');
    expect(res.body.status.storedWorkflowTemplateSpec.templates[0].container.command).toEqual(['echo', 'hi']);
  });

  it('deletes (then 404)', async () => {
    expect((await api.request(`${base}/second`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.request(`${base}/second`)).status).toBe(404);
    expect((await api.request(`${base}/second`, { method: 'DELETE' })).status).toBe(404);
    expect((await api.request(`${base}/second/revisions`)).status).toBe(404);
  });
});

describe('ClusterWorkflowTemplates', () => {
  const cluster = '/api/v1/cluster-workflow-templates';
  const doc = (greeting: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ClusterWorkflowTemplate',
    metadata: { name: 'shared' },
    spec: { templates: [{ name: 'say', container: { image: 'busybox', command: ['echo', greeting] } }] },
  });

  it('supports create, get, update, revisions, diff, rollback, list, delete', async () => {
    expect((await api.request(cluster, { json: { template: doc('one') } })).status).toBe(200);
    expect((await api.request(`${cluster}/shared`, { method: 'PUT', json: { template: doc('two') } })).body.metadata.resourceVersion).toBe('2');
    const got = await api.request(`${cluster}/shared`);
    expect(got.body.metadata.namespace).toBeUndefined();
    expect(got.body.spec.templates[0].container.command).toEqual(['echo', 'two']);
    expect((await api.request(`${cluster}/shared/revisions`)).body.items).toHaveLength(2);
    expect((await api.request(`${cluster}/shared/revisions/1/diff/2`)).body.diff).toContain('+          - two');
    expect((await api.request(`${cluster}/shared/rollback`, { json: { revision: 1 } })).body.metadata.resourceVersion).toBe('3');
    expect((await api.request(cluster)).body.items.map((t: Json) => t.metadata.name)).toEqual(['shared']);
    expect((await api.request(`${cluster}/lint`, { json: { template: doc('x') } })).status).toBe(200);
    expect((await api.request(`${cluster}/shared`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.request(`${cluster}/shared`)).status).toBe(404);
  });

  it('refuses a WorkflowTemplate document', async () => {
    const res = await api.request(cluster, { json: { template: { ...doc('x'), kind: 'WorkflowTemplate' } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('template.kind: expected ClusterWorkflowTemplate, got "WorkflowTemplate"');
  });
});
