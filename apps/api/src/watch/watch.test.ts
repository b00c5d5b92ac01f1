/** The watch stream: initial ADDED, MODIFIED after each update published on Redis, DELETED. */
import type { Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updatesChannel } from '../deps.js';
import { readStream, saveState, startTestApi, workflowDoc, type Json, type TestApi } from '../test-support.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('watch');
});

afterAll(async () => {
  await api.close();
});

async function submit(ns: string, name: string, labels?: Record<string, string>): Promise<Workflow> {
  const res = await api.request(`/api/v1/workflows/${ns}`, { json: { workflow: workflowDoc(name, labels) } });
  expect(res.status).toBe(200);
  return res.body as Workflow;
}

/** What the worker does after a save: write the state, then publish on the updates channel. */
/** A promise resolved by the first streamed item, and the callback that resolves it. */
function firstItem(): { seen: Promise<void>; onItem: () => void } {
  let onItem = (): void => undefined;
  const seen = new Promise<void>((resolve) => {
    onItem = resolve;
  });
  return { seen, onItem };
}

async function advance(wf: Workflow, phase: 'Running' | 'Succeeded'): Promise<void> {
  const next = structuredClone(wf);
  delete next.metadata.resourceVersion;
  next.status = { phase, startedAt: '2026-01-01T00:00:00Z', ...(phase === 'Succeeded' ? { finishedAt: '2026-01-01T00:00:02Z' } : {}) };
  const version = await saveState(api.prisma, next);
  const message = { workflowId: wf.metadata.uid, namespace: wf.metadata.namespace, name: wf.metadata.name, phase, version };
  await api.redis.publish(updatesChannel(api.prefix), JSON.stringify(message));
}

describe('GET /api/v1/workflow-events/{ns}', () => {
  it('sends the workflow first, then MODIFIED for each published update', async () => {
    const wf = await submit('watching', 'watched');
    const url = `${api.url}/api/v1/workflow-events/watching?listOptions.fieldSelector=metadata.name%3Dwatched`;
    const first = firstItem();
    const stream = readStream(url, { onItem: first.onItem, until: (items) => items.some((i: Json) => i.object.status?.phase === 'Succeeded') });
    await first.seen;
    await advance(wf, 'Running');
    await new Promise((r) => setTimeout(r, 100));
    await advance(wf, 'Succeeded');
    const { items } = await stream;
    expect(items[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'watched', resourceVersion: '0' }, status: { phase: 'Pending' } } });
    const modified = items.slice(1);
    expect(modified.every((i: Json) => i.type === 'MODIFIED')).toBe(true);
    expect(modified.at(-1).object.status.phase).toBe('Succeeded');
    expect(modified.at(-1).object.metadata.resourceVersion).toBe('2');
  });

  it('ignores other workflows and namespaces, and reports deletion', async () => {
    const mine = await submit('watch-two', 'mine', { app: 'x' });
    const other = await submit('watch-two', 'other', { app: 'y' });
    const elsewhere = await submit('watch-three', 'mine');
    const url = `${api.url}/api/v1/workflow-events/watch-two?listOptions.labelSelector=app%3Dx`;
    const first = firstItem();
    const stream = readStream(url, { onItem: first.onItem, until: (items) => items.some((i: Json) => i.type === 'DELETED') });
    await first.seen;
    await advance(other, 'Running');
    await advance(elsewhere, 'Running');
    await advance(mine, 'Running');
    await new Promise((r) => setTimeout(r, 100));
    expect((await api.request('/api/v1/workflows/watch-two/mine', { method: 'DELETE' })).status).toBe(200);
    const { items } = await stream;
    expect(items.map((i: Json) => [i.type, i.object.metadata.name, i.object.metadata.namespace])).toEqual([
      ['ADDED', 'mine', 'watch-two'],
      ['MODIFIED', 'mine', 'watch-two'],
      ['DELETED', 'mine', 'watch-two'],
    ]);
  });

  it('streams Server-Sent Events for browsers', async () => {
    await submit('watch-sse', 'sse');
    const { raw, items, contentType } = await readStream(`${api.url}/api/v1/workflow-events/watch-sse`, { sse: true, until: (i) => i.length >= 1 });
    expect(contentType).toContain('text/event-stream');
    expect(raw.startsWith('data: {"result":{"type":"ADDED","object":')).toBe(true);
    expect(items[0].object.metadata.name).toBe('sse');
  });

  it('rejects an unsupported field selector', async () => {
    const res = await api.request('/api/v1/workflow-events/default?listOptions.fieldSelector=spec.foo%3Dbar');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('listOptions.fieldSelector');
  });
});
