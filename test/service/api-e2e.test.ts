/**
 * The platform service end to end over HTTP: the real API and a real worker against a fresh
 * PostgreSQL database and Redis prefix. Retry, stop/terminate, suspend/resume/set, log follow,
 * template revisions and TTL deletion as a user of Argo Server's API sees them.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@slipway/api';
import { loadConfig } from '@slipway/config';
import { createPrismaClient, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@slipway/testing';
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { WorkerHost } from '@slipway/worker';
import type { Redis } from 'ioredis';

const ADMIN = 'api-e2e-admin-token-0123456789';
const prefix = testRedisPrefix('api-e2e');
let db: TestDatabase;
let prisma: PrismaClient;
let queues: SlipwayQueues;
let subscriber: Redis;
let app: INestApplication;
let worker: WorkerHost;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase('api_e2e');
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_ADMIN_TOKEN: ADMIN });
  prisma = createPrismaClient(db.url, 5);
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
  subscriber = redisConnection(TEST_REDIS_URL, { forWorker: true });
  app = await createApiApp({ config, prisma, queues, subscriber, logger: false });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1`;
  worker = new WorkerHost({ db: prisma, redisUrl: TEST_REDIS_URL, prefix, workdir: mkdtempSync(join(tmpdir(), 'slipway-api-e2e-')), sandbox: 'auto', podConcurrency: 8, resyncSeconds: 60, cronSeconds: 0, log: () => {} });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await queues?.close().catch(() => undefined);
  queues?.connection.disconnect();
  subscriber?.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
});

async function call<T = Workflow>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function submit(workflow: unknown): Promise<string> {
  return (await call('POST', '/workflows/default', { workflow })).metadata.name!;
}

async function until(name: string, test: (wf: Workflow) => boolean, timeoutMs = 20_000): Promise<Workflow> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const wf = await call('GET', `/workflows/default/${name}`);
    if (test(wf)) return wf;
    if (Date.now() > end) throw new Error(`${name}: condition not met; phase ${wf.status?.phase}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const finished = (wf: Workflow) => ['Succeeded', 'Failed', 'Error'].includes(wf.status?.phase ?? '');
const node = (wf: Workflow, displayName: string): NodeStatus | undefined => Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === displayName);

const flag = join(mkdtempSync(join(tmpdir(), 'slipway-flag-')), 'ok');

describe('platform service over HTTP', () => {
  it('retry of a failed DAG re-runs only the failed part and keeps the outputs of what succeeded', async () => {
    const name = await submit({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'retry-' },
      spec: {
        entrypoint: 'main',
        volumes: [{ name: 'flag', hostPath: { path: flag.slice(0, flag.lastIndexOf('/')) } }],
        templates: [
          { name: 'main', dag: { tasks: [
            { name: 'A', template: 'produce' },
            { name: 'B', template: 'flaky', depends: 'A', arguments: { parameters: [{ name: 'v', value: '{{tasks.A.outputs.result}}' }] } },
          ] } },
          { name: 'produce', script: { image: 'busybox', command: ['sh'], source: 'cat /proc/sys/kernel/random/uuid' } },
          { name: 'flaky', inputs: { parameters: [{ name: 'v' }] }, script: { image: 'busybox', command: ['sh'], volumeMounts: [{ name: 'flag', mountPath: '/flag' }], source: 'test -f /flag/ok || exit 3; echo got {{inputs.parameters.v}}' } },
        ],
      },
    });
    const failed = await until(name, finished);
    expect(failed.status?.phase).toBe('Failed');
    const producedBefore = node(failed, 'A')!.outputs!.result;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(flag, 'yes');
    await call('PUT', `/workflows/default/${name}/retry`, {});
    const done = await until(name, finished);
    expect(done.status?.phase).toBe('Succeeded');
    expect(producedBefore).toMatch(/^[0-9a-f-]{36}$/);
    expect(node(done, 'A')!.outputs!.result).toBe(producedBefore);
    expect(node(done, 'B')!.outputs!.result).toBe(`got ${producedBefore}`);
    const executions = await prisma.podExecution.findMany({ where: { workflowId: done.metadata.uid } });
    expect(executions.find((e) => e.podName.includes('produce'))?.attempts).toBe(1);
  });

  const sleeper = (onExit: boolean) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'sleeper-' },
    spec: {
      entrypoint: 'main',
      ...(onExit ? { onExit: 'bye' } : {}),
      templates: [
        { name: 'main', container: { image: 'busybox', command: ['sleep', '30'] } },
        { name: 'bye', container: { image: 'busybox', command: ['echo', 'bye'] } },
      ],
    },
  });

  it('stop runs the exit handler; terminate does not', async () => {
    for (const op of ['stop', 'terminate'] as const) {
      const name = await submit(sleeper(true));
      await until(name, (wf) => Object.values(wf.status?.nodes ?? {}).some((n) => n.phase === 'Running'));
      await call('PUT', `/workflows/default/${name}/${op}`, {});
      const wf = await until(name, finished);
      expect(wf.status?.phase).toBe('Failed');
      const exit = Object.values(wf.status?.nodes ?? {}).find((n) => n.name.endsWith('.onExit'));
      if (op === 'stop') expect(exit?.phase).toBe('Succeeded');
      else expect(exit).toBeUndefined();
    }
  });

  it('suspend/resume the workflow, and set + resume a suspend node', async () => {
    const name = await submit({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'approve-' },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'approve', template: 'approve' }], [{ name: 'use', template: 'echo', arguments: { parameters: [{ name: 'm', value: '{{steps.approve.outputs.parameters.answer}}' }] } }]] },
          { name: 'approve', suspend: {}, outputs: { parameters: [{ name: 'answer', valueFrom: { supplied: {} } }] } },
          { name: 'echo', inputs: { parameters: [{ name: 'm' }] }, script: { image: 'busybox', command: ['sh'], source: 'echo {{inputs.parameters.m}}' } },
        ],
      },
    });
    await until(name, (wf) => node(wf, 'approve')?.phase === 'Running');
    await call('PUT', `/workflows/default/${name}/set`, { nodeFieldSelector: 'displayName=approve', outputParameters: JSON.stringify({ answer: 'ship-it' }) });
    await call('PUT', `/workflows/default/${name}/resume`, { nodeFieldSelector: 'displayName=approve' });
    const wf = await until(name, finished);
    expect(wf.status?.phase).toBe('Succeeded');
    expect(node(wf, 'use')?.outputs?.result).toBe('ship-it');
  });

  it('log follow streams a running step and ends when the workflow is done', async () => {
    const name = await submit({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'logs-' },
      spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.3; done'] } }] },
    });
    const res = await fetch(`${base}/workflows/default/${name}/log?logOptions.container=main&logOptions.follow=true`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const lines = text.trim().split('\n').map((l) => (JSON.parse(l) as { result: { content: string } }).result.content);
    expect(lines).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('a workflow is deleted with its nodes and logs when its ttlStrategy expires', async () => {
    const name = await submit({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'ttl-' },
      spec: { entrypoint: 'main', ttlStrategy: { secondsAfterCompletion: 1 }, templates: [{ name: 'main', container: { image: 'busybox', command: ['echo', 'hi'] } }] },
    });
    const wf = await until(name, finished);
    const id = wf.metadata.uid!;
    await new Promise((r) => setTimeout(r, 1200));
    await worker.resyncNow();
    const res = await fetch(`${base}/workflows/default/${name}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(404);
    expect(await prisma.node.count({ where: { workflowId: id } })).toBe(0);
    expect(await prisma.logChunk.count({ where: { workflowId: id } })).toBe(0);
  });

  it('templates keep immutable revisions; a workflow records the revision it ran and rollback restores an old one', async () => {
    const tmpl = (msg: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'greeter', namespace: 'default' },
      spec: { entrypoint: 'main', templates: [{ name: 'main', script: { image: 'busybox', command: ['sh'], source: `echo ${msg}` } }] },
    });
    await call('POST', '/workflow-templates/default', { template: tmpl('v1') });
    const current = await call<{ metadata: { resourceVersion: string } }>('GET', '/workflow-templates/default/greeter');
    await call('PUT', '/workflow-templates/default/greeter', { template: { ...tmpl('v2'), metadata: { ...tmpl('v2').metadata, resourceVersion: current.metadata.resourceVersion } } });
    const revisions = await call<{ items: { revision: number }[] }>('GET', '/workflow-templates/default/greeter/revisions');
    expect(revisions.items.map((r) => r.revision)).toEqual(expect.arrayContaining([1, 2]));
    const run = async () => {
      const wf = await call('POST', '/workflows/default/submit', { resourceKind: 'WorkflowTemplate', resourceName: 'greeter' });
      const done = await until(wf.metadata.name!, finished);
      return Object.values(done.status!.nodes!)[0].outputs?.result;
    };
    expect(await run()).toBe('v2');
    await call('POST', '/workflow-templates/default/greeter/rollback', { revision: 1 });
    expect(await run()).toBe('v1');
  });
});
