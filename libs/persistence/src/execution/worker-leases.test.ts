/**
 * Pods a worker claims in its own save (ADR 0008) and the leases that protect them, against the
 * real PostgreSQL: which unfinished executions the resync may queue.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodRequest } from '@slipway/engine';
import type { Workflow } from '@slipway/workflow';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, type PrismaClient } from '../prisma-client.js';
import { WorkflowStateStore } from '../workflows/workflow-state.js';
import { PodExecutions } from './pod-executions.js';
import { WorkerLeases } from './worker-leases.js';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('worker_leases');
  prisma = createPrismaClient(db.url, 4);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

async function workflow(): Promise<{ id: string; wf: Workflow }> {
  const id = randomUUID();
  const wf = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: `wf-${id.slice(0, 8)}`, namespace: 'default', uid: id }, spec: {}, status: { phase: 'Running', nodes: {} } } as unknown as Workflow;
  await prisma.workflow.create({ data: { id, namespace: 'default', name: wf.metadata.name!, phase: 'Running', manifest: {}, status: {}, runtime: {}, labels: {}, annotations: {}, version: 1 } });
  return { id, wf };
}

const pod = (nodeId: string): PodRequest => ({ nodeId, podName: nodeId }) as unknown as PodRequest;

describe('pods claimed in the save', () => {
  it('records the claimed pods Running for the worker (attempt 1) and the others Queued; an existing row is not claimed', async () => {
    const { id, wf } = await workflow();
    const store = new WorkflowStateStore(prisma);
    await prisma.podExecution.create({ data: { workflowId: id, nodeId: 'old', podName: 'old', state: 'Queued', request: {} } });
    const saved = await store.save({
      id,
      expectedVersion: 1,
      workflow: wf,
      runtime: {},
      changedNodeIds: [],
      consumedEventIds: [],
      pods: ['a', 'b', 'old'].map(pod),
      claim: { worker: 'w1', nodeIds: ['a', 'old'] },
    });
    expect(saved).toEqual({ actionIds: [], claimed: ['a'] });
    const rows = await prisma.podExecution.findMany({ where: { workflowId: id }, orderBy: { nodeId: 'asc' }, select: { nodeId: true, state: true, worker: true, attempts: true } });
    expect(rows).toEqual([
      { nodeId: 'a', state: 'Running', worker: 'w1', attempts: 1 },
      { nodeId: 'b', state: 'Queued', worker: null, attempts: 0 },
      { nodeId: 'old', state: 'Queued', worker: null, attempts: 0 },
    ]);
    // Handed back before it started: Queued again, its attempt taken back; a kill cancels only the worker's own claim.
    const pods = new PodExecutions(prisma);
    await pods.unclaim(id, ['a'], 'w2');
    expect((await pods.get(id, 'a'))?.state).toBe('Running');
    await pods.unclaim(id, ['a'], 'w1');
    expect(await pods.get(id, 'a')).toMatchObject({ state: 'Queued', attempts: 0 });
    await pods.claimRequest(id, 'b', 'w1');
    await pods.cancelClaimed(id, 'b', 'w2');
    expect((await pods.get(id, 'b'))?.state).toBe('Running');
    await pods.cancelClaimed(id, 'b', 'w1');
    expect((await pods.get(id, 'b'))?.state).toBe('Cancelled');
  });
});

describe('unfinished executions and worker leases', () => {
  it("lists Queued rows, a dead worker's Running rows and the caller's own, not a live worker's", async () => {
    const { id } = await workflow();
    const leases = new WorkerLeases(prisma);
    await leases.renew('live', 60_000);
    await leases.renew('expired', 1);
    await new Promise((r) => setTimeout(r, 20));
    const rows: [string, string, string | null][] = [
      ['queued', 'Queued', null],
      ['live', 'Running', 'live'],
      ['expired', 'Running', 'expired'],
      ['no-lease', 'Running', 'gone'],
      ['mine', 'Running', 'me'],
      ['done', 'Done', 'live'],
    ];
    for (const [nodeId, state, worker] of rows) await prisma.podExecution.create({ data: { workflowId: id, nodeId, podName: nodeId, state, worker, request: {} } });
    const listed = async (self?: string) =>
      (await new PodExecutions(prisma).unfinished({ self }))
        .filter((p) => p.workflowId === id)
        .map((p) => p.nodeId)
        .sort();
    expect(await listed('me')).toEqual(['expired', 'mine', 'no-lease', 'queued']);
    expect(await listed('live')).toEqual(['expired', 'live', 'mine', 'no-lease', 'queued']);
    expect(await leases.isLive('live')).toBe(true);
    expect(await leases.isLive('expired')).toBe(false);
    // A graceful stop ends the lease at once.
    await leases.release('live');
    expect(await listed('me')).toEqual(['expired', 'live', 'mine', 'no-lease', 'queued']);
    expect(await leases.prune(0)).toBeGreaterThanOrEqual(1);
    expect(await leases.isLive('expired')).toBe(false);
  });
});
