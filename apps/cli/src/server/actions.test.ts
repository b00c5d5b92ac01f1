/** `slipway retry|resubmit|stop|terminate|suspend|resume|set` against a fake API: exact requests and output. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, ndjson, slipway, type Recorded } from './test-support.js';
import { stepsWorkflow, WF } from './test-fixtures.js';

const api = new FakeApi();
beforeAll(async () => {
  process.env.TZ = 'UTC';
  await api.start();
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const BASE = `/api/v1/workflows/default/${WF}`;

function put(action: string): Recorded {
  return { method: 'PUT', path: `${BASE}/${action}`, query: {}, body: undefined, authorization: 'Bearer secret' };
}

describe('one-line operations', () => {
  it.each([
    [['stop', WF], 'stop', {}, `workflow ${WF} stopped\n`],
    [['stop', WF, '--node-field-selector', 'displayName=approve', '--message', 'no'], 'stop', { nodeFieldSelector: 'displayName=approve', message: 'no' }, `workflow ${WF} stopped\n`],
    [['terminate', WF], 'terminate', {}, `workflow ${WF} terminated\n`],
    [['suspend', WF], 'suspend', {}, `workflow ${WF} suspended\n`],
    [['resume', WF], 'resume', {}, `workflow ${WF} resumed\n`],
    [['resume', WF, '--node-field-selector', 'displayName=approve'], 'resume', { nodeFieldSelector: 'displayName=approve' }, `workflow ${WF} resumed\n`],
  ])('%j', async (args, action, body, stdout) => {
    api.on('PUT', `${BASE}/${action}`, stepsWorkflow('Running'));
    const run = await slipway(args, api.url);
    expect(run).toEqual({ code: 0, stdout, stderr: '', progress: '' });
    expect(api.requests).toEqual([{ ...put(action), body }]);
  });

  it('acts on several workflows in order and reports the first refusal', async () => {
    api.on('PUT', /\/terminate$/, stepsWorkflow('Running'));
    api.on('PUT', '/api/v1/workflows/default/done/terminate', apiError(409, 9, 'cannot shutdown a completed workflow: workflow: "done", namespace: "default"'));
    const run = await slipway(['terminate', 'a', 'done', 'c'], api.url);
    expect(run).toMatchObject({
      code: 1,
      stdout: 'workflow a terminated\n',
      stderr: 'slipway terminate: 409: cannot shutdown a completed workflow: workflow: "done", namespace: "default"\n',
    });
    expect(api.calls()).toEqual(['PUT /api/v1/workflows/default/a/terminate', 'PUT /api/v1/workflows/default/done/terminate']);
  });
});

describe('slipway set', () => {
  it('sends Argo’s SetWorkflow body: outputParameters as a JSON string', async () => {
    api.on('PUT', `${BASE}/set`, stepsWorkflow('Running'));
    const run = await slipway(
      ['set', WF, '--node-field-selector', 'displayName=approve', '--output-parameter', 'answer=yes', '--output-parameter', 'note=a=b', '--phase', 'Succeeded', '--message', 'ok'],
      api.url,
    );
    expect(run).toMatchObject({ code: 0, stdout: 'workflow values set\n' });
    expect(api.requests).toEqual([
      { ...put('set'), body: { nodeFieldSelector: 'displayName=approve', outputParameters: '{"answer":"yes","note":"a=b"}', phase: 'Succeeded', message: 'ok' } },
    ]);
  });

  it('needs a selector and something to set', async () => {
    expect(await slipway(['set', WF, '--phase', 'Failed'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway set: --node-field-selector is required (e.g. displayName=approve)\n',
    });
    expect(await slipway(['set', WF, '--node-field-selector', 'name=x'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway set: give at least one of --output-parameter, --phase, --message\n',
    });
    expect(await slipway(['set', WF, '--node-field-selector', 'name=x', '--output-parameter', 'bad'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway set: --output-parameter "bad" must be NAME=VALUE\n',
    });
    expect(api.requests).toEqual([]);
  });
});

describe('slipway retry / resubmit', () => {
  it('retry sends restartSuccessful, the selector and parameters, and prints the workflow', async () => {
    api.on('PUT', `${BASE}/retry`, stepsWorkflow('Running'));
    const run = await slipway(['retry', WF, '--restart-successful', '--node-field-selector', 'templateName=say', '-p', 'greeting=again'], api.url);
    expect(run.code).toBe(0);
    expect(api.requests).toEqual([{ ...put('retry'), body: { restartSuccessful: true, nodeFieldSelector: 'templateName=say', parameters: ['greeting=again'] } }]);
    expect(run.stdout).toMatch(/^Name: {16}hello-x7k2p\nNamespace: {11}default\nStatus: {14}Running\n/);
    expect(run.stdout).toContain('\nSTEP ');
  });

  it('retry refuses --restart-successful without a selector', async () => {
    expect(await slipway(['retry', WF, '--restart-successful'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway retry: --restart-successful needs --node-field-selector (the succeeded nodes to run again)\n',
    });
  });

  it('retry --wait follows the workflow and exits by its new phase', async () => {
    api.on('PUT', `${BASE}/retry`, stepsWorkflow('Running'));
    api.on('GET', '/api/v1/workflow-events/default', ndjson([{ type: 'MODIFIED', object: stepsWorkflow('Failed') }]));
    const run = await slipway(['retry', WF, '--wait', '-o', 'name'], api.url);
    expect(run).toMatchObject({ code: 1, stdout: `${WF}\n` });
    expect(api.calls()).toEqual([`PUT ${BASE}/retry`, `GET /api/v1/workflow-events/default?listOptions.fieldSelector=metadata.name=${WF}`]);
  });

  it('resubmit prints the new workflow; -o json prints it whole', async () => {
    const resubmitted = stepsWorkflow('Running');
    resubmitted.metadata.name = 'hello-new12';
    api.on('PUT', `${BASE}/resubmit`, resubmitted);
    const run = await slipway(['resubmit', WF, '-p', 'greeting=yo', '-o', 'json'], api.url);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(resubmitted);
    expect(api.requests).toEqual([{ ...put('resubmit'), body: { parameters: ['greeting=yo'] } }]);
    await slipway(['resubmit', WF], api.url);
    expect(api.requests[1].body).toEqual({});
  });
});
