/** `WorkflowStateStore.save` with a failure alert: the alert row commits with the state or not at all. */
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import type { Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AlertOutbox, type NewAlert } from '../alerts/alert-outbox.js';
import { createPrismaClient, type PrismaClient } from '../prisma-client.js';
import { WorkflowWrites } from '../templates/workflow-writes.js';
import { WorkflowStateStore } from './workflow-state.js';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase('state_alert');
  prisma = createPrismaClient(db.url, 3);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

it('writes the alert with the state; a save that loses the version check writes neither; the first alert stays', async () => {
  const uid = randomUUID();
  const wf = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'wf', namespace: 'ci', uid },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine' } }] },
  } as unknown as Workflow;
  await new WorkflowWrites(prisma).createSubmitted(wf);
  const store = new WorkflowStateStore(prisma);
  const failed = { ...wf, status: { phase: 'Failed', message: 'boom', nodes: {} } } as unknown as Workflow;
  const alert = (subject: string): NewAlert => ({ workflowId: uid, namespace: 'ci', workflowName: 'wf', kind: 'failure', recipients: ['dev@acme.io'], subject, bodyText: 't', bodyHtml: '<p>h</p>', messageId: `<alert-${uid}@slipway>` });
  const save = (expectedVersion: number, subject: string) =>
    store.save({ id: uid, expectedVersion, workflow: failed, runtime: {}, changedNodeIds: [], consumedEventIds: [], alert: alert(subject), asyncCommit: true });
  const list = () => new AlertOutbox(prisma).list({ workflowId: uid });

  expect(await save(7, 'stale')).toBeUndefined();
  expect(await list()).toEqual([]);
  expect(await save(0, 'first')).toEqual({ actionIds: [], claimed: [] });
  expect(await list()).toMatchObject([{ subject: 'first', status: 'pending', recipients: ['dev@acme.io'] }]);
  expect(await save(1, 'second')).toEqual({ actionIds: [], claimed: [] });
  expect(await list()).toMatchObject([{ subject: 'first' }]);
  await expect(store.save({ id: uid, expectedVersion: 2, workflow: failed, runtime: {}, changedNodeIds: [], consumedEventIds: [], alert: { ...alert('x'), workflowId: randomUUID() } })).rejects.toThrow('the alert belongs to workflow');
});
