/** Workflow logs: NDJSON like Argo, SSE, pod/container/grep filters, and follow until the workflow is done. */
import { LogChunks } from '@slipway/persistence';
import type { Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStream, saveState, startTestApi, workflowDoc, type TestApi } from '../test-support.js';

let api: TestApi;
let chunks: LogChunks;

beforeAll(async () => {
  api = await startTestApi('logs');
  chunks = new LogChunks(api.prisma);
});

afterAll(async () => {
  await api.close();
});

async function submit(name: string): Promise<Workflow> {
  const res = await api.request('/api/v1/workflows/default', { json: { workflow: workflowDoc(name) } });
  expect(res.status).toBe(200);
  return res.body as Workflow;
}

const line = (workflowId: string, podName: string, content: string, container = 'main') => ({ workflowId, podName, container, content: `${content}\n` });

describe('GET /api/v1/workflows/{ns}/{name}/log', () => {
  let wf: Workflow;

  beforeAll(async () => {
    wf = await submit('logged');
    const id = wf.metadata.uid!;
    await chunks.append([
      line(id, 'logged-a-1', 'alpha one'),
      line(id, 'logged-b-2', 'bravo one'),
      line(id, 'logged-a-1', 'alpha two'),
      line(id, 'logged-a-1', 'from the sidecar', 'sidecar'),
      { workflowId: id, podName: 'logged-b-2', container: 'main', content: 'bravo two\nbravo three\n' },
    ]);
  });

  it('streams one {"result":{"content","podName"}} per line of the main container', async () => {
    const { items, contentType, ended } = await readStream(`${api.url}/api/v1/workflows/default/logged/log`);
    expect(ended).toBe(true);
    expect(contentType).toContain('application/x-ndjson');
    expect(items).toEqual([
      { content: 'alpha one', podName: 'logged-a-1' },
      { content: 'bravo one', podName: 'logged-b-2' },
      { content: 'alpha two', podName: 'logged-a-1' },
      { content: 'bravo two', podName: 'logged-b-2' },
      { content: 'bravo three', podName: 'logged-b-2' },
    ]);
  });

  it('filters by podName, container and grep (a regular expression)', async () => {
    const pod = await readStream(`${api.url}/api/v1/workflows/default/logged/log?podName=logged-a-1`);
    expect(pod.items.map((i) => i.content)).toEqual(['alpha one', 'alpha two']);
    const deprecatedPath = await readStream(`${api.url}/api/v1/workflows/default/logged/logged-a-1/log`);
    expect(deprecatedPath.items).toEqual(pod.items);
    const sidecar = await readStream(`${api.url}/api/v1/workflows/default/logged/log?logOptions.container=sidecar`);
    expect(sidecar.items.map((i) => i.content)).toEqual(['from the sidecar']);
    const grep = await readStream(`${api.url}/api/v1/workflows/default/logged/log?grep=${encodeURIComponent('t(wo|hree)$')}`);
    expect(grep.items.map((i) => i.content)).toEqual(['alpha two', 'bravo two', 'bravo three']);
    const bad = await api.request('/api/v1/workflows/default/logged/log?grep=%28');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^grep: /);
  });

  it('speaks Server-Sent Events when asked', async () => {
    const { items, raw, contentType } = await readStream(`${api.url}/api/v1/workflows/default/logged/log?podName=logged-a-1`, { sse: true });
    expect(contentType).toContain('text/event-stream');
    expect(raw.startsWith('data: {"result":{"content":"alpha one","podName":"logged-a-1"}}\n\n')).toBe(true);
    expect(items).toHaveLength(2);
  });

  it('answers 404 for an unknown workflow', async () => {
    const res = await api.request('/api/v1/workflows/default/nobody/log');
    expect(res.status).toBe(404);
  });
});

describe('follow', () => {
  it('keeps streaming new lines until the workflow has finished and its last lines are out', async () => {
    const wf = await submit('followed');
    const id = wf.metadata.uid!;
    await chunks.append([line(id, 'followed-main-1', 'first')]);
    let sawFirst = (): void => undefined;
    const first = new Promise<void>((resolve) => {
      sawFirst = resolve;
    });
    const stream = readStream(`${api.url}/api/v1/workflows/default/followed/log?logOptions.follow=true`, { timeoutMs: 15_000, onItem: () => sawFirst() });
    await first;
    await chunks.append([line(id, 'followed-main-1', 'second')]);
    await new Promise((r) => setTimeout(r, 400));
    await chunks.append([line(id, 'followed-main-1', 'last')]);
    const done = structuredClone(wf);
    done.status = { phase: 'Succeeded', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' };
    delete done.metadata.resourceVersion;
    await saveState(api.prisma, done);
    const { items, ended } = await stream;
    expect(ended).toBe(true);
    expect(items.map((i) => i.content)).toEqual(['first', 'second', 'last']);
  });

  it('ends at once for a finished workflow', async () => {
    const wf = await submit('finished');
    const done = structuredClone(wf);
    done.status = { phase: 'Failed', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' };
    delete done.metadata.resourceVersion;
    await saveState(api.prisma, done);
    await chunks.append([line(wf.metadata.uid!, 'finished-main-1', 'only')]);
    const started = Date.now();
    const { items, ended } = await readStream(`${api.url}/api/v1/workflows/default/finished/log?logOptions.follow=true`);
    expect(ended).toBe(true);
    expect(items.map((i) => i.content)).toEqual(['only']);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
