/** `slipway list`, `get`, `delete`, `logs` and `watch` against a fake API. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, ndjson, slipway } from './test-support.js';
import { listItem, stepsWorkflow, WF } from './test-fixtures.js';

const api = new FakeApi();
beforeAll(async () => {
  process.env.TZ = 'UTC';
  await api.start();
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const LIST = '/api/v1/workflows/default';

describe('slipway list', () => {
  it('prints a table like argo list, newest first as the server sends them', async () => {
    api.on('GET', LIST, {
      metadata: {},
      items: [listItem('build-a', 'Running', 45), listItem('build-b', 'Failed', 3 * 3600, 125, 'child failed'), listItem('build-c', 'Succeeded', 3 * 86400, 8)],
    });
    const run = await slipway(['list'], api.url);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      progress: '',
      stdout: [
        'NAME      STATUS      AGE   DURATION   MESSAGE',
        'build-a   Running     45s   45s',
        'build-b   Failed      3h    2m         child failed',
        'build-c   Succeeded   3d    8s',
        '',
      ].join('\n'),
    });
    expect(api.calls()).toEqual(['GET /api/v1/workflows/default']);
  });

  it('turns --phase into Argo’s phase label selector next to -l, and follows continue tokens', async () => {
    api.on('GET', LIST, (req, res) => {
      const page = req.query['listOptions.continue'] === 'p2' ? { metadata: {}, items: [listItem('b', 'Failed', 60, 1)] } : { metadata: { continue: 'p2' }, items: [listItem('a', 'Failed', 30, 1)] };
      res.end(JSON.stringify(page));
    });
    const run = await slipway(['list', '-l', 'team=ci', '--phase', 'Failed,Error', '-o', 'name'], api.url);
    expect(run.stdout).toBe('a\nb\n');
    expect(api.calls()).toEqual([
      'GET /api/v1/workflows/default?listOptions.labelSelector=team=ci,workflows.argoproj.io/phase in (Failed,Error)',
      'GET /api/v1/workflows/default?listOptions.labelSelector=team=ci,workflows.argoproj.io/phase in (Failed,Error)&listOptions.continue=p2',
    ]);
  });

  it('asks for one page with --limit; -o wide adds parameters; -o json prints the items', async () => {
    const wf = stepsWorkflow();
    api.on('GET', LIST, (req, res) => res.end(JSON.stringify({ metadata: req.query['listOptions.continue'] ? {} : { continue: 'more' }, items: [wf] })));
    const wide = await slipway(['list', '--limit', '1', '-o', 'wide'], api.url);
    expect(api.calls()).toEqual(['GET /api/v1/workflows/default?listOptions.limit=1']);
    expect(wide.stdout).toBe(
      ['NAME          STATUS      AGE   DURATION   MESSAGE   PARAMETERS', 'hello-x7k2p   Succeeded   5m    1m                   greeting=hi', ''].join('\n'),
    );
    expect(JSON.parse((await slipway(['list', '-o', 'json'], api.url)).stdout)).toEqual([wf, wf]);
  });

  it('says when there are none, and rejects an unknown phase without asking', async () => {
    api.on('GET', LIST, { metadata: {}, items: null });
    expect((await slipway(['list'], api.url)).stdout).toBe('No workflows found\n');
    expect(await slipway(['list', '--phase', 'Done'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway list: --phase "Done" must be one of Pending, Running, Succeeded, Failed, Error\n',
    });
    expect(api.requests).toHaveLength(1);
  });
});

describe('slipway get', () => {
  it('prints the summary and the node tree like argo get', async () => {
    api.on('GET', `${LIST}/${WF}`, stepsWorkflow('Failed'));
    const run = await slipway(['get', WF], api.url);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'Name:                hello-x7k2p',
        'Namespace:           default',
        'Status:              Failed',
        "Message:             child 'hello-x7k2p-1842256366' failed",
        'Created:             Wed May 01 11:55:00 +0000 (5 minutes ago)',
        'Started:             Wed May 01 11:55:00 +0000 (5 minutes ago)',
        'Finished:            Wed May 01 11:56:10 +0000 (3 minutes ago)',
        'Duration:            1 minute 10 seconds',
        'Progress:            4/4',
        'Parameters:',
        '  greeting:          hi',
        '',
        'STEP                   TEMPLATE   PODNAME                         DURATION  MESSAGE',
        ' ✖ hello-x7k2p         main',
        ' ├───✔ hello1          say        hello-x7k2p-say-2511692333      5s',
        ' └─┬─✔ hello2a         say        hello-x7k2p-say-397587534       10s',
        '   └─✖ hello2b         lib/shout  hello-x7k2p-shout-380809915     1m        Error (exit code 3)',
        '',
        ' ✔ hello-x7k2p.onExit  cleanup    hello-x7k2p-cleanup-3875186781  3s',
        '',
      ].join('\n'),
    );
  });

  it('prints YAML with -o yaml', async () => {
    api.on('GET', `${LIST}/${WF}`, stepsWorkflow());
    const run = await slipway(['get', WF, '-o', 'yaml'], api.url);
    expect(run.stdout).toMatch(/^apiVersion: argoproj.io\/v1alpha1\nkind: Workflow\nmetadata:\n {2}name: hello-x7k2p\n/);
  });
});

describe('slipway delete', () => {
  it('deletes each workflow and stops at the first error', async () => {
    api.on('DELETE', `${LIST}/a`, {});
    api.on('DELETE', `${LIST}/b`, apiError(404, 5, 'workflows.argoproj.io "b" not found'));
    const run = await slipway(['delete', 'a', 'b', 'c'], api.url);
    expect(run).toMatchObject({ code: 1, stdout: "Workflow 'a' deleted\n", stderr: 'slipway delete: 404: workflows.argoproj.io "b" not found\n' });
    expect(api.calls()).toEqual([`DELETE ${LIST}/a`, `DELETE ${LIST}/b`]);
  });
});

describe('slipway logs', () => {
  const LOG = `${LIST}/${WF}/log`;

  it('prints "pod: line" for every entry of the stream', async () => {
    api.on('GET', LOG, ndjson([{ content: 'hello', podName: 'hello-x7k2p-say-2511692333' }, { content: 'world', podName: 'hello-x7k2p-say-397587534' }]));
    const run = await slipway(['logs', WF], api.url);
    expect(run).toMatchObject({ code: 0, stdout: 'hello-x7k2p-say-2511692333: hello\nhello-x7k2p-say-397587534: world\n', stderr: '' });
    expect(api.requests[0]).toMatchObject({ path: LOG, query: { 'logOptions.container': 'main' }, authorization: 'Bearer secret' });
  });

  it('follows with -f, printing each line as it arrives, for one pod named by its step', async () => {
    api.on('GET', `${LIST}/${WF}`, stepsWorkflow('Running'));
    const seen: string[] = [];
    api.on('GET', LOG, async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (const line of ['starting', 'working', 'done']) {
        res.write(`${JSON.stringify({ result: { content: line, podName: req.query.podName } })}\n`);
        seen.push(line);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      res.end();
    });
    const run = await slipway(['logs', WF, 'hello2b', '-f', '-c', 'wait', '--grep', 'ing'], api.url);
    expect(run.stdout).toBe(['starting', 'working', 'done'].map((l) => `hello-x7k2p-shout-380809915: ${l}\n`).join(''));
    expect(seen).toHaveLength(3);
    expect(api.calls()).toEqual([
      `GET ${LIST}/${WF}`,
      `GET ${LOG}?podName=hello-x7k2p-shout-380809915&logOptions.container=wait&logOptions.follow=true&grep=ing`,
    ]);
  });

  it('passes a pod name through and refuses an ambiguous step name', async () => {
    const wf = stepsWorkflow();
    const twin = { ...Object.values(wf.status!.nodes!).find((n) => n.displayName === 'hello1')!, id: 'twin', name: `${WF}[9].hello1` };
    wf.status!.nodes!.twin = twin;
    api.on('GET', `${LIST}/${WF}`, wf);
    api.on('GET', LOG, ndjson([]));
    expect((await slipway(['logs', WF, 'hello-x7k2p-say-397587534'], api.url)).code).toBe(0);
    expect(api.requests[1].query.podName).toBe('hello-x7k2p-say-397587534');
    const run = await slipway(['logs', WF, 'hello1'], api.url);
    expect(run).toMatchObject({ code: 2, stderr: 'slipway logs: "hello1" names 2 steps; give one of their pod names: hello-x7k2p-say-2511692333, hello-x7k2p-say-1584681206\n' });
  });
});

describe('slipway watch', () => {
  it('draws progress from the watch stream and exits by the final phase', async () => {
    api.on('GET', `${LIST}/${WF}`, stepsWorkflow('Running'));
    api.on('GET', '/api/v1/workflow-events/default', ndjson([{ type: 'MODIFIED', object: stepsWorkflow('Failed') }], 5));
    const run = await slipway(['watch', WF], api.url);
    expect(run.code).toBe(1);
    expect(api.calls()).toEqual([`GET ${LIST}/${WF}`, 'GET /api/v1/workflow-events/default?listOptions.fieldSelector=metadata.name=hello-x7k2p']);
    expect(run.progress.split('\n')).toEqual([
      '● hello-x7k2p  Running',
      '✔ hello-x7k2p[0].hello1  Succeeded  5s',
      '✔ hello-x7k2p[1].hello2a  Succeeded  10s',
      '● hello-x7k2p[1].hello2b  Running',
      '✖ hello-x7k2p  Failed  1m10s',
      '✖ hello-x7k2p[1].hello2b  Failed  1m0s  Error (exit code 3)',
      '✔ hello-x7k2p.onExit  Succeeded  3s',
      "hello-x7k2p Failed in 1m10s: child 'hello-x7k2p-1842256366' failed",
      '',
    ]);
  });

  it('polls when the server has no watch stream', async () => {
    let gets = 0;
    api.on('GET', `${LIST}/${WF}`, (_req, res) => res.end(JSON.stringify(stepsWorkflow(++gets < 3 ? 'Running' : 'Succeeded'))));
    api.on('GET', '/api/v1/workflow-events/default', apiError(404, 5, 'Not Found'));
    const run = await slipway(['watch', WF], api.url);
    expect(run.code).toBe(0);
    expect(api.calls()).toEqual([`GET ${LIST}/${WF}`, 'GET /api/v1/workflow-events/default?listOptions.fieldSelector=metadata.name=hello-x7k2p', `GET ${LIST}/${WF}`, `GET ${LIST}/${WF}`]);
    expect(run.progress).toContain('hello-x7k2p Succeeded in 1m10s\n');
  });
});
