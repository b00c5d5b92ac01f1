/**
 * Failure alerts on a real PostgreSQL: a Failed workflow gets exactly one alert row however often
 * it is reported; the sweep writes the row a crash left out; stopped runs and successes get none;
 * without SMTP the alert is stored, not dropped.
 */
import { randomUUID } from 'node:crypto';
import { AlertOutbox, createPrismaClient, WorkflowWrites, type PrismaClient } from '@slipway/persistence';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import type { Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureAlerts } from './failure-alerts.js';

let db: TestDatabase;
let prisma: PrismaClient;
let alerts: FailureAlerts;
let flushed = 0;

beforeAll(async () => {
  db = await createTestDatabase('worker_alerts');
  prisma = createPrismaClient(db.url, 5);
  alerts = new FailureAlerts(prisma, { publicUrl: 'https://slipway.test', flushLogs: () => Promise.resolve(void flushed++), log: () => {} });
});

afterAll(async () => {
  alerts?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

async function workflow(phase: string, shutdown?: 'Stop'): Promise<string> {
  const uid = randomUUID();
  const wf = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: `wf-${uid.slice(0, 8)}`, namespace: 'default', uid, annotations: { 'slipway.dev/alert-recipients': 'dev@example.com', 'slipway.dev/branch': 'main' } },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine' } }], ...(shutdown ? { shutdown } : {}) },
  } as unknown as Workflow;
  await new WorkflowWrites(prisma).createSubmitted(wf);
  const status = { phase, message: 'child failed', finishedAt: new Date().toISOString(), nodes: {} };
  await prisma.$executeRaw`UPDATE workflows SET phase = ${phase}, finished_at = now(), status = ${JSON.stringify(status)}::jsonb WHERE id = ${uid}::uuid`;
  return uid;
}

const rows = (id: string) => new AlertOutbox(prisma).list({ workflowId: id });

describe('failure alerts', () => {
  it('a Failed workflow gets exactly one alert, stored without SMTP', async () => {
    const id = await workflow('Failed');
    await Promise.all([alerts.saved(id, { phase: 'Failed' }), alerts.saved(id, { phase: 'Failed' })]);
    await alerts.enqueue(id);
    const list = await rows(id);
    expect(list).toHaveLength(1);
    expect(list[0].recipients).toEqual(['dev@example.com']);
    expect(flushed).toBeGreaterThan(0);
    await alerts.dispatcher.dispatch();
    expect((await rows(id))[0].status).toBe('stored');
  });

  it('the sweep writes the alert a crash left out; stopped runs and successes get none', async () => {
    const lost = await workflow('Error');
    const stopped = await workflow('Failed', 'Stop');
    const ok = await workflow('Succeeded');
    await alerts.saved(stopped, { phase: 'Failed' });
    await alerts.saved(ok, { phase: 'Succeeded' });
    expect(await alerts.sweep()).toBeGreaterThanOrEqual(1);
    expect(await rows(lost)).toHaveLength(1);
    expect(await rows(stopped)).toHaveLength(0);
    expect(await rows(ok)).toHaveLength(0);
    await alerts.sweep();
    expect(await rows(lost)).toHaveLength(1);
  });
});
