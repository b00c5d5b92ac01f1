/** `slipway template …`, `cron …` and `token …` against a fake API. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, slipway } from './test-support.js';

const api = new FakeApi();
const dir = mkdtempSync(join(tmpdir(), 'slipway-resources-'));
beforeAll(async () => {
  process.env.TZ = 'UTC';
  await api.start();
});
afterAll(() => api.close());
beforeEach(() => api.reset());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const TEMPLATES = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: lib
spec:
  entrypoint: say
  templates:
  - name: say
    container: {image: busybox, command: [echo, hi]}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata:
  name: base
spec:
  templates:
  - name: noop
    container: {image: busybox, command: ["true"]}
`;

const LIB = { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: 'lib' }, spec: { entrypoint: 'say', templates: [{ name: 'say', container: { image: 'busybox', command: ['echo', 'hi'] } }] } };
const BASE = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterWorkflowTemplate', metadata: { name: 'base' }, spec: { templates: [{ name: 'noop', container: { image: 'busybox', command: ['true'] } }] } };

describe('slipway template', () => {
  it('create sends each document to the endpoint of its kind', async () => {
    api.on('POST', '/api/v1/workflow-templates/default', { ...LIB, metadata: { name: 'lib', namespace: 'default' } });
    api.on('POST', '/api/v1/cluster-workflow-templates', BASE);
    const run = await slipway(['template', 'create', file('t.yaml', TEMPLATES)], api.url);
    expect(run).toMatchObject({ code: 0, stdout: "WorkflowTemplate 'lib' created\nClusterWorkflowTemplate 'base' created\n", stderr: '' });
    expect(api.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/api/v1/workflow-templates/default', { template: LIB }],
      ['POST', '/api/v1/cluster-workflow-templates', { template: BASE }],
    ]);
  });

  it('update PUTs a new revision; a 409 from the server is exit 1', async () => {
    api.on('PUT', '/api/v1/workflow-templates/team/lib', LIB);
    api.on('PUT', '/api/v1/cluster-workflow-templates/base', apiError(409, 10, 'clusterworkflowtemplates.argoproj.io "base": resourceVersion 3 is not the current revision 4'));
    const run = await slipway(['template', 'update', file('t.yaml', TEMPLATES), '-n', 'team'], api.url);
    expect(run).toMatchObject({
      code: 1,
      stdout: "WorkflowTemplate 'lib' updated\n",
      stderr: 'slipway template update: 409: clusterworkflowtemplates.argoproj.io "base": resourceVersion 3 is not the current revision 4\n',
    });
  });

  it('create lints first and sends nothing when the file is invalid', async () => {
    const path = file('bad.yaml', TEMPLATES.replace('entrypoint: say', 'entrypoint: shout'));
    const run = await slipway(['template', 'create', path], api.url);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${path}:6:3: spec.entrypoint: template "shout" is not defined\n${path}: not created: 1 lint error\n`);
    expect(api.requests).toEqual([]);
  });

  it('lint: locally, then the server’s /lint, whose line:col errors point into the file', async () => {
    api.on('POST', '/api/v1/workflow-templates/default/lint', LIB);
    api.on('POST', '/api/v1/cluster-workflow-templates/lint', apiError(400, 3, '12:3: metadata.name: ClusterWorkflowTemplate "base" is reserved\nsomething else'));
    const path = file('t.yaml', TEMPLATES);
    const run = await slipway(['template', 'lint', path], api.url);
    expect(run).toMatchObject({
      code: 1,
      stdout: `${path}:14:3: metadata.name: ClusterWorkflowTemplate "base" is reserved\n${path}: ClusterWorkflowTemplate "base": something else\n`,
    });
    api.on('POST', '/api/v1/cluster-workflow-templates/lint', BASE);
    expect(await slipway(['template', 'lint', path], api.url)).toMatchObject({ code: 0, stdout: '✔ no linting errors found!\n' });
  });

  it('get, list and delete, with --cluster for ClusterWorkflowTemplates', async () => {
    api.on('GET', '/api/v1/workflow-templates/default/lib', { ...LIB, metadata: { name: 'lib', namespace: 'default', creationTimestamp: '2024-05-01T10:00:00Z' } });
    api.on('GET', '/api/v1/cluster-workflow-templates', { items: [BASE] });
    api.on('GET', '/api/v1/workflow-templates/default', { items: [] });
    api.on('DELETE', '/api/v1/cluster-workflow-templates/base', {});
    expect((await slipway(['template', 'get', 'lib'], api.url)).stdout).toBe(
      'Name:                lib\nNamespace:           default\nCreated:             Wed May 01 10:00:00 +0000 (2 hours ago)\nEntrypoint:          say\nTemplates:           say\n',
    );
    expect((await slipway(['template', 'list', '--cluster'], api.url)).stdout).toBe('NAME   ENTRYPOINT\nbase\n');
    expect((await slipway(['template', 'list', '-l', 'team=a'], api.url)).stdout).toBe('No WorkflowTemplates found\n');
    expect((await slipway(['template', 'delete', 'base', '--cluster'], api.url)).stdout).toBe("ClusterWorkflowTemplate 'base' deleted\n");
    expect(api.calls()).toEqual([
      'GET /api/v1/workflow-templates/default/lib',
      'GET /api/v1/cluster-workflow-templates',
      'GET /api/v1/workflow-templates/default?listOptions.labelSelector=team=a',
      'DELETE /api/v1/cluster-workflow-templates/base',
    ]);
  });

  it('revisions lists them newest first; rollback makes a new revision from one', async () => {
    api.on('GET', '/api/v1/workflow-templates/default/lib/revisions', {
      items: [
        { revision: 3, createdAt: '2024-05-01T11:59:00Z', createdBy: 'ci', current: true },
        { revision: 2, createdAt: '2024-05-01T09:00:00Z', createdBy: 'bootstrap-admin', current: false },
      ],
    });
    api.on('POST', '/api/v1/workflow-templates/default/lib/rollback', LIB);
    expect((await slipway(['template', 'revisions', 'lib'], api.url)).stdout).toBe(
      'REVISION   AGE   CREATED BY        CURRENT\n3          1m    ci                *\n2          3h    bootstrap-admin\n',
    );
    expect(await slipway(['template', 'rollback', 'lib', '--to', '2'], api.url)).toMatchObject({
      code: 0,
      stdout: "WorkflowTemplate 'lib' rolled back to revision 2 (as a new revision)\n",
    });
    expect(api.requests[1]).toMatchObject({ method: 'POST', path: '/api/v1/workflow-templates/default/lib/rollback', body: { revision: 2 } });
    expect(await slipway(['template', 'rollback', 'lib', '--to', 'latest'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway template rollback: --to must be a revision number ≥ 1, not "latest"\n',
    });
    expect(await slipway(['template', 'frob'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway template frob: unknown template command "frob": create, update, get, list, delete, lint, revisions, rollback\n',
    });
  });
});

const CRON = `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  timezone: Europe/Paris
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox, command: [date]}
`;

describe('slipway cron', () => {
  const saved = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'CronWorkflow',
    metadata: { name: 'nightly', namespace: 'default', creationTimestamp: '2024-04-30T12:00:00Z' },
    spec: { schedule: '0 2 * * *', timezone: 'Europe/Paris', suspend: false, workflowSpec: { entrypoint: 'main' } },
    status: { active: [{ name: 'nightly-1714528800' }], lastScheduledTime: '2024-05-01T00:00:00Z' },
  };

  it('create posts {cronWorkflow} and describes it like argo cron get', async () => {
    api.on('POST', '/api/v1/cron-workflows/default', saved);
    const run = await slipway(['cron', 'create', file('cron.yaml', CRON)], api.url);
    expect(run.code).toBe(0);
    expect(api.requests[0].body).toMatchObject({ cronWorkflow: { kind: 'CronWorkflow', metadata: { name: 'nightly' }, spec: { schedule: '0 2 * * *' } } });
    expect(run.stdout).toBe(
      [
        'Name:                          nightly',
        'Namespace:                     default',
        'Created:                       Tue Apr 30 12:00:00 +0000 (1 day ago)',
        'Schedules:                     0 2 * * *',
        'Timezone:                      Europe/Paris',
        'Suspended:                     false',
        'LastScheduledTime:             Wed May 01 00:00:00 +0000 (12 hours ago)',
        'Active Workflows:              nightly-1714528800',
        '',
      ].join('\n'),
    );
  });

  it('list, suspend, resume and delete', async () => {
    api.on('GET', '/api/v1/cron-workflows/default', { items: [saved, { ...saved, metadata: { ...saved.metadata, name: 'idle' }, spec: { ...saved.spec, suspend: true }, status: {} }] });
    api.on('PUT', /\/(suspend|resume)$/, saved);
    api.on('DELETE', '/api/v1/cron-workflows/default/nightly', {});
    expect((await slipway(['cron', 'list'], api.url)).stdout).toBe(
      'NAME      AGE   LAST RUN   SCHEDULES   TIMEZONE       SUSPENDED\nnightly   1d    12h        0 2 * * *   Europe/Paris   false\nidle      1d    N/A        0 2 * * *   Europe/Paris   true\n',
    );
    expect((await slipway(['cron', 'suspend', 'nightly'], api.url)).stdout).toBe("CronWorkflow 'nightly' suspended\n");
    expect((await slipway(['cron', 'resume', 'nightly'], api.url)).stdout).toBe("CronWorkflow 'nightly' resumed\n");
    expect((await slipway(['cron', 'delete', 'nightly'], api.url)).stdout).toBe("CronWorkflow 'nightly' deleted\n");
    expect(api.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`)).toEqual([
      'GET /api/v1/cron-workflows/default undefined',
      'PUT /api/v1/cron-workflows/default/nightly/suspend {}',
      'PUT /api/v1/cron-workflows/default/nightly/resume {}',
      'DELETE /api/v1/cron-workflows/default/nightly undefined',
    ]);
  });
});

describe('slipway token', () => {
  it('create prints only the token on stdout and defaults to all namespaces', async () => {
    const issued = { id: '7d0c7f4e-0000-4000-8000-000000000001', name: 'ci', role: 'developer', namespaces: ['a', 'b'], token: 'swp_abc' };
    api.on('POST', '/api/v1/tokens', (req, res) => res.end(JSON.stringify({ ...issued, namespaces: (req.body as { namespaces: string[] }).namespaces })));
    const run = await slipway(['token', 'create', 'ci', '--role', 'developer', '-n', 'a', '--namespace', 'b'], api.url);
    expect(run).toMatchObject({
      code: 0,
      stdout: 'swp_abc\n',
      stderr: 'token "ci" (id 7d0c7f4e-0000-4000-8000-000000000001, role developer, namespaces a,b): shown only now; use it as SLIPWAY_TOKEN\n',
    });
    await slipway(['token', 'create', 'ops', '--role', 'admin'], api.url);
    expect(api.requests.map((r) => r.body)).toEqual([
      { name: 'ci', role: 'developer', namespaces: ['a', 'b'] },
      { name: 'ops', role: 'admin', namespaces: ['*'] },
    ]);
    expect(await slipway(['token', 'create', 'x', '--role', 'root'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway token create: --role must be admin, developer, viewer, not "root"\n',
    });
  });

  it('list shows roles, scopes and state; revoke deletes by id', async () => {
    api.on('GET', '/api/v1/tokens', {
      items: [
        { id: 't1', name: 'ci', role: 'developer', namespaces: ['*'], createdAt: '2024-05-01T10:00:00Z', lastUsedAt: '2024-05-01T11:58:00Z', revokedAt: null },
        { id: 't2', name: 'old', role: 'viewer', namespaces: ['a'], createdAt: '2024-04-01T10:00:00Z', lastUsedAt: null, revokedAt: '2024-04-30T12:00:00Z' },
      ],
    });
    api.on('DELETE', '/api/v1/tokens/t1', {});
    expect((await slipway(['token', 'list'], api.url)).stdout).toBe(
      'ID   NAME   ROLE        NAMESPACES   AGE   LAST USED   STATUS\nt1   ci     developer   *            2h    2m ago      active\nt2   old    viewer      a            30d   never       revoked 1d ago\n',
    );
    expect(await slipway(['token', 'revoke', 't1'], api.url)).toMatchObject({ code: 0, stdout: 'token t1 revoked\n' });
    expect(api.requests[1]).toMatchObject({ method: 'DELETE', path: '/api/v1/tokens/t1', authorization: 'Bearer secret' });
  });
});
