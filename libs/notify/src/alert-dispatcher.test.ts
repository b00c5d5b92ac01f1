/**
 * Dispatching the alert outbox to a real SMTP server (smtp-server on 127.0.0.1), against the real
 * PostgreSQL: exactly one e-mail per workflow, retries with backoff, storing without SMTP_URL.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertOutbox, createPrismaClient, LogTails, type PrismaClient } from '@slipway/persistence';
import { createTestDatabase, startSmtpSink, type SmtpSink, type TestDatabase } from '@slipway/testing';
import { podName, type Workflow } from '@slipway/workflow';
import { AlertDispatcher } from './alert-dispatcher.js';
import { alertContextOf, prepareFailureAlert, workflowLink } from './alert-context.js';

let db: TestDatabase;
let prisma: PrismaClient;
let outbox: AlertOutbox;
let sink: SmtpSink;

beforeAll(async () => {
  db = await createTestDatabase('notify');
  prisma = createPrismaClient(db.url, 4);
  outbox = new AlertOutbox(prisma);
  sink = await startSmtpSink({ rejectRecipient: (a) => a.endsWith('@gone.example') });
});
afterAll(async () => {
  await sink?.close();
  await prisma?.$disconnect();
  await db?.drop();
});
beforeEach(async () => {
  await prisma.alert.deleteMany({});
  sink.messages.length = 0;
});

/** A Failed workflow whose `compile` step exited 1, as the worker has it when it saves the state. */
function failedWorkflow(recipients: string): Workflow {
  const uid = randomUUID();
  const name = `java-build-${uid.slice(0, 5)}`;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name,
      namespace: 'ci',
      uid,
      annotations: { 'slipway.dev/alert-recipients': recipients, 'slipway.dev/repo': 'acme/shop', 'slipway.dev/branch': 'main', 'slipway.dev/commit': '0a1b2c3', 'slipway.dev/pusher': 'jane' },
    },
    spec: { entrypoint: 'main' },
    status: {
      phase: 'Failed',
      message: "child 'compile' failed",
      nodes: {
        [name]: { id: name, name, displayName: name, type: 'Steps', phase: 'Failed', children: [`${name}-1`] },
        [`${name}-1`]: { id: `${name}-1`, name: `${name}[0].compile`, displayName: 'compile', type: 'Pod', templateName: 'compile', phase: 'Failed', message: 'Error (exit code 1)', outputs: { exitCode: '1' } },
      },
    },
  };
}

/** The alert row the worker would enqueue, with the log tail read from log_chunks. */
async function alertFor(workflow: Workflow) {
  const uid = workflow.metadata.uid!;
  const pod = podName(workflow.metadata.name!, `${workflow.metadata.name}[0].compile`, 'compile');
  const lines = [...Array.from({ length: 40 }, (_, i) => `[javac] compiling ${i}`), 'Main.java:3: error: cannot find symbol'];
  await prisma.logChunk.createMany({ data: lines.map((l) => ({ workflowId: uid, podName: pod, container: 'main', content: `${l}\n` })) });
  const tails = new LogTails(prisma);
  const context = alertContextOf(workflow);
  return prepareFailureAlert({
    ...context,
    workflow,
    link: workflowLink('http://slipway.test:2746', 'ci', workflow.metadata.name!),
    logTail: (podName, ref) => tails.tail(uid, podName, { container: ref.container, lines: ref.lines }),
  });
}

