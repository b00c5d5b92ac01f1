/**
 * The failure alert commits with the failed state (one statement): a worker killed right after the
 * save that failed the workflow — before any callback ran — leaves the alert row behind, and the
 * e-mail goes out exactly once however often the alert is reported, swept and dispatched
 * afterwards (a real SMTP server on 127.0.0.1).
 */
import { randomUUID } from 'node:crypto';
import type { Action } from '@slipway/engine';
import { AlertOutbox, createPrismaClient, WorkflowInbox, WorkflowRepository, WorkflowStateStore, WorkflowWrites, type PrismaClient } from '@slipway/persistence';
import { createTestDatabase, startSmtpSink, type SmtpSink, type TestDatabase } from '@slipway/testing';
import type { Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ReconcileService, type ActionSink } from '../reconcile/reconcile-service.js';
import { FailureAlerts } from './failure-alerts.js';

let db: TestDatabase;
let prisma: PrismaClient;
let smtp: SmtpSink;

beforeAll(async () => {
  db = await createTestDatabase('worker_alert_with_save');
  prisma = createPrismaClient(db.url, 5);
  smtp = await startSmtpSink();
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  await smtp?.close();
});

function failureAlerts(): FailureAlerts {
  return new FailureAlerts(prisma, { smtpUrl: smtp.url, publicUrl: 'https://slipway.test', flushLogs: () => Promise.resolve(), log: () => {} });
}

it('a crash right after the failing save keeps its alert; exactly one e-mail follows', async () => {
  const uid = randomUUID();
  const wf = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'build-fails', namespace: 'default', uid, annotations: { 'slipway.dev/alert-recipients': 'dev@example.com' } },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine', command: ['sh', '-c', 'exit 3'] } }] },
  } as unknown as Workflow;
  await new WorkflowWrites(prisma).createSubmitted(wf);

  const alerts = failureAlerts();
  const started: Action[] = [];
  let crash = false;
  const sink: ActionSink = {
    perform: (_id, actions) => Promise.resolve(void started.push(...actions)),
    saved: () => (crash ? Promise.reject(new Error('worker killed')) : Promise.resolve()),
    failureAlert: (w) => alerts.prepare(w),
  };
  const reconciler = new ReconcileService(new WorkflowStateStore(prisma), sink);
  expect(await reconciler.reconcile(uid)).toMatchObject({ status: 'advanced', phase: 'Running' });
  const pod = started.find((a) => a.type === 'StartPod');
  if (pod?.type !== 'StartPod') throw new Error('no StartPod');
  const now = Date.now();
  await new WorkflowInbox(prisma).append(uid, { type: 'PodFinished', result: { nodeId: pod.pod.nodeId, phase: 'Failed', exitCode: 3, message: 'Error (exit code 3)', outputParameters: {}, startedAt: now, finishedAt: now } });

  // The save that fails the workflow commits; the worker dies before anything after it runs.
  crash = true;
  await expect(reconciler.reconcile(uid)).rejects.toThrow('worker killed');
  expect((await new WorkflowRepository(prisma).getById(uid))?.status?.phase).toBe('Failed');
  const rows = await new AlertOutbox(prisma).list({ workflowId: uid });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ kind: 'failure', status: 'pending', recipients: ['dev@example.com'], workflowName: 'build-fails' });
  expect(rows[0].bodyText).toContain('exit code 3');

  // A restarted worker: reports, sweeps and dispatches, more than once.
  const after = failureAlerts();
  try {
    await after.saved(uid, { phase: 'Failed' });
    expect(await after.sweep()).toBe(0);
    await after.tick();
    await after.tick();
    await smtp.waitFor(1);
    await after.dispatcher.dispatch();
  } finally {
    after.close();
    alerts.close();
  }
  expect(await new AlertOutbox(prisma).list({ workflowId: uid })).toMatchObject([{ status: 'sent' }]);
  expect(smtp.messages.filter((m) => JSON.stringify(m).includes('build-fails'))).toHaveLength(1);
});

it('a workflow that fails without a prepared alert (preparing it failed) still gets one from the sweep, once', async () => {
  const uid = randomUUID();
  const wf = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'build-fails-2', namespace: 'default', uid, annotations: { 'slipway.dev/alert-recipients': 'dev@example.com' } },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine', command: ['false'] } }] },
  } as unknown as Workflow;
  await new WorkflowWrites(prisma).createSubmitted(wf);
  const started: Action[] = [];
  const logged: string[] = [];
  const sink: ActionSink = {
    perform: (_id, actions) => Promise.resolve(void started.push(...actions)),
    saved: () => Promise.resolve(),
    failureAlert: () => Promise.reject(new Error('log tail unavailable')),
  };
  const reconciler = new ReconcileService(new WorkflowStateStore(prisma), sink, Date.now, (m) => logged.push(m));
  await reconciler.reconcile(uid);
  const pod = started.find((a) => a.type === 'StartPod');
  if (pod?.type !== 'StartPod') throw new Error('no StartPod');
  await new WorkflowInbox(prisma).append(uid, { type: 'PodFinished', result: { nodeId: pod.pod.nodeId, phase: 'Failed', exitCode: 1, outputParameters: {}, startedAt: Date.now(), finishedAt: Date.now() } });
  expect(await reconciler.reconcile(uid)).toMatchObject({ phase: 'Failed' });
  expect(logged.join('\n')).toContain('failure alert not prepared (the alerts sweep writes it): log tail unavailable');
  expect(await new AlertOutbox(prisma).list({ workflowId: uid })).toHaveLength(0);
  const alerts = failureAlerts();
  try {
    expect(await alerts.sweep()).toBe(1);
    expect(await alerts.sweep()).toBe(0);
  } finally {
    alerts.close();
  }
  expect(await new AlertOutbox(prisma).list({ workflowId: uid })).toHaveLength(1);
});
