/**
 * Argo's generic event endpoint end to end: `POST /api/v1/events/{namespace}/{discriminator}` with
 * a developer's bearer token is stored, queued, matched against the namespace's
 * WorkflowEventBindings by a worker (payload, metadata = the `x-` headers lower-cased, and
 * discriminator, as Argo's event server does) and starts the bound WorkflowTemplate with
 * parameters taken from the payload. A binding whose selector does not match starts nothing.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type ServiceHarness } from './service-harness.js';

let s: ServiceHarness;
let developer: string;

beforeAll(async () => {
  s = await startService('generic_event');
  const token = await s.call('POST', '/api/v1/tokens', { name: 'ci', role: 'developer', namespaces: ['shop'] });
  expect(token.status).toBe(200);
  developer = token.body.token;
  const template = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: 'deploy', namespace: 'shop' },
    spec: {
      entrypoint: 'main',
      arguments: { parameters: [{ name: 'version' }, { name: 'env' }] },
      templates: [{ name: 'main', container: { image: 'alpine', command: ['sh', '-c', 'echo "deploying {{workflow.parameters.version}} to {{workflow.parameters.env}}"'] } }],
    },
  };
  expect((await s.call('POST', '/api/v1/workflow-templates/shop', { template })).status).toBe(200);
  const binding = (name: string, selector: string) => ({
    workflowEventBinding: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowEventBinding',
      metadata: { name, namespace: 'shop' },
      spec: {
        event: { selector },
        submit: {
          workflowTemplateRef: { name: 'deploy' },
          arguments: { parameters: [{ name: 'version', valueFrom: { event: 'payload.release.version' } }, { name: 'env', valueFrom: { event: 'metadata["x-target-env"][0]' } }] },
        },
      },
    },
  });
  expect((await s.call('POST', '/api/v1/workflow-event-bindings/shop', binding('on-release', 'discriminator == "release" && payload.release.approved == true'))).status).toBe(200);
  expect((await s.call('POST', '/api/v1/workflow-event-bindings/shop', binding('on-other', 'discriminator == "other"'))).status).toBe(200);
});

afterAll(async () => {
  await s?.close();
});

async function postEvent(discriminator: string, payload: unknown): Promise<{ status: number; id: string }> {
  const res = await fetch(`${s.base}/api/v1/events/shop/${discriminator}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${developer}`, 'content-type': 'application/json', 'X-Target-Env': 'staging' },
    body: JSON.stringify(payload),
  });
  return { status: res.status, id: ((await res.json()) as { id: string }).id };
}

async function processed(id: string): Promise<{ outcome: string; reason: string | null; workflowIds: string[] }> {
  for (let i = 0; i < 300; i++) {
    const res = await s.call('GET', `/api/v1/deliveries/${id}`);
    if (res.status === 200 && res.body.outcome !== 'received') return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`delivery ${id} was not processed`);
}

test('a generic event with a bearer token starts the bound template with parameters from the payload and headers', async () => {
  const sent = await postEvent('release', { release: { version: '1.4.2', approved: true } });
  expect(sent.status).toBe(200);
  const delivery = await processed(sent.id);
  expect(delivery).toMatchObject({ outcome: 'started', reason: null });
  expect(delivery.workflowIds).toHaveLength(1);

  const list = await s.call('GET', '/api/v1/workflows/shop?listOptions.labelSelector=workflows.argoproj.io/workflow-event-binding%3Don-release');
  expect(list.body.items).toHaveLength(1);
  const wf = await s.finished('shop', list.body.items[0].metadata.name);
  expect(wf.status.phase).toBe('Succeeded');
  expect(wf.spec.workflowTemplateRef).toEqual({ name: 'deploy' });
  expect(wf.spec.arguments.parameters).toEqual([
    { name: 'version', value: '1.4.2' },
    { name: 'env', value: 'staging' },
  ]);
  const logs = await fetch(`${s.base}/api/v1/workflows/shop/${wf.metadata.name}/log?logOptions.container=main`, { headers: { authorization: `Bearer ${developer}` } });
  expect(await logs.text()).toContain('deploying 1.4.2 to staging');
});

test('an event no selector matches is recorded as skipped and starts nothing', async () => {
  const sent = await postEvent('release', { release: { version: '1.4.3', approved: false } });
  expect(await processed(sent.id)).toMatchObject({ outcome: 'skipped', reason: 'no WorkflowEventBinding matched', workflowIds: [] });
});
