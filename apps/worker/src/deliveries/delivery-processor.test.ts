/**
 * The delivery job on a real PostgreSQL (the doorbell is a stub): a push starts one run with the
 * event parameters, labels and annotations; a second job is a no-op; a retry after a lost commit
 * adopts the run; deletions and unsafe branch names start nothing; a newer push stops the older
 * run of its concurrency group; the sweep queues deliveries that were never queued.
 */
import { randomUUID } from 'node:crypto';
import { createPrismaClient, DeliveryStore, EventBindingRepository, TemplateRepository, WebhookHookRepository, WorkflowInbox, WorkflowRepository, type PrismaClient } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';
import { hashSecret } from '@slipway/scm';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import type { WorkflowEventBinding, WorkflowTemplate } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryProcessor } from './delivery-processor.js';
import { DeliverySweeper } from './delivery-sweeper.js';

let db: TestDatabase;
let prisma: PrismaClient;
let processor: DeliveryProcessor;
const rung: string[] = [];
const accepted: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('worker_deliveries');
  prisma = createPrismaClient(db.url, 5);
  await new WebhookHookRepository(prisma).create({ provider: 'gitlab', name: 'shop-gitlab', namespace: 'shop', secretHash: hashSecret('s3cret-s3cret') });
  const template = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: 'build', namespace: 'shop' },
    spec: { entrypoint: 'main', arguments: { parameters: [{ name: 'branch' }, { name: 'revision' }] }, templates: [{ name: 'main', container: { image: 'alpine', command: ['true'] } }] },
  } as unknown as WorkflowTemplate;
  await new TemplateRepository(prisma).create('WorkflowTemplate', 'shop', 'build', { manifest: template });
  const binding = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowEventBinding',
    metadata: { name: 'shop-push', namespace: 'shop' },
    spec: {
      event: { selector: 'metadata["x-gitlab-event"] == ["Push Hook"]' },
      submit: {
        workflowTemplateRef: { name: 'build' },
        arguments: { parameters: [{ name: 'branch', valueFrom: { event: 'trimPrefix(payload.ref, "refs/heads/")' } }, { name: 'revision', valueFrom: { event: 'payload.checkout_sha' } }] },
      },
      slipway: { concurrency: { key: '{{payload.project.path_with_namespace}}/{{payload.ref}}', cancelInProgress: true }, alerts: { to: ['dev@example.com'] } },
    },
  } as unknown as WorkflowEventBinding;
  await new EventBindingRepository(prisma).create('shop', 'shop-push', binding);
  processor = new DeliveryProcessor({ db: prisma, ring: (id) => Promise.resolve(void rung.push(id)), accepted: (run) => void accepted.push(run.id) });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

let shaSeq = 0;
async function record(opts: { branch?: string; after?: string; receivedAt?: Date } = {}): Promise<{ id: string; sha: string }> {
  const sha = opts.after ?? (++shaSeq).toString(16).padStart(40, 'a');
  const body = {
    object_kind: 'push',
    ref: `refs/heads/${opts.branch ?? 'main'}`,
    before: '1'.repeat(40),
    after: sha,
    checkout_sha: /^0+$/.test(sha) ? null : sha,
    user_username: 'jdoe',
    project: { path_with_namespace: 'shop/orders', git_http_url: 'https://gitlab.example.com/shop/orders.git' },
    commits: [],
    total_commits_count: 0,
  };
  const hook = await new WebhookHookRepository(prisma).getByName('gitlab', 'shop-gitlab');
  const { id } = await new DeliveryStore(prisma).record({
    provider: 'gitlab',
    hookId: hook!.id,
    namespace: 'shop',
    deliveryKey: randomUUID(),
    eventType: 'Push Hook',
    kind: 'push',
    headers: { 'x-gitlab-event': 'Push Hook', 'content-type': 'application/json' },
    rawBody: JSON.stringify(body),
    receivedAt: opts.receivedAt ?? new Date(),
  });
  return { id, sha };
}

