/** `slipway submit` against a fake API: local lint, the create/submit bodies, --wait, --watch. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Workflow, WorkflowPhase } from '@slipway/workflow';
import { apiError, FakeApi, ndjson, slipway } from './test-support.js';
import { createdWorkflow, stepsWorkflow, WF } from './test-fixtures.js';

const api = new FakeApi();
const dir = mkdtempSync(join(tmpdir(), 'slipway-submit-'));
beforeAll(async () => {
  process.env.TZ = 'UTC';
  await api.start();
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: greeting
      value: hi
  templates:
  - name: main
    steps:
    - - name: hello1
        template: say
        arguments: {parameters: [{name: msg, value: "{{workflow.parameters.greeting}}"}]}
    - - name: hello2b
        templateRef: {name: lib, template: shout}
  - name: say
    inputs: {parameters: [{name: msg}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.msg}}"]}
`;

const LIB = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'WorkflowTemplate',
  metadata: { name: 'lib', namespace: 'default' },
  spec: { templates: [{ name: 'shout', container: { image: 'busybox', command: ['echo', 'HI'] } }] },
};

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const CREATE = '/api/v1/workflows/default';
const EVENTS = '/api/v1/workflow-events/default';

function serverWithLib(): void {
  api.on('GET', '/api/v1/workflow-templates/default/lib', LIB);
  api.on('POST', CREATE, createdWorkflow());
}

describe('slipway submit FILE', () => {
  it('lints with the server’s templates, then creates the workflow with the -p values and prints it', async () => {
    serverWithLib();
    const run = await slipway(['submit', file('hello.yaml', WORKFLOW), '-p', 'greeting=hello there', '-p', 'extra=1'], api.url);
    expect(run.code).toBe(0);
    expect(api.calls()).toEqual(['GET /api/v1/workflow-templates/default/lib', `POST ${CREATE}`]);
    const body = api.requests[1].body as { workflow: Workflow };
    expect(Object.keys(body)).toEqual(['workflow']);
    expect(body.workflow.metadata).toEqual({ generateName: 'hello-' });
    expect(body.workflow.spec.arguments).toEqual({ parameters: [{ name: 'greeting', value: 'hello there' }, { name: 'extra', value: '1' }] });
    expect(api.requests[1].authorization).toBe('Bearer secret');
    expect(run.stdout).toBe(
      [
        'Name:                hello-x7k2p',
        'Namespace:           default',
        'Status:              Pending',
        'Created:             Wed May 01 11:55:00 +0000 (5 minutes ago)',
        'Parameters:',
        '  greeting:          hi',
        '',
      ].join('\n'),
    );
  });

  it('submits nothing when lint finds errors (a template the server does not have), and exits 2', async () => {
    api.on('GET', /^\/api\/v1\/workflow-templates\//, apiError(404, 5, 'workflowtemplates.argoproj.io "lib" not found'));
    const path = file('broken.yaml', WORKFLOW);
    const run = await slipway(['submit', path], api.url);
    expect(run).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `${path}:18:23: spec.templates[0].steps[1][0].templateRef.name: WorkflowTemplate "lib" is not defined\n${path}: not submitted: 1 lint error\n`,
    });
    expect(api.calls()).toEqual(['GET /api/v1/workflow-templates/default/lib']);
  });

  it('names what to do with a file that has no Workflow', async () => {
    const path = file('lib.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: lib}\nspec:\n  templates:\n  - name: a\n    container: {image: busybox}\n');
    const run = await slipway(['submit', path], api.url);
    expect(run).toMatchObject({
      code: 2,
      stderr: `slipway submit: ${path}: no Workflow to submit (it has a WorkflowTemplate: create it with \`slipway template create\`, then \`slipway submit --from workflowtemplate/NAME\`)\n`,
    });
  });

  it('exits 2 with the server’s message when the server refuses the workflow', async () => {
    serverWithLib();
    api.on('POST', CREATE, apiError(400, 3, 'spec.templates[0]: something the server checks'));
    const run = await slipway(['submit', file('hello.yaml', WORKFLOW)], api.url);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: 'slipway submit: 400: spec.templates[0]: something the server checks\n' });
  });

  it('refuses a namespace in the file that differs from -n', async () => {
    const path = file('ns.yaml', WORKFLOW.replace('generateName: hello-', 'generateName: hello-\n  namespace: prod'));
    serverWithLib();
    const run = await slipway(['submit', path, '-n', 'default'], api.url);
    expect(run).toMatchObject({ code: 2, stderr: `slipway submit: ${path}: metadata.namespace "prod" does not match --namespace "default"\n` });
    api.on('GET', '/api/v1/workflow-templates/prod/lib', LIB);
    api.on('POST', '/api/v1/workflows/prod', createdWorkflow());
    expect((await slipway(['submit', path, '-o', 'name'], api.url)).stdout).toBe(`${WF}\n`);
    expect(api.calls().at(-1)).toBe('POST /api/v1/workflows/prod');
  });
});

describe('slipway submit --from', () => {
  it('submits from a template with parameters, like argo submit --from', async () => {
    api.on('POST', `${CREATE}/submit`, createdWorkflow());
    const run = await slipway(['submit', '--from', 'workflowtemplate/lib', '-p', 'a=b', '-p', 'c=d=e', '-o', 'name', '-n', 'default'], api.url);
    expect(run).toMatchObject({ code: 0, stdout: `${WF}\n`, stderr: '' });
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: `${CREATE}/submit`,
        query: {},
        body: { resourceKind: 'WorkflowTemplate', resourceName: 'lib', submitOptions: { parameters: ['a=b', 'c=d=e'] } },
        authorization: 'Bearer secret',
      },
    ]);
    await slipway(['submit', '--from', 'cronwf/nightly'], api.url);
    await slipway(['submit', '--from', 'clusterworkflowtemplate/base'], api.url);
    expect(api.requests.slice(1).map((r) => r.body)).toEqual([
      { resourceKind: 'CronWorkflow', resourceName: 'nightly', submitOptions: {} },
      { resourceKind: 'ClusterWorkflowTemplate', resourceName: 'base', submitOptions: {} },
    ]);
  });

  it('rejects bad usage before any request', async () => {
    const cases: [string[], string][] = [
      [['submit', '--from', 'pipeline/x'], '--from "pipeline/x" must be workflowtemplate/NAME, clusterworkflowtemplate/NAME or cronworkflow/NAME'],
      [['submit'], 'give a workflow FILE or --from KIND/NAME (not both)\nusage: slipway submit FILE | --from KIND/NAME'],
      [['submit', 'x.yaml', '--from', 'wftmpl/a'], 'give a workflow FILE or --from KIND/NAME (not both)\nusage: slipway submit FILE | --from KIND/NAME'],
      [['submit', '--from', 'wftmpl/a', '-p', 'novalue'], '-p "novalue" must be NAME=VALUE'],
      [['submit', '--from', 'wftmpl/a', '--wait', '--watch'], '--watch and --wait cannot be used together'],
    ];
    for (const [args, message] of cases) expect(await slipway(args, api.url)).toMatchObject({ code: 2, stderr: `slipway submit: ${message}\n` });
    expect(api.requests).toEqual([]);
  });
});

describe('slipway submit --wait / --watch', () => {
  function finishingWith(phase: WorkflowPhase): void {
    api.on('POST', `${CREATE}/submit`, createdWorkflow());
    api.on('GET', EVENTS, ndjson([{ type: 'MODIFIED', object: stepsWorkflow('Running') }, { type: 'MODIFIED', object: stepsWorkflow(phase) }], 5));
  }

  it('exits 0, 1 or 2 by the final phase, like slipway run', async () => {
    for (const [phase, code] of [['Succeeded', 0], ['Failed', 1], ['Error', 2]] as const) {
      api.reset();
      finishingWith(phase);
      const run = await slipway(['submit', '--from', 'wftmpl/lib', '--wait'], api.url);
      expect(run.code).toBe(code);
      expect(run.stdout.split('\n').slice(-2)).toEqual([`${WF} ${phase} at 2024-05-01T11:56:10Z`, '']);
      expect(run.progress).toBe('');
      expect(api.calls()).toEqual([`POST ${CREATE}/submit`, `GET ${EVENTS}?listOptions.fieldSelector=metadata.name=${WF}`]);
    }
  });

  it('prints the final workflow with -o json', async () => {
    finishingWith('Succeeded');
    const run = await slipway(['submit', '--from', 'wftmpl/lib', '--wait', '-o', 'json'], api.url);
    expect(JSON.parse(run.stdout)).toEqual(stepsWorkflow('Succeeded'));
  });

  it('re-opens a stream that ends early and polls when the watch endpoint is missing', async () => {
    api.on('POST', `${CREATE}/submit`, createdWorkflow());
    let streams = 0;
    api.on('GET', EVENTS, (req, res) => {
      streams++;
      if (streams === 1) return ndjson([{ type: 'MODIFIED', object: stepsWorkflow('Running') }])(req, res);
      return apiError(404, 5, 'Not Found')(req, res);
    });
    let gets = 0;
    api.on('GET', `${CREATE}/${WF}`, (_req, res) => res.end(JSON.stringify(stepsWorkflow(++gets < 2 ? 'Running' : 'Failed'))));
    const run = await slipway(['submit', '--from', 'wftmpl/lib', '--wait'], api.url);
    expect(run.code).toBe(1);
    expect(api.calls()).toEqual([
      `POST ${CREATE}/submit`,
      `GET ${EVENTS}?listOptions.fieldSelector=metadata.name=${WF}`,
      `GET ${EVENTS}?listOptions.fieldSelector=metadata.name=${WF}`,
      `GET ${CREATE}/${WF}`,
      `GET ${CREATE}/${WF}`,
    ]);
  });

  it('stops waiting with exit 2 when the workflow is deleted', async () => {
    api.on('POST', `${CREATE}/submit`, createdWorkflow());
    api.on('GET', EVENTS, ndjson([{ type: 'DELETED', object: stepsWorkflow('Running') }]));
    expect(await slipway(['submit', '--from', 'wftmpl/lib', '--wait'], api.url)).toMatchObject({
      code: 2,
      stderr: `slipway submit: workflow "${WF}" was deleted\n`,
    });
  });

  it('--watch shows the live progress and the final line, and keeps stdout for -o', async () => {
    serverWithLib();
    api.on('GET', EVENTS, ndjson([{ type: 'MODIFIED', object: stepsWorkflow('Running') }, { type: 'MODIFIED', object: stepsWorkflow('Succeeded') }], 5));
    const run = await slipway(['submit', file('hello.yaml', WORKFLOW), '--watch', '-o', 'yaml'], api.url);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^apiVersion: argoproj.io\/v1alpha1\nkind: Workflow\n[\s\S]*phase: Succeeded\n/);
    expect(run.progress.split('\n').slice(0, 2)).toEqual(['● hello-x7k2p  Running', '✔ hello-x7k2p[0].hello1  Succeeded  5s']);
    expect(run.progress).toContain('✔ hello-x7k2p[1].hello2b  Succeeded  1m0s\n');
    expect(run.progress.endsWith('hello-x7k2p Succeeded in 1m10s\n')).toBe(true);
  });
});
