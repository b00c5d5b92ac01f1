/**
 * Test harness: the API on 127.0.0.1:0 against a fresh PostgreSQL database and a Redis prefix of
 * its own (one per test file), with an admin token and a small fetch helper.
 */
import type { INestApplication } from '@nestjs/common';
import { loadConfig, type SlipwayConfig } from '@slipway/config';
import { simulate, type PodBehaviour, type RuntimeMap } from '@slipway/engine';
import { createPrismaClient, WorkflowStateStore, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@slipway/testing';
import { InMemoryTemplateLibrary, type Workflow } from '@slipway/workflow';
import type { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { createApiApp } from './app.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read replies loosely
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  /** Bearer token; null sends none. Default: the admin token. */
  token?: string | null;
  /** JSON body. */
  json?: unknown;
  /** Raw body (e.g. YAML) with its content type. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface TestApi {
  url: string;
  app: INestApplication;
  db: TestDatabase;
  prisma: PrismaClient;
  queues: SlipwayQueues;
  /** A plain connection for publishing and inspecting. */
  redis: Redis;
  prefix: string;
  config: SlipwayConfig;
  request<T = Json>(path: string, opts?: RequestOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Point the app's Redis connections here (e.g. a closed port). */
  redisUrl?: string;
  /** Point the app's Prisma client here (e.g. a closed port). */
  databaseUrl?: string;
  clock?: () => number;
}

export async function startTestApi(label: string, opts: HarnessOptions = {}): Promise<TestApi> {
  const db = await createTestDatabase(`api_${label}`);
  const prefix = testRedisPrefix(`api-${label}`);
  const redisUrl = opts.redisUrl ?? TEST_REDIS_URL;
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl ?? db.url,
    REDIS_URL: redisUrl,
    SLIPWAY_REDIS_PREFIX: prefix,
    SLIPWAY_ADMIN_TOKEN: ADMIN_TOKEN,
    ...opts.env,
  });
  const prisma = createPrismaClient(config.DATABASE_URL, 5);
  const queues = new SlipwayQueues(redisConnection(redisUrl), prefix);
  const subscriber = redisConnection(redisUrl, { forWorker: true });
  const redis = redisConnection(TEST_REDIS_URL);
  const app = await createApiApp({ config, prisma, queues, subscriber, clock: opts.clock, logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const request = async <T,>(path: string, o: RequestOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? ADMIN_TOKEN : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
    } else if (o.raw !== undefined) {
      body = o.raw;
      headers['content-type'] = o.contentType ?? 'application/yaml';
    }
    const res = await fetch(`${url}${path}`, { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  };

  const close = async (): Promise<void> => {
    await app.close();
    const keys = await redis.keys(`${prefix}:*`).catch(() => [] as string[]);
    if (keys.length > 0) await redis.del(...keys).catch(() => undefined);
    await queues.close().catch(() => undefined);
    subscriber.disconnect();
    queues.connection.disconnect();
    redis.disconnect();
    await prisma.$disconnect();
    await db.drop();
  };

  return { url, app, db, prisma, queues, redis, prefix, config, request, close };
}

/** Write a workflow's state (as a worker would) and return the new version. */
export async function saveState(prisma: PrismaClient, workflow: Workflow, runtime: RuntimeMap = {}): Promise<number> {
  const store = new WorkflowStateStore(prisma);
  const id = workflow.metadata.uid!;
  const version = (await store.version(id)) ?? 0;
  const ok = await store.save({
    id,
    expectedVersion: version,
    workflow,
    runtime,
    changedNodeIds: Object.keys(workflow.status?.nodes ?? {}),
    consumedEventIds: [],
  });
  if (ok === undefined) throw new Error('saveState: version conflict');
  return version + 1;
}

/** Run a submitted workflow to rest in the engine's simulator (pods behave as `behaviour` says) and store the result. */
export async function simulateAndSave(prisma: PrismaClient, submitted: Workflow, behaviour: PodBehaviour): Promise<Workflow> {
  const run = simulate(structuredClone(submitted), new InMemoryTemplateLibrary(), behaviour);
  await saveState(prisma, run.workflow, run.reconciler.runtime);
  return run.workflow;
}

/** BullMQ reconcile jobs waiting for a workflow. */
export async function reconcileJobsFor(queues: SlipwayQueues, workflowId: string): Promise<number> {
  const jobs = await queues.reconcile.getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.filter((j) => (j.data as { workflowId?: string }).workflowId === workflowId).length;
}

/** Read an NDJSON or SSE stream until `until` says stop (or the stream ends); returns the parsed `result`s. */
export async function readStream<T = Json>(
  url: string,
  opts: { token?: string; sse?: boolean; until?: (items: T[]) => boolean; onItem?: (item: T) => void; timeoutMs?: number } = {},
): Promise<{ items: T[]; raw: string; ended: boolean; contentType: string | null }> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 10_000);
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? ADMIN_TOKEN}` };
  if (opts.sse) headers.accept = 'text/event-stream';
  const items: T[] = [];
  let raw = '';
  let ended = false;
  let contentType: string | null = null;
  try {
    const res = await fetch(url, { headers, signal: ctl.signal });
    contentType = res.headers.get('content-type');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const separator = opts.sse ? '\n\n' : '\n';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      const chunk = decoder.decode(value, { stream: true });
      raw += chunk;
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf(separator)) >= 0) {
        const frame = buffer.slice(0, i);
        buffer = buffer.slice(i + separator.length);
        const json = opts.sse ? frame.replace(/^data: /, '') : frame;
        if (json.trim() === '') continue;
        const item = (JSON.parse(json) as { result: T }).result;
        items.push(item);
        opts.onItem?.(item);
      }
      if (opts.until?.(items)) {
        await reader.cancel();
        break;
      }
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return { items, raw, ended, contentType };
}

/** A one-step Workflow document. */
export function workflowDoc(name: string, labels?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox', command: ['echo', 'hi'] } }] },
  };
}
