/**
 * Pods run by the worker whose reconcile started them, without a queue job (ADR 0008), and the
 * worker leases the resync checks, against the real PostgreSQL, Redis and processes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, PodExecutions, Timers, WorkerLeases, WorkflowInbox, WorkflowRepository, WorkflowStateStore, type PrismaClient } from '@slipway/persistence';
import { podJobId, QUEUE_NAMES, redisConnection, SlipwayQueues } from '@slipway/queue';
import { instantiateWorkflow, type Workflow } from '@slipway/workflow';
import { Resync } from './maintenance/resync.js';
import { WorkerHost, type WorkerOptions } from './worker-host.js';

let db: TestDatabase;
let prisma: PrismaClient;
let queues: SlipwayQueues;
const prefix = testRedisPrefix('self_run');
const hosts: WorkerHost[] = [];

beforeAll(async () => {
  db = await createTestDatabase('self_run');
  prisma = createPrismaClient(db.url);
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
});

afterAll(async () => {
  for (const h of hosts) await h.stop();
  await queues?.close();
  queues?.connection.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
});

async function startHost(options: Partial<WorkerOptions> = {}): Promise<WorkerHost> {
  const host = new WorkerHost({ db: prisma, redisUrl: TEST_REDIS_URL, prefix, workdir: mkdtempSync(join(tmpdir(), 'slipway-self-run-')), sandbox: 'auto', podConcurrency: 2, resyncSeconds: 60, cronSeconds: 0, log: () => {}, ...options });
  await host.start();
  hosts.push(host);
  return host;
}

let seq = 0;
async function submit(yamlText: string): Promise<string> {
  const wf = instantiateWorkflow(parse(yamlText) as Workflow, { nameSuffix: `s${seq++}`, uid: crypto.randomUUID(), now: Date.now() });
  await new WorkflowRepository(prisma).create(wf);
  await queues.reconcileWorkflow(wf.metadata.uid!);
  return wf.metadata.uid!;
}

async function waitForPhase(id: string, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = await prisma.workflow.findUnique({ where: { id }, select: { phase: true } });
    if (row && ['Succeeded', 'Failed', 'Error'].includes(row.phase)) return row.phase;
    if (Date.now() > until) throw new Error(`workflow ${id} still ${row?.phase} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FAN = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: fan-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: t}
      - {name: B, template: t, depends: A}
      - {name: C, template: t, depends: A}
      - {name: D, template: t, depends: A}
      - {name: E, template: t, depends: B && C && D}
  - name: t
    container: {image: busybox, command: ["true"]}
`;

describe('pods run by the worker that started them', () => {
  it('runs every pod of its own reconciles without a pod job, each claimed once for this worker', async () => {
    const host = await startHost();
    const events = new QueueEvents(QUEUE_NAMES.pods, { connection: redisConnection(TEST_REDIS_URL, { forWorker: true }), prefix });
    await events.waitUntilReady();
    const added: string[] = [];
    events.on('added', ({ jobId }) => added.push(jobId));
    try {
      const id = await submit(FAN);
      expect(await waitForPhase(id)).toBe('Succeeded');
      const rows = await prisma.podExecution.findMany({ where: { workflowId: id }, select: { state: true, worker: true, attempts: true } });
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.state === 'Done' && r.worker === host.workerId && r.attempts === 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(added).toEqual([]);
      expect(host.selfRunPods).toBe(0);
    } finally {
      await events.close();
      await events.disconnect();
    }
  });
});

/** A fan of `n` short steps, each appending "+" then "-" to `file`. */
const fanWriting = (n: number, file: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: staged-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
${Array.from({ length: n }, (_, i) => `      - {name: s${i}, template: t}`).join('\n')}
  - name: t
    container: {image: busybox, command: [sh, -c, "echo + >> ${file}; sleep 0.01; echo - >> ${file}"]}
`;

describe('pods staged in the local executor (ADR 0011)', () => {
  it('own pods and queue jobs share the slots: never more steps at once than slots, and the queued pods run too', async () => {
    // This worker alone (an earlier one, sandboxed, would not see the file), with bound 3: most of
    // the fan goes through the queue, which this worker's consumer fetches.
    for (const h of hosts.splice(0)) await h.stop();
    const host = await startHost({ sandbox: 'none', selfRunBound: 3 });
    const events = new QueueEvents(QUEUE_NAMES.pods, { connection: redisConnection(TEST_REDIS_URL, { forWorker: true }), prefix });
    await events.waitUntilReady();
    const added: string[] = [];
    events.on('added', ({ jobId }) => added.push(jobId));
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-staged-')), 'steps.log');
    try {
      const id = await submit(fanWriting(24, file));
      expect(await waitForPhase(id)).toBe('Succeeded');
      let now = 0;
      let most = 0;
      for (const line of readFileSync(file, 'utf8').trim().split('\n')) most = Math.max(most, (now += line === '+' ? 1 : -1));
      expect(most).toBeLessThanOrEqual(2);
      const rows = await prisma.podExecution.findMany({ where: { workflowId: id }, select: { state: true } });
      expect(rows.filter((r) => r.state === 'Done')).toHaveLength(24);
      expect(added.length).toBeGreaterThan(0);
      expect(host.selfRunPods).toBe(0);
    } finally {
      await events.close();
      await events.disconnect();
    }
  });
});

describe('the resync and worker leases', () => {
  it("queues the pods a dead worker claimed, not a live worker's, nor those this worker still runs", async () => {
    const id = crypto.randomUUID();
    await prisma.workflow.create({ data: { id, namespace: 'default', name: `leases-${id.slice(0, 8)}`, phase: 'Running', manifest: {}, status: {}, runtime: {}, labels: {}, annotations: {}, version: 1 } });
    const leases = new WorkerLeases(prisma);
    await leases.renew('live-worker', 60_000);
    const held = new Set(['mine-running']);
    for (const [nodeId, worker] of [
      ['dead', 'dead-worker'],
      ['live', 'live-worker'],
      ['mine-running', 'me'],
      ['mine-lost', 'me'],
    ]) {
      await prisma.podExecution.create({ data: { workflowId: id, nodeId, podName: nodeId, state: 'Running', worker, attempts: 1, request: {} } });
    }
    // A queue of its own that no worker consumes: the jobs stay where the resync put them.
    const isolated = new SlipwayQueues(queues.connection, `${prefix}-resync`);
    const resync = new Resync({
      workflows: new WorkflowRepository(prisma),
      inbox: new WorkflowInbox(prisma),
      timers: new Timers(prisma),
      executions: new PodExecutions(prisma),
      leases,
      queues: isolated,
      state: new WorkflowStateStore(prisma),
      perform: () => Promise.resolve(),
      worker: 'me',
      holds: (workflowId, nodeId) => workflowId === id && held.has(nodeId),
    });
    await resync.run();
    const queued = async (nodeId: string) => (await isolated.pods.getJob(podJobId(id, nodeId))) !== undefined;
    expect(await queued('dead')).toBe(true);
    expect(await queued('mine-lost')).toBe(true);
    expect(await queued('live')).toBe(false);
    expect(await queued('mine-running')).toBe(false);
    // Once the live worker's lease is gone (it stopped or died), its pod is anyone's.
    await leases.release('live-worker');
    await resync.run();
    expect(await queued('live')).toBe(true);
    await isolated.pods.obliterate({ force: true });
    await isolated.close();
  });
});
