/** WorkflowEventBindings through the API: CRUD (admin writes), lint errors with line:col and field. */
import { EventBindingRepository } from '@slipway/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Json, type TestApi } from '../test-support.js';

let api: TestApi;
let developer: string;

beforeAll(async () => {
  api = await startTestApi('bindings');
  developer = (await api.request('/api/v1/tokens', { json: { name: 'dev', role: 'developer', namespaces: '*' } })).body.token;
});

afterAll(async () => {
  await api.close();
});

const base = '/api/v1/workflow-event-bindings/shop';

const bindingYaml = (branches = '[main]', selector = 'metadata["x-gitlab-event"] == ["Push Hook"]') => `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: orders-push
spec:
  event:
    selector: ${selector}
  submit:
    workflowTemplateRef:
      name: java-compile-build-deploy
    arguments:
      parameters:
        - name: branch
          valueFrom:
            event: trimPrefix(payload.ref, "refs/heads/")
  slipway:
    hook: shop-gitlab
    branches: ${branches}
    concurrency:
      key: "{{payload.project.path_with_namespace}}/{{payload.ref}}"
      cancelInProgress: true
`;

describe('WorkflowEventBindings', () => {
  it('creates from YAML, lists and gets it back', async () => {
    const res = await api.request(base, { raw: bindingYaml() });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toMatchObject({ name: 'orders-push', namespace: 'shop', uid: expect.any(String) });
    expect(res.body.spec.slipway).toMatchObject({ hook: 'shop-gitlab', branches: ['main'] });
    expect((await api.request(base)).body.items.map((b: Json) => b.metadata.name)).toEqual(['orders-push']);
    const got = await api.request(`${base}/orders-push`);
    expect(got.body.spec.submit.workflowTemplateRef.name).toBe('java-compile-build-deploy');
    expect((await new EventBindingRepository(api.prisma).list('shop')).map((b) => b.manifest.metadata.name)).toEqual(['orders-push']);
    expect((await api.request(base, { raw: bindingYaml() })).status).toBe(409);
  });

  it('accepts the JSON wrapper {"workflowEventBinding": …} and updates with PUT', async () => {
    const doc = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowEventBinding',
      metadata: { name: 'orders-push' },
      spec: { event: { selector: 'payload.ref == "refs/heads/main"' }, submit: { workflowTemplateRef: { name: 'java-compile-build-deploy' } } },
    };
    const res = await api.request(`${base}/orders-push`, { method: 'PUT', json: { workflowEventBinding: doc } });
    expect(res.status).toBe(200);
    expect(res.body.spec.event.selector).toBe('payload.ref == "refs/heads/main"');
    expect(res.body.spec.slipway).toBeUndefined();
    expect((await api.request(`${base}/ghost`, { method: 'PUT', json: { workflowEventBinding: { ...doc, metadata: { name: 'ghost' } } } })).status).toBe(404);
    expect((await api.request(`${base}/other`, { method: 'PUT', json: { workflowEventBinding: doc } })).status).toBe(400);
  });

  it('lint errors are 400 naming line:col and the field', async () => {
    const badSelector = await api.request(`${base}/lint`, { raw: bindingYaml('[main]', 'payload.ref == ') });
    expect(badSelector.status).toBe(400);
    expect(badSelector.body.message).toMatch(/^7:\d+: spec\.event\.selector: /m);
    expect(badSelector.body.details[0]).toMatchObject({ line: 7, field: 'spec.event.selector' });

    const badExtension = await api.request(base, { raw: bindingYaml('main').replace('orders-push', 'broken') });
    expect(badExtension.status).toBe(400);
    expect(badExtension.body.message).toMatch(/^\d+:\d+: spec\.slipway\.branches: /m);
    expect((await api.request(`${base}/broken`)).status).toBe(404);

    const ok = await api.request(`${base}/lint`, { raw: bindingYaml() });
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.namespace).toBe('shop');
    const wrongKind = await api.request(`${base}/lint`, { raw: bindingYaml().replace('kind: WorkflowEventBinding', 'kind: Workflow') });
    expect(wrongKind.status).toBe(400);
  });

  it('writes need an admin; reads and lint do not; deletes write audit rows', async () => {
    expect((await api.request(base, { token: developer, raw: bindingYaml().replace('orders-push', 'dev-one') })).status).toBe(403);
    expect((await api.request(`${base}/orders-push`, { token: developer, method: 'DELETE' })).status).toBe(403);
    expect((await api.request(base, { token: developer })).status).toBe(200);
    expect((await api.request(`${base}/lint`, { token: developer, raw: bindingYaml() })).status).toBe(200);
    expect((await api.request(`${base}/orders-push`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.request(`${base}/orders-push`, { method: 'DELETE' })).status).toBe(404);
    const audit = await api.request('/api/v1/audit-events?namespace=shop');
    expect(audit.body.items.map((e: Json) => e.action)).toEqual(['workfloweventbinding.delete', 'workfloweventbinding.update', 'workfloweventbinding.create']);
    expect(audit.body.items[0].resource).toBe('workfloweventbindings/orders-push');
  });
});
