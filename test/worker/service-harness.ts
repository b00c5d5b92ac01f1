/**
 * A small Slipway service for end-to-end tests of what the worker is given: a fresh PostgreSQL
 * database and Redis prefix, the real API (HTTP on 127.0.0.1) and one WorkerHost with the options
 * under test (e.g. its secrets). Templates and bindings are created through the API.
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '@slipway/api';
import { loadConfig } from '@slipway/config';
import { isBwrapUsable } from '@slipway/executors/local';
import { createPrismaClient, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix } from '@slipway/testing';
import { WorkerHost, type WorkerOptions } from '@slipway/worker';

export const ADMIN = 'service-harness-admin-token-0123';

export interface ServiceHarness {
  base: string;
  prisma: PrismaClient;
  sandbox: 'bwrap' | 'none';
  /** JSON request with a bearer token (default: the admin's). */
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read replies loosely
  /** Poll GET of a workflow until its phase is final. */
  finished(namespace: string, name: string, timeoutMs?: number): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Argo's Workflow JSON
  close(): Promise<void>;
}

export async function startService(label: string, worker: Partial<WorkerOptions> = {}): Promise<ServiceHarness> {
  const db = await createTestDatabase(label);
  const prefix = testRedisPrefix(label);
  const dir = mkdtempSync(join(tmpdir(), `slipway-${label}-`));
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_ADMIN_TOKEN: ADMIN });
  const prisma = createPrismaClient(db.url, 6);
  const queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
  const subscriber = redisConnection(TEST_REDIS_URL, { forWorker: true });
  const api: INestApplication = await createApiApp({ config, prisma, queues, subscriber, logger: false });
  await api.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  const sandbox = isBwrapUsable() ? 'bwrap' : 'none';
  const host = new WorkerHost({
    db: prisma,
    redisUrl: TEST_REDIS_URL,
    prefix,
    workdir: join(dir, 'wd'),
    sandbox,
    podConcurrency: 4,
    resyncSeconds: 60,
    cronSeconds: 0,
    log: () => {},
    ...worker,
  });
  await host.start();

  const call: ServiceHarness['call'] = async (method, path, body, token = ADMIN) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  };
  return {
    base,
    prisma,
    sandbox,
    call,
    async finished(namespace, name, timeoutMs = 90_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const res = await call('GET', `/api/v1/workflows/${namespace}/${name}`);
        const phase = res.body?.status?.phase;
        if (res.status === 200 && ['Succeeded', 'Failed', 'Error'].includes(phase)) return res.body;
        if (Date.now() > end) throw new Error(`workflow ${namespace}/${name} did not finish: ${res.status} ${phase}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      await host.stop();
      await api.close();
      await queues.close().catch(() => undefined);
      queues.connection.disconnect();
      subscriber.disconnect();
      await prisma.$disconnect();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