function capture(): { lines: string[]; log: (m: string) => void } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(m) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('AlertDispatcher', () => {
  it('sends exactly one e-mail per failed workflow with its Message-ID, failed step and log tail', async () => {
    const workflow = failedWorkflow('dev@acme.io, Ops <ops@acme.io>');
    const row = await alertFor(workflow);
    expect((await outbox.enqueue(row)).created).toBe(true);
    expect((await outbox.enqueue(row)).created).toBe(false);
    const { lines, log } = capture();
    const dispatcher = new AlertDispatcher({ outbox, smtpUrl: sink.url, from: 'Slipway <ci@acme.io>', log });
    try {
      expect(await dispatcher.dispatch()).toEqual({ sent: 1, retrying: 0, failed: 0, stored: 0, errors: [] });
      expect((await dispatcher.dispatch()).sent).toBe(0);
    } finally {
      dispatcher.close();
    }
    await sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages).toHaveLength(1);
    const [mail] = sink.messages;
    const uid = workflow.metadata.uid!;
    expect(mail.to.sort()).toEqual(['dev@acme.io', 'ops@acme.io']);
    expect(mail.from).toBe('ci@acme.io');
    expect(mail.parsed.messageId).toBe(`<alert-${uid}@slipway>`);
    expect(mail.parsed.subject).toBe(`[Slipway] Failed: ci/${workflow.metadata.name} (acme/shop, main)`);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.parsed.headers.get('x-slipway-workflow-uid')).toBe(uid);
    for (const body of [mail.parsed.text ?? '', mail.parsed.html || '']) {
      expect(body).toContain('compile — Failed (exit code 1)');
      expect(body).toContain('Main.java:3: error: cannot find symbol');
      expect(body).toContain('[javac] compiling 39');
      expect(body).not.toContain('[javac] compiling 10');
      expect(body).toContain(`http://slipway.test:2746/workflows/ci/${workflow.metadata.name}`);
    }
    expect(mail.parsed.text).toContain('Pushed by:  jane');
    const stored = await outbox.list({ workflowId: uid });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(stored[0].sentAt).toBeInstanceOf(Date);
    expect(lines.some((l) => l.includes('sent to dev@acme.io, Ops <ops@acme.io>'))).toBe(true);
  });

  it('two dispatchers (two workers) racing send each alert once', async () => {
    const workflows = Array.from({ length: 6 }, () => failedWorkflow('dev@acme.io'));
    for (const wf of workflows) await outbox.enqueue(await alertFor(wf));
    const quiet = () => {};
    const a = new AlertDispatcher({ outbox, smtpUrl: sink.url, batchSize: 2, log: quiet });
    const b = new AlertDispatcher({ outbox, smtpUrl: sink.url, batchSize: 2, log: quiet });
    try {
      const reports = await Promise.all([a.dispatch(), b.dispatch(), a.dispatch(), b.dispatch()]);
      expect(reports.reduce((n, r) => n + r.sent, 0)).toBeGreaterThanOrEqual(6);
    } finally {
      a.close();
      b.close();
    }
    await sink.waitFor(6);
    await new Promise((r) => setTimeout(r, 200));
    const ids = sink.messages.map((m) => m.parsed.messageId).sort();
    expect(ids).toEqual(workflows.map((w) => `<alert-${w.metadata.uid}@slipway>`).sort());
    expect((await outbox.list({ status: 'sent' })).length).toBe(6);
  });

  it('retries an unreachable SMTP server with backoff, then marks the alert failed with the error', async () => {
    const workflow = failedWorkflow('dev@acme.io');
    const { id } = await outbox.enqueue(await alertFor(workflow));
    let now = Date.now() + 1000;
    const { lines, log } = capture();
    const dispatcher = new AlertDispatcher({
      outbox,
      smtpUrl: `smtp://127.0.0.1:${await freePort()}`,
      maxAttempts: 3,
      backoff: { initialMs: 10_000, factor: 3 },
      clock: () => new Date(now),
      log,
    });
    try {
      expect(await dispatcher.dispatch()).toMatchObject({ sent: 0, retrying: 1, failed: 0 });
      let row = await outbox.get(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row!.lastError).toMatch(/ECONNREFUSED/);
      expect(row!.nextAttemptAt.getTime()).toBe(now + 10_000);

      now += 5_000; // not due yet
      expect(await dispatcher.dispatch()).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
      now += 5_000;
      expect(await dispatcher.dispatch()).toMatchObject({ retrying: 1 });
      row = await outbox.get(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 2 });
      expect(row!.nextAttemptAt.getTime()).toBe(now + 30_000);

      now += 30_000;
      expect(await dispatcher.dispatch()).toMatchObject({ retrying: 0, failed: 1, errors: [] });
      row = await outbox.get(id);
      expect(row).toMatchObject({ status: 'failed', attempts: 3, sentAt: null });
      expect(row!.lastError).toMatch(/ECONNREFUSED/);
      now += 3_600_000;
      expect(await dispatcher.dispatch()).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    } finally {
      dispatcher.close();
    }
    expect(lines.filter((l) => l.includes('retrying at'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('failed for good after 3 attempt(s)'))).toBe(true);
    expect(sink.messages).toHaveLength(0);
  });

  it('does not retry a permanent SMTP refusal (5xx)', async () => {
    const { id } = await outbox.enqueue(await alertFor(failedWorkflow('someone@gone.example')));
    const dispatcher = new AlertDispatcher({ outbox, smtpUrl: sink.url, log: () => {} });
    try {
      expect(await dispatcher.dispatch()).toMatchObject({ failed: 1, retrying: 0 });
    } finally {
      dispatcher.close();
    }
    const row = await outbox.get(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toMatch(/550/);
  });

  it('without SMTP_URL stores and logs alerts instead of dropping them', async () => {
    const workflow = failedWorkflow('dev@acme.io');
    const { id } = await outbox.enqueue(await alertFor(workflow));
    const { lines, log } = capture();
    const dispatcher = new AlertDispatcher({ outbox, smtpUrl: undefined, log });
    expect(dispatcher.sending).toBe(false);
    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retrying: 0, failed: 0, stored: 1, errors: [] });
    expect(await outbox.get(id)).toMatchObject({ status: 'stored', attempts: 0, lastError: 'SMTP_URL is not set: stored, not sent' });
    const listed = await outbox.list({ namespace: 'ci', status: 'stored' });
    expect(listed.map((a) => a.id)).toEqual([id]);
    expect(listed[0].bodyText).toContain('Main.java:3: error: cannot find symbol');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('stored, not sent, because SMTP_URL is not set');
    expect(lines[0]).toContain(`[Slipway] Failed: ci/${workflow.metadata.name}`);
    expect(sink.messages).toHaveLength(0);
  });

  it('stores an alert that has no recipients, and reports a broken database instead of throwing', async () => {
    const { id } = await outbox.enqueue(await alertFor(failedWorkflow('')));
    const { lines, log } = capture();
    const dispatcher = new AlertDispatcher({ outbox, smtpUrl: sink.url, log });
    try {
      expect(await dispatcher.dispatch()).toMatchObject({ stored: 1, sent: 0 });
    } finally {
      dispatcher.close();
    }
    expect(await outbox.get(id)).toMatchObject({ status: 'stored', lastError: 'no recipients: stored, not sent' });
    expect(lines[0]).toContain('because it has no recipients');

    const unreachable = createPrismaClient('postgresql://postgres@127.0.0.1:1/nowhere', 1);
    const broken = new AlertDispatcher({ outbox: new AlertOutbox(unreachable), smtpUrl: sink.url, log: () => {} });
    try {
      const report = await broken.dispatch();
      expect(report.errors).toHaveLength(1);
    } finally {
      broken.close();
      await unreachable.$disconnect();
    }
  });
});