describe('delivery processor', () => {
  it('starts one run with the event parameters, labels and annotations; a second job is a no-op; a retry adopts', async () => {
    const { id, sha } = await record();
    const report = await processor.process(id);
    expect(report.status).toBe('processed');
    expect(report.outcome).toBe('started');
    expect(report.runs).toHaveLength(1);
    const run = report.runs[0];
    expect(rung).toContain(run.id);
    expect(accepted).toContain(run.id);
    const wf = (await new WorkflowRepository(prisma).getById(run.id))!;
    expect(wf.metadata.name).toMatch(/^build-[0-9a-f]{10}$/);
    expect(wf.spec.arguments?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'branch', value: 'main' }), expect.objectContaining({ name: 'revision', value: sha })]));
    expect(wf.metadata.labels).toMatchObject({ 'workflows.argoproj.io/workflow-event-binding': 'shop-push', 'slipway.dev/delivery': id });
    expect(wf.metadata.annotations).toMatchObject({
      'slipway.dev/alert-recipients': 'dev@example.com',
      'slipway.dev/repo': 'shop/orders',
      'slipway.dev/branch': 'main',
      'slipway.dev/commit': sha,
      'slipway.dev/pusher': 'jdoe',
      'slipway.dev/scm-provider': 'gitlab',
      'slipway.dev/status-name': 'slipway/build',
    });
    const stored = await new DeliveryStore(prisma).get(id);
    expect(stored).toMatchObject({ outcome: 'started', workflowIds: [run.id] });

    expect((await processor.process(id)).status).toBe('already-processed');
    // The commit of the outcome was lost (a crash after the submit): the retry adopts the run.
    await prisma.delivery.update({ where: { id }, data: { outcome: 'received', workflowIds: [] } });
    const retried = await processor.process(id);
    expect(retried.runs.map((r) => [r.id, r.created])).toEqual([[run.id, false]]);
    expect(await prisma.workflow.count({ where: { labels: { path: ['slipway.dev/delivery'], equals: id } } })).toBe(1);
  });

  it('a branch deletion and an unsafe branch name start nothing', async () => {
    const deletion = await record({ after: '0'.repeat(40) });
    const d = await processor.process(deletion.id);
    expect(d).toMatchObject({ outcome: 'skipped', runs: [] });
    const unsafe = await record({ branch: 'main;curl${IFS}x|sh' });
    const u = await processor.process(unsafe.id);
    expect(u.outcome).toBe('rejected');
    expect(u.reason).toContain('safe pattern');
    expect(u.runs).toEqual([]);
  });

  it('a newer push stops the older unfinished run of the same branch, and a late older push stops itself', async () => {
    const t0 = Date.now();
    const older = await record({ branch: 'release/2', receivedAt: new Date(t0 - 60_000) });
    const newer = await record({ branch: 'release/2', receivedAt: new Date(t0) });
    const first = await processor.process(newer.id);
    expect(first.stopped).toEqual([]);
    const late = await processor.process(older.id);
    expect(late.stopped).toEqual([late.runs[0].name]);
    const inbox = new WorkflowInbox(prisma);
    expect((await inbox.pending(late.runs[0].id)).map((e) => e.event.type)).toContain('Stop');
    expect((await inbox.pending(first.runs[0].id)).map((e) => e.event.type)).not.toContain('Stop');
  });

  it('deleting the branch stops its unfinished runs', async () => {
    const push = await record({ branch: 'feature/x' });
    const run = (await processor.process(push.id)).runs[0];
    const deletion = await record({ branch: 'feature/x', after: '0'.repeat(40) });
    const d = await processor.process(deletion.id);
    expect(d.outcome).toBe('skipped');
    expect(d.stopped).toEqual([run.name]);
    expect((await new WorkflowInbox(prisma).pending(run.id)).map((e) => e.event.type)).toContain('Stop');
  });

  it('the sweep queues deliveries that were never queued, once', async () => {
    const { id } = await record({ receivedAt: new Date(Date.now() - 60_000) });
    const queued: string[] = [];
    const queues = { queueDelivery: (d: string) => Promise.resolve(void queued.push(d)) } as unknown as SlipwayQueues;
    const sweeper = new DeliverySweeper(prisma, queues);
    await sweeper.sweep();
    expect(queued).toContain(id);
    queued.length = 0;
    await sweeper.sweep();
    expect(queued).not.toContain(id);
  });
});
