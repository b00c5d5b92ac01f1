/** Pod executions against the real PostgreSQL: claims, and a result stored with the workflow's head. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodRequest, PodResult } from '@slipway/engine';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, type PrismaClient } from '../prisma-client.js';
import { WorkflowInbox } from '../workflows/workflow-inbox.js';
import { WorkflowStateStore } from '../workflows/workflow-state.js';
import { PodExecutions } from './pod-executions.js';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('pod_executions');
  prisma = createPrismaClient(db.url, 4);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

async function workflowWithPod(nodeId: string): Promise<string> {
  const id = randomUUID();
  await prisma.workflow.create({ data: { id, namespace: 'default', name: `wf-${id.slice(0, 8)}`, phase: 'Running', manifest: {}, status: {}, runtime: {}, labels: {}, annotations: {}, version: 3 } });
  await prisma.podExecution.create({ data: { workflowId: id, nodeId, podName: nodeId, state: 'Queued', request: { nodeId, podName: nodeId } } });
  return id;
}

const result = (nodeId: string): PodResult => ({ nodeId, phase: 'Succeeded', startedAt: 1, finishedAt: 2 }) as unknown as PodResult;

describe('PodExecutions', () => {
  it('claims a queued execution and hands out its request; a finished one is not claimed again', async () => {
    const id = await workflowWithPod('n1');
    const pods = new PodExecutions(prisma);
    expect(await pods.claimRequest(id, 'n1', 'w1')).toEqual({ nodeId: 'n1', podName: 'n1' } as PodRequest);
    await pods.finishWithHead(id, result('n1'));
    expect(await pods.claimRequest(id, 'n1', 'w2')).toBeUndefined();
    expect((await pods.get(id, 'n1'))?.attempts).toBe(1);
  });

  it('finishWithHead returns the version and the whole pending inbox, the new events last, as head() reads it', async () => {
    const id = await workflowWithPod('n1');
    const pods = new PodExecutions(prisma);
    await new WorkflowInbox(prisma).append(id, { type: 'Stop' });
    await pods.claimRequest(id, 'n1', 'w1');
    const before = [{ type: 'PodStarted', nodeId: 'n1', at: 1 }] as const;
    const { done, head } = await pods.finishWithHead(id, result('n1'), [...before]);
    expect(done).toBe(true);
    expect(head?.version).toBe(3);
    expect(head?.events.map((e) => e.event.type)).toEqual(['Stop', 'PodStarted', 'PodFinished']);
    expect(head).toEqual(await new WorkflowStateStore(prisma).head(id));
    // A second result for the same execution writes nothing and has no head.
    expect(await pods.finishWithHead(id, result('n1'))).toEqual({ done: false });
    expect(await prisma.workflowEvent.count({ where: { workflowId: id } })).toBe(3);
  });

  it('finishManyWithHead stores several results in one statement, each workflow with its head, in order', async () => {
    const a = await workflowWithPod('n1');
    await prisma.podExecution.create({ data: { workflowId: a, nodeId: 'n2', podName: 'n2', state: 'Running', request: {} } });
    const b = await workflowWithPod('m1');
    const pods = new PodExecutions(prisma);
    await pods.finishWithHead(b, result('m1')); // already stored: nothing is written again
    await prisma.podExecution.create({ data: { workflowId: b, nodeId: 'm2', podName: 'm2', state: 'Queued', request: {} } });
    const started = { type: 'PodStarted', nodeId: 'n2', at: 1 } as const;
    const answers = await pods.finishManyWithHead([
      { workflowId: a, result: result('n1') },
      { workflowId: b, result: result('m1') },
      { workflowId: a, result: result('n2'), before: [started] },
      { workflowId: b, result: result('m2') },
    ]);
    expect(answers.map((x) => x.done)).toEqual([true, false, true, true]);
    const headA = await new WorkflowStateStore(prisma).head(a);
    expect(answers[0].head).toEqual(headA);
    expect(answers[2].head).toEqual(headA);
    expect(headA?.events.map((e) => e.event.type)).toEqual(['PodFinished', 'PodStarted', 'PodFinished']);
    expect(answers[1].head).toBeUndefined();
    expect(answers[3].head).toEqual(await new WorkflowStateStore(prisma).head(b));
    expect(answers[3].head?.events.map((e) => e.event.type)).toEqual(['PodFinished', 'PodFinished']);
    expect((await pods.get(a, 'n2'))?.state).toBe('Done');
  });
});
