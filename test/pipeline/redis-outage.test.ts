/**
 * Redis goes away for 10 s under webhook load, then comes back. API and worker reach Redis through
 * a TCP proxy that this test stops (every connection reset, new ones refused) and restarts, so the
 * outage is real for every client and bounded to this test. Every 2xx'd delivery must be
 * processed exactly once: one run each, each run's step executed once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { DeliveryStore } from '@slipway/persistence';
import { TEST_REDIS_URL } from '@slipway/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HOOK_SECRET, pushPayload, startHarness, until, type Harness } from './push-harness.js';

class RedisProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: URL) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

const proxy = new RedisProxy(new URL(TEST_REDIS_URL));
let h: Harness;

beforeAll(async () => {
  await proxy.start();
  h = await startHarness('redis_outage', { redisUrl: `redis://127.0.0.1:${proxy.port}` });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await proxy.stop().catch(() => undefined);
});

async function post(sha: string): Promise<{ status: number; id?: string }> {
  try {
    const res = await fetch(`${h.base}/api/v1/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': HOOK_SECRET, 'x-gitlab-event-uuid': randomUUID() },
      body: JSON.stringify(pushPayload(h, sha, 'main', '0'.repeat(39) + '1', 'shop/load')),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { id?: string };
    return { status: res.status, id: body.id };
  } catch {
    return { status: 0 };
  }
}

test('every delivery accepted around a 10 s Redis outage is processed exactly once', async () => {
  const accepted: string[] = [];
  let n = 0;
  const load = async (count: number, gapMs: number) => {
    for (let i = 0; i < count; i++) {
      const r = await post(createHash('sha1').update(`outage-${n++}`).digest('hex'));
      expect(r.status).toBe(202);
      accepted.push(r.id!);
      await new Promise((res) => setTimeout(res, gapMs));
    }
  };
  await load(5, 50);
  await proxy.stop(); // Redis is gone for everyone
  const outage = Date.now();
  await Promise.all([load(4, 500), load(4, 500)]);
  await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - outage))));
  await proxy.start(); // back on the same port
  await load(5, 50);

  const store = new DeliveryStore(h.prisma);
  const processed = await until(
    'every delivery processed',
    async () => {
      await h.worker.webhooks.tick(() => {});
      await h.worker.resyncNow().catch(() => undefined);
      const rows = await Promise.all(accepted.map((id) => store.get(id)));
      return rows.every((r) => r && r.outcome !== 'received') ? rows : undefined;
    },
    90_000,
  );
  for (const row of processed) {
    expect(row!.outcome, row!.reason ?? '').toBe('started');
    expect(row!.workflowIds).toHaveLength(1);
  }
  const ids = processed.map((r) => r!.workflowIds[0]);
  expect(new Set(ids).size).toBe(accepted.length);
  const runs = await h.prisma.workflow.count({ where: { labels: { path: ['workflows.argoproj.io/workflow-event-binding'], equals: 'load-push' } } });
  expect(runs).toBe(accepted.length);
  await until(
    'every run finished',
    async () => {
      await h.worker.resyncNow().catch(() => undefined);
      const done = await h.prisma.workflow.count({ where: { id: { in: ids }, phase: 'Succeeded' } });
      return done === ids.length ? true : undefined;
    },
    90_000,
  );
  const executions = await h.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pod_executions WHERE workflow_id = ANY(${ids}::uuid[])`;
  expect(executions[0].n).toBe(ids.length);
}, 240_000);
