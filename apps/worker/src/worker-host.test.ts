/** The worker against the real PostgreSQL and Redis: submitted workflows run to the phase Argo gives. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, LogChunks, PodExecutions, WorkflowInbox, WorkflowRepository, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { instantiateWorkflow, type Workflow } from '@slipway/workflow';
import { WorkerHost } from './worker-host.js';

let db: TestDatabase;
let prisma: PrismaClient;
let host: WorkerHost;
let queues: SlipwayQueues;
const prefix = testRedisPrefix('worker');

beforeAll(async () => {
  db = await createTestDatabase('worker');
  prisma = createPrismaClient(db.url);
  host = new WorkerHost({ db: prisma, redisUrl: TEST_REDIS_URL, prefix, workdir: mkdtempSync(join(tmpdir(), 'slipway-worker-')), sandbox: 'auto', podConcurrency: 8, resyncSeconds: 60, log: () => {} });
  await host.start();
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
});

afterAll(async () => {
  await host?.stop();
  await queues?.close();
  queues?.connection.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
});

let seq = 0;
async function submit(yamlText: string): Promise<string> {
  const wf = instantiateWorkflow(parse(yamlText) as Workflow, { nameSuffix: `s${seq++}`, uid: crypto.randomUUID(), now: Date.now() });
  await new WorkflowRepository(prisma).create(wf);
  await queues.reconcileWorkflow(wf.metadata.uid!);
  return wf.metadata.uid!;
}

async function waitForPhase(id: string, timeoutMs = 20_000): Promise<Workflow> {
  const repo = new WorkflowRepository(prisma);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const wf = await repo.getById(id);
    const phase = wf?.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Error') return wf!;
    if (Date.now() > until) throw new Error(`workflow ${id} still ${phase} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const DAG = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: diamond-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo, arguments: {parameters: [{name: m, value: A}]}}
      - {name: B, template: echo, depends: A, arguments: {parameters: [{name: m, value: "{{tasks.A.outputs.result}}-B"}]}}
      - {name: C, template: echo, depends: A, arguments: {parameters: [{name: m, value: C}]}}
      - {name: D, template: echo, depends: B && C, arguments: {parameters: [{name: m, value: "{{tasks.B.outputs.result}}+D"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    script: {image: busybox, command: [sh], source: "echo {{inputs.parameters.m}}"}
`;

describe('worker', () => {
  it('runs a submitted DAG to Succeeded with one row per node, outputs passed along and logs stored', async () => {
    const id = await submit(DAG);
    const wf = await waitForPhase(id);
    expect(wf.status?.phase).toBe('Succeeded');
    const nodes = Object.values(wf.status!.nodes!);
    expect(nodes).toHaveLength(5);
    const d = nodes.find((n) => n.displayName === 'D')!;
    expect(d.outputs?.result).toBe('A-B+D');
    expect(await prisma.node.count({ where: { workflowId: id } })).toBe(5);
    const logs = await new LogChunks(prisma).read(id);
    expect(logs.map((l) => l.content).join('')).toContain('A-B+D');
    expect(await prisma.workflowEvent.count({ where: { workflowId: id } })).toBe(0);
  });

  it('a pod job run twice adopts the finished execution instead of running it again', async () => {
    const id = await submit(DAG);
    await waitForPhase(id);
    const executions = await prisma.podExecution.findMany({ where: { workflowId: id } });
    expect(executions.every((e) => e.state === 'Done' && e.attempts === 1)).toBe(true);
    const nodeId = executions[0].nodeId;
    await queues.pods.add('pod', { workflowId: id, nodeId }, { jobId: `again-${nodeId}` });
    await new Promise((r) => setTimeout(r, 500));
    const after = await new PodExecutions(prisma).get(id, nodeId);
    expect(after?.attempts).toBe(1);
    expect(await prisma.workflowEvent.count({ where: { workflowId: id } })).toBe(0);
  });

  it('stop through the inbox kills the running step and still runs the exit handler', async () => {
    const id = await submit(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: stop-}
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    container: {image: busybox, command: [sleep, "30"]}
  - name: bye
    container: {image: busybox, command: [echo, bye]}
`);
    const repo = new WorkflowRepository(prisma);
    for (let i = 0; i < 200; i++) {
      const wf = await repo.getById(id);
      if (Object.values(wf?.status?.nodes ?? {}).some((n) => n.phase === 'Running')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new WorkflowInbox(prisma).append(id, { type: 'Stop' });
    await queues.reconcileWorkflow(id);
    const wf = await waitForPhase(id);
    expect(wf.status?.phase).toBe('Failed');
    expect(wf.status?.message).toBe("Stopped with strategy 'Stop'");
    expect(Object.values(wf.status!.nodes!).find((n) => n.name.endsWith('.onExit'))?.phase).toBe('Succeeded');
  });

  it('timers are delayed jobs: a suspend with a duration resumes by itself', async () => {
    const id = await submit(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: delay-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: wait, template: wait}
    - - {name: after, template: ok}
  - name: wait
    suspend: {duration: "1s"}
  - name: ok
    container: {image: busybox, command: ["true"]}
`);
    const wf = await waitForPhase(id);
    expect(wf.status?.phase).toBe('Succeeded');
    expect(await prisma.timer.count({ where: { workflowId: id } })).toBe(0);
  });

  it('the resync picks up a submission whose doorbell was lost', async () => {
    const wf = instantiateWorkflow(parse(DAG) as Workflow, { nameSuffix: 'lost', uid: crypto.randomUUID(), now: Date.now() });
    await new WorkflowRepository(prisma).create(wf);
    const report = await host.resyncNow();
    expect(report.workflows).toBeGreaterThanOrEqual(1);
    expect((await waitForPhase(wf.metadata.uid!)).status?.phase).toBe('Succeeded');
  });
});
