/**
 * Prometheus metrics end to end: the real API and a real worker; `GET /metrics` on both (no
 * token), with names and labels, and values that move when a workflow runs.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@slipway/api';
import { loadConfig } from '@slipway/config';
import { METRIC_NAMES, parseMetrics, SlipwayMetrics, sumOf, workflowCounts, type Sample } from '@slipway/observability';
import { createPrismaClient, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@slipway/testing';
import type { Workflow } from '@slipway/workflow';
import { WorkerHost } from '@slipway/worker';
import type { Redis } from 'ioredis';

const ADMIN = 'metrics-e2e-admin-token-0123456789';
const prefix = testRedisPrefix('metrics');
let db: TestDatabase;
let prisma: PrismaClient;
let queues: SlipwayQueues;
let subscriber: Redis;
let app: INestApplication;
let worker: WorkerHost;
let apiBase: string;
const apiMetrics = new SlipwayMetrics({ component: 'api' });

beforeAll(async () => {
  db = await createTestDatabase('metrics_e2e');
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_ADMIN_TOKEN: ADMIN });
  prisma = createPrismaClient(db.url, 5);
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
  subscriber = redisConnection(TEST_REDIS_URL, { forWorker: true });
  app = await createApiApp({ config, prisma, queues, subscriber, logger: false, metrics: apiMetrics });
  await app.listen(0, '127.0.0.1');
  apiBase = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  apiMetrics.workflowsFrom(workflowCounts(prisma), 0);
  worker = new WorkerHost({ db: prisma, redisUrl: TEST_REDIS_URL, prefix, workdir: mkdtempSync(join(tmpdir(), 'slipway-metrics-')), sandbox: 'auto', podConcurrency: 4, resyncSeconds: 60, cronSeconds: 0, metricsPort: 0, log: () => {} });
  worker.metrics.workflowsFrom(workflowCounts(prisma), 0);
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

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseMetrics(await res.text());
}
const apiScrape = () => scrape(`${apiBase}/metrics`);
const workerScrape = () => scrape(`http://127.0.0.1:${worker.metricsPort}/metrics`);

async function run(): Promise<Workflow> {
  const res = await fetch(`${apiBase}/api/v1/workflows/default`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      workflow: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'metrics-' },
        spec: {
          entrypoint: 'main',
          templates: [
            { name: 'main', steps: [[{ name: 'a', template: 'echo' }], [{ name: 'b', template: 'echo' }]] },
            { name: 'echo', script: { image: 'busybox', command: ['sh'], source: 'echo hello' } },
          ],
        },
      },
    }),
  });
  expect(res.status).toBe(200);
  const name = ((await res.json()) as Workflow).metadata.name!;
  const end = Date.now() + 20_000;
  for (;;) {
    const wf = (await (await fetch(`${apiBase}/api/v1/workflows/default/${name}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Workflow;
    if (['Succeeded', 'Failed', 'Error'].includes(wf.status?.phase ?? '')) return wf;
    if (Date.now() > end) throw new Error(`${name} did not finish`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /metrics', () => {
  it('api and worker expose Slipway and Node process metrics without a token', async () => {
    for (const samples of [await apiScrape(), await workerScrape()]) {
      const names = new Set(samples.map((s) => s.name));
      expect(names).toContain('process_cpu_user_seconds_total');
      expect(names).toContain('nodejs_heap_size_total_bytes');
      for (const queue of ['reconcile', 'pods', 'timers']) {
        expect(samples.some((s) => s.name === METRIC_NAMES.queueDepth && s.labels.queue === queue && s.labels.state === 'waiting')).toBe(true);
      }
    }
    const api = await apiScrape();
    expect(api.find((s) => s.name === METRIC_NAMES.queueDepth)?.labels.component).toBe('api');
  });

  it('values change when a workflow runs', async () => {
    const apiBefore = await apiScrape();
    const before = await workerScrape();
    const wf = await run();
    expect(wf.status?.phase).toBe('Succeeded');
    const api = await apiScrape();
    const after = await workerScrape();

    const succeeded = { namespace: 'default', phase: 'Succeeded' };
    expect(sumOf(api, METRIC_NAMES.workflows, succeeded)).toBe(sumOf(apiBefore, METRIC_NAMES.workflows, succeeded) + 1);
    expect(sumOf(after, METRIC_NAMES.workflows, succeeded)).toBeGreaterThanOrEqual(1);
    const grew = (name: string, labels: Record<string, string> = {}, by = 1) =>
      expect(sumOf(after, name, labels) - sumOf(before, name, labels), name).toBeGreaterThanOrEqual(by);
    grew(`${METRIC_NAMES.reconcileDuration}_count`, { outcome: 'advanced' }, 2);
    grew(`${METRIC_NAMES.workflowDuration}_count`, succeeded);
    grew(METRIC_NAMES.workflowsCompleted, succeeded);
    grew(`${METRIC_NAMES.nodeDuration}_count`, { namespace: 'default', phase: 'Succeeded', type: 'Pod' }, 2);
    grew(`${METRIC_NAMES.queueJobLatency}_count`, { queue: 'reconcile' });
    grew(`${METRIC_NAMES.queueJobLatency}_count`, { queue: 'pods' }, 2);
    grew(METRIC_NAMES.podOperations, { executor: 'local', operation: 'ran' }, 2);
    expect(sumOf(after, METRIC_NAMES.podErrors)).toBe(0);
  });
});
