/**
 * Crash test: 50 workflows running on two worker processes; both are killed with SIGKILL mid-run
 * and two fresh ones started. Every workflow must end with the phase it would have had, no node
 * that had completed runs again, and no accepted submission is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, WorkflowRepository, type PrismaClient } from '@slipway/persistence';
import { podJobId, redisConnection, SlipwayQueues } from '@slipway/queue';
import { instantiateWorkflow, type Workflow } from '@slipway/workflow';

const WORKER = resolve(import.meta.dirname, '../../apps/worker/dist/main.js');
const COUNT = 50;

let db: TestDatabase;
let prisma: PrismaClient;
let queues: SlipwayQueues;
const prefix = testRedisPrefix('crash');
const workdir = mkdtempSync(join(tmpdir(), 'slipway-crash-'));
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      SLIPWAY_REDIS_PREFIX: prefix,
      SLIPWAY_WORKDIR: workdir,
      SLIPWAY_RESYNC_SECONDS: '2',
      SLIPWAY_WORKER_CONCURRENCY: '12',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

const workflowYaml = (i: number) => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: crash-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: one, template: work, arguments: {parameters: [{name: t, value: "0.3"}]}}
    - - {name: two, template: work, arguments: {parameters: [{name: t, value: "1.5"}]}}
    - - {name: three, template: ${i % 5 === 0 ? 'fail' : 'work'}, arguments: {parameters: [{name: t, value: "0.2"}]}}
  - name: work
    inputs: {parameters: [{name: t}]}
    container: {image: busybox, command: [sh, -c, "sleep {{inputs.parameters.t}}; echo done"]}
  - name: fail
    inputs: {parameters: [{name: t}]}
    container: {image: busybox, command: [sh, -c, "sleep {{inputs.parameters.t}}; exit 3"]}
`;

beforeAll(async () => {
  db = await createTestDatabase('crash');
  prisma = createPrismaClient(db.url);
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await queues?.close();
  queues?.connection.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
});

describe('worker crash', () => {
  it('kill -9 mid-run loses nothing and re-runs no completed node', async () => {
    startWorker();
    startWorker();
    const repo = new WorkflowRepository(prisma);
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const wf = instantiateWorkflow(parse(workflowYaml(i)) as Workflow, { nameSuffix: `w${i}`, uid: crypto.randomUUID(), now: Date.now() });
      await repo.create(wf);
      ids.push(wf.metadata.uid!);
      await queues.reconcileWorkflow(wf.metadata.uid!);
    }
    // let the first steps finish and the second ones start
    for (let i = 0; i < 200; i++) {
      const done = await prisma.podExecution.count({ where: { state: 'Done' } });
      const running = await prisma.podExecution.count({ where: { state: 'Running' } });
      if (done >= COUNT / 2 && running > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const w of workers) w.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const doneBefore = await prisma.podExecution.findMany({ where: { state: 'Done' }, select: { workflowId: true, nodeId: true, attempts: true } });
    expect(doneBefore.length).toBeGreaterThan(0);
    const runningAtCrash = await prisma.podExecution.count({ where: { state: 'Running' } });
    expect(runningAtCrash).toBeGreaterThan(0);
    // Some of them the dead workers ran for themselves, without a pod job (ADR 0008): only their
    // expired leases let the new workers' resync queue them.
    const running = await prisma.podExecution.findMany({ where: { state: 'Running' }, select: { workflowId: true, nodeId: true } });
    const jobs = await Promise.all(running.map((r) => queues.pods.getJob(podJobId(r.workflowId, r.nodeId))));
    expect(jobs.some((j) => j === undefined)).toBe(true);

    startWorker();
    startWorker();
    const until = Date.now() + 90_000;
    for (;;) {
      const open = await prisma.workflow.count({ where: { id: { in: ids }, phase: { in: ['Pending', 'Running'] } } });
      if (open === 0) break;
      if (Date.now() > until) {
        const stuck = await prisma.workflow.findMany({ where: { id: { in: ids }, phase: { in: ['Pending', 'Running'] } }, select: { id: true } });
        const execs = await prisma.podExecution.findMany({ where: { workflowId: { in: stuck.map((s) => s.id) }, state: { not: 'Done' } } });
        const events = await prisma.workflowEvent.count({ where: { workflowId: { in: stuck.map((s) => s.id) } } });
        const jobs = await Promise.all(execs.map(async (e) => (await queues.pods.getJob(`pod.${e.workflowId}.${e.nodeId}`))?.getState()));
        throw new Error(`${open} workflows still unfinished 90 s after the restart; executions: ${JSON.stringify(execs.map((e, i) => [e.nodeId, e.state, e.attempts, jobs[i]]))}; inbox ${events}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const rows = await prisma.workflow.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, phase: true } });
    expect(rows).toHaveLength(COUNT);
    for (const row of rows) {
      const i = Number(/w(\d+)$/.exec(row.name)?.[1]);
      expect(`${row.name} ${row.phase}`).toBe(`${row.name} ${i % 5 === 0 ? 'Failed' : 'Succeeded'}`);
    }
    // a node whose pod had finished before the crash was never started again
    for (const before of doneBefore) {
      const after = await prisma.podExecution.findUnique({ where: { workflowId_nodeId: { workflowId: before.workflowId, nodeId: before.nodeId } } });
      expect(after?.attempts).toBe(before.attempts);
    }
    // every node is in exactly one final state and every pod's result was applied once
    for (const id of ids) {
      const wf = await repo.getById(id);
      const pods = Object.values(wf!.status!.nodes!).filter((n) => n.type === 'Pod');
      expect(pods.every((n) => n.phase === 'Succeeded' || n.phase === 'Failed')).toBe(true);
    }
    expect(await prisma.workflowEvent.count()).toBe(0);
  }, 180_000);
});
