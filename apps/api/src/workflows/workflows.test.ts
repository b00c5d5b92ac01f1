/** Submitting, listing, getting and deleting workflows through the HTTP API (real Postgres + Redis). */
import { TemplateRepository, WorkflowRepository } from '@slipway/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileJobsFor, saveState, startTestApi, workflowDoc, type Json, type TestApi } from '../test-support.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('workflows');
});

afterAll(async () => {
  await api.close();
});

const YAML_WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: yaml-hello-
  labels:
    team: yaml
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: busybox
        command: [echo, hello]
`;

describe('POST /api/v1/workflows/{namespace}', () => {
  it('accepts {"workflow": …} JSON, stores it Pending and rings the doorbell', async () => {
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: workflowDoc('json-one', { team: 'a' }) } });
    expect(res.status).toBe(200);
    const wf = res.body;
    expect(wf.metadata).toMatchObject({ name: 'json-one', namespace: 'default', labels: { team: 'a' } });
    expect(wf.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(wf.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(wf.status.phase).toBe('Pending');
    const stored = await new WorkflowRepository(api.prisma).get('default', 'json-one');
    expect(stored?.metadata.uid).toBe(wf.metadata.uid);
    expect(await reconcileJobsFor(api.queues, wf.metadata.uid)).toBe(1);
  });

  it('accepts a bare YAML document and honours generateName with a 5-character suffix', async () => {
    const res = await api.request('/api/v1/workflows/default', { raw: YAML_WORKFLOW });
    expect(res.status).toBe(200);
    expect(res.body.metadata.name).toMatch(/^yaml-hello-[a-z0-9]{5}$/);
    expect(res.body.metadata.generateName).toBe('yaml-hello-');
    const again = await api.request('/api/v1/workflows/default', { raw: YAML_WORKFLOW });
    expect(again.body.metadata.name).not.toBe(res.body.metadata.name);
  });

  it('answers 400 naming line:col and the field for a lint error in YAML', async () => {
    const bad = YAML_WORKFLOW.replace('command: [echo, hello]', 'command: [echo, hello]\n        imagePullPolicy: Sometimes\n        bogus: true');
    const res = await api.request('/api/v1/workflows/default', { raw: bad });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(3);
    expect(res.body.message).toContain('15:9: spec.templates[0].container.bogus: unknown field "bogus"');
    expect(res.body.details).toContainEqual(expect.objectContaining({ line: 15, col: 9, field: 'spec.templates[0].container.bogus' }));
  });

  it('points into the JSON body for a lint error in JSON', async () => {
    const doc = workflowDoc('json-bad');
    (doc.spec as Json).entrypoint = 'missing';
    const text = JSON.stringify({ workflow: doc }, null, 2);
    const res = await api.request('/api/v1/workflows/default', { raw: text, contentType: 'application/json' });
    expect(res.status).toBe(400);
    const line = text.split('\n').findIndex((l) => l.includes('"entrypoint"')) + 1;
    expect(res.body.message).toMatch(new RegExp(`^${line}:\\d+: spec.entrypoint: `));
  });

  it('reports YAML syntax errors with their position', async () => {
    const res = await api.request('/api/v1/workflows/default', { raw: 'kind: Workflow\nmetadata: {name: x\n' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^\d+:\d+: /);
  });

  it('does not store anything on serverDryRun', async () => {
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: workflowDoc('dry-one'), serverDryRun: true } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.name).toBe('dry-one');
    expect(await new WorkflowRepository(api.prisma).get('default', 'dry-one')).toBeUndefined();
    expect(await reconcileJobsFor(api.queues, res.body.metadata.uid)).toBe(0);
  });

  it('refuses a second workflow of the same name with 409', async () => {
    await api.request('/api/v1/workflows/default', { json: { workflow: workflowDoc('twice') } });
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: workflowDoc('twice') } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 6, message: 'workflows.argoproj.io "twice" already exists' });
  });

  it('refuses a document for another namespace and a wrong kind', async () => {
    const doc = workflowDoc('elsewhere');
    (doc.metadata as Json).namespace = 'other';
    const ns = await api.request('/api/v1/workflows/default', { json: { workflow: doc } });
    expect(ns.status).toBe(400);
    expect(ns.body.message).toContain('metadata.namespace');
    const kind = await api.request('/api/v1/workflows/default', { json: { workflow: { ...workflowDoc('k'), kind: 'CronWorkflow' } } });
    expect(kind.status).toBe(400);
    expect(kind.body.message).toContain('workflow.kind: expected Workflow');
  });
});

describe('submitting from templates', () => {
  const template = (message: string) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: 'greeter' },
    spec: {
      entrypoint: 'main',
      arguments: { parameters: [{ name: 'who', value: 'world' }] },
      templates: [{ name: 'main', container: { image: 'busybox', command: ['echo', `${message} {{workflow.parameters.who}}`] } }],
    },
  });

  it('snapshots the WorkflowTemplate and records its revision; later edits do not change the workflow', async () => {
    expect((await api.request('/api/v1/workflow-templates/default', { json: { template: template('hello') } })).status).toBe(200);
    const res = await api.request('/api/v1/workflows/default/submit', {
      json: { resourceKind: 'WorkflowTemplate', resourceName: 'greeter', submitOptions: { parameters: ['who=slipway'], labels: 'env=test' } },
    });
    expect(res.status).toBe(200);
    const wf = res.body;
    expect(wf.metadata.name).toMatch(/^greeter-[a-z0-9]{5}$/);
    expect(wf.metadata.labels).toMatchObject({ 'workflows.argoproj.io/workflow-template': 'greeter', env: 'test' });
    expect(wf.metadata.annotations['slipway.dev/workflow-template-revision']).toBe('1');
    expect(wf.spec.arguments.parameters).toEqual([{ name: 'who', value: 'slipway' }]);

    await api.request('/api/v1/workflow-templates/default/greeter', { method: 'PUT', json: { template: template('bye') } });
    const stored = await api.request(`/api/v1/workflows/default/${wf.metadata.name}`);
    expect(stored.body.status.storedWorkflowTemplateSpec.templates[0].container.command[1]).toBe('hello {{workflow.parameters.who}}');
    const row = await api.prisma.workflow.findUniqueOrThrow({ where: { id: wf.metadata.uid } });
    const rev1 = await new TemplateRepository(api.prisma).revision('WorkflowTemplate', 'default', 'greeter', 1);
    expect(row.templateRevisionId).toBe(rev1?.id);
  });

  it('snapshots templateRef targets into storedTemplates', async () => {
    const doc = workflowDoc('uses-ref');
    (doc.spec as Json).templates = [{ name: 'main', steps: [[{ name: 'hi', templateRef: { name: 'greeter', template: 'main' } }]] }];
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: doc } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.status.storedTemplates)).toEqual(['namespaced/greeter']);
  });

  it('rejects a reference to a missing template with 400', async () => {
    const doc = workflowDoc('bad-ref');
    (doc.spec as Json).templates = [{ name: 'main', steps: [[{ name: 'hi', templateRef: { name: 'nope', template: 'main' } }]] }];
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: doc } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('nope');
  });

  it('submits from a ClusterWorkflowTemplate and a CronWorkflow', async () => {
    const cwt = { ...template('cluster'), kind: 'ClusterWorkflowTemplate', metadata: { name: 'cluster-greeter' } };
    expect((await api.request('/api/v1/cluster-workflow-templates', { json: { template: cwt } })).status).toBe(200);
    const fromCluster = await api.request('/api/v1/workflows/default/submit', {
      json: { resourceKind: 'ClusterWorkflowTemplate', resourceName: 'cluster-greeter', submitOptions: { generateName: 'custom-' } },
    });
    expect(fromCluster.status).toBe(200);
    expect(fromCluster.body.metadata.name).toMatch(/^custom-[a-z0-9]{5}$/);
    expect(fromCluster.body.spec.workflowTemplateRef).toEqual({ name: 'cluster-greeter', clusterScope: true });

    const cron = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'CronWorkflow',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 2 * * *', workflowSpec: (workflowDoc('x') as Json).spec },
    };
    expect((await api.request('/api/v1/cron-workflows/default', { json: { cronWorkflow: cron } })).status).toBe(200);
    const fromCron = await api.request('/api/v1/workflows/default/submit', { json: { resourceKind: 'CronWorkflow', resourceName: 'nightly' } });
    expect(fromCron.status).toBe(200);
    expect(fromCron.body.metadata.labels['workflows.argoproj.io/cron-workflow']).toBe('nightly');
  });

  it('answers 404 for a missing resource and 400 for a bad request', async () => {
    const missing = await api.request('/api/v1/workflows/default/submit', { json: { resourceKind: 'WorkflowTemplate', resourceName: 'ghost' } });
    expect(missing.status).toBe(404);
    const bad = await api.request('/api/v1/workflows/default/submit', { json: { resourceKind: 'Pod', resourceName: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('body.resourceKind');
  });
});

describe('lint', () => {
  it('returns the workflow when it is valid and 400 with line:col when not', async () => {
    const ok = await api.request('/api/v1/workflows/default/lint', { raw: YAML_WORKFLOW });
    expect(ok.status).toBe(200);
    expect(ok.body.kind).toBe('Workflow');
    const bad = await api.request('/api/v1/workflows/default/lint', { raw: YAML_WORKFLOW.replace('entrypoint: main', 'entrypoint: nowhere') });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^8:3: spec.entrypoint: template "nowhere"/);
  });
});

describe('list, get, delete', () => {
  const ns = 'listing';
  const names: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api.request(`/api/v1/workflows/${ns}`, { json: { workflow: workflowDoc(`wf-${i}`, { tier: i % 2 === 0 ? 'even' : 'odd' }) } });
      names.push(res.body.metadata.name);
    }
    // wf-0 ran and succeeded (as the worker would have saved it).
    const wf0 = (await api.request(`/api/v1/workflows/${ns}/wf-0`)).body;
    delete wf0.metadata.resourceVersion;
    wf0.status = {
      phase: 'Succeeded',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:05Z',
      nodes: { 'wf-0': { id: 'wf-0', name: 'wf-0', displayName: 'wf-0', type: 'Pod', phase: 'Succeeded', templateName: 'main' } },
    };
    await saveState(api.prisma, wf0);
  });

  it('filters by label selector', async () => {
    const res = await api.request(`/api/v1/workflows/${ns}?listOptions.labelSelector=tier%3Deven`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((w: Json) => w.metadata.name).sort()).toEqual(['wf-0', 'wf-2', 'wf-4']);
    expect(res.body.items[0].status.nodes).toBeUndefined();
  });

  it('filters by phase: fieldSelector, phase=, and Argo’s phase labels', async () => {
    const byField = await api.request(`/api/v1/workflows/${ns}?listOptions.fieldSelector=status.phase%3DSucceeded`);
    expect(byField.body.items.map((w: Json) => w.metadata.name)).toEqual(['wf-0']);
    const byName = await api.request(`/api/v1/workflows/${ns}?listOptions.fieldSelector=${encodeURIComponent('metadata.name=wf-1,status.phase=Pending')}`);
    expect(byName.body.items.map((w: Json) => w.metadata.name)).toEqual(['wf-1']);
    const byNameOtherPhase = await api.request(`/api/v1/workflows/${ns}?listOptions.fieldSelector=${encodeURIComponent('metadata.name=wf-1,status.phase=Failed')}`);
    expect(byNameOtherPhase.body.items).toEqual([]);
    const byPhase = await api.request(`/api/v1/workflows/${ns}?phase=Pending`);
    expect(byPhase.body.items).toHaveLength(4);
    const byLabel = await api.request(`/api/v1/workflows/${ns}?listOptions.labelSelector=${encodeURIComponent('workflows.argoproj.io/phase in (Succeeded),tier=even')}`);
    expect(byLabel.body.items.map((w: Json) => w.metadata.name)).toEqual(['wf-0']);
    const completed = await api.request(`/api/v1/workflows/${ns}?listOptions.labelSelector=${encodeURIComponent('workflows.argoproj.io/completed=false')}`);
    expect(completed.body.items).toHaveLength(4);
    const bad = await api.request(`/api/v1/workflows/${ns}?phase=Sleeping`);
    expect(bad.status).toBe(400);
  });

  it('pages with listOptions.limit and listOptions.continue', async () => {
    const seen: string[] = [];
    let cont: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await api.request(`/api/v1/workflows/${ns}?listOptions.limit=2${cont ? `&listOptions.continue=${cont}` : ''}`);
      seen.push(...res.body.items.map((w: Json) => w.metadata.name));
      cont = res.body.metadata.continue;
      if (!cont) break;
    }
    expect(seen.sort()).toEqual([...names].sort());
  });

  it('gets the full workflow with status.nodes and its resourceVersion', async () => {
    const res = await api.request(`/api/v1/workflows/${ns}/wf-0`);
    expect(res.status).toBe(200);
    expect(res.body.status.phase).toBe('Succeeded');
    expect(res.body.status.nodes['wf-0'].phase).toBe('Succeeded');
    expect(res.body.metadata.resourceVersion).toBe('1');
  });

  it('deletes, then answers 404', async () => {
    const del = await api.request(`/api/v1/workflows/${ns}/wf-4`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    const get = await api.request(`/api/v1/workflows/${ns}/wf-4`);
    expect(get.status).toBe(404);
    expect(get.body).toEqual({ code: 5, reason: 'NotFound', message: 'workflows.argoproj.io "wf-4" not found' });
    expect((await api.request(`/api/v1/workflows/${ns}/wf-4`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('when Redis is down', () => {
  let down: TestApi;

  beforeAll(async () => {
    down = await startTestApi('redis_down', { redisUrl: 'redis://127.0.0.1:6399' });
  });

  afterAll(async () => {
    await down.close();
  });

  it('still accepts the submission (the worker’s resync picks it up)', async () => {
    const started = Date.now();
    const res = await down.request('/api/v1/workflows/default', { json: { workflow: workflowDoc('no-redis') } });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await new WorkflowRepository(down.prisma).get('default', 'no-redis')).toBeDefined();
  });
});
