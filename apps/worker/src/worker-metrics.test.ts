/**
 * The worker's `GET /metrics` after real runs (PostgreSQL, Redis, the local executor, a real SMTP
 * server): alert e-mails counted by outcome, and Argo custom metrics from templates and the
 * workflow.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES, parseMetrics, sumOf, SlipwayMetrics, type Sample } from '@slipway/observability';
import { createPrismaClient, WorkflowInbox, WorkflowRepository, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, startSmtpSink, testRedisPrefix, TEST_REDIS_URL, type SmtpSink, type TestDatabase } from '@slipway/testing';
import { instantiateWorkflow, type Workflow } from '@slipway/workflow';
import { customMetricsChannel, WorkerHost } from './worker-host.js';

let db: TestDatabase;
let prisma: PrismaClient;
let host: WorkerHost;
let queues: SlipwayQueues;
let smtp: SmtpSink;
const prefix = testRedisPrefix('worker-metrics');

beforeAll(async () => {
  db = await createTestDatabase('worker_metrics');
  prisma = createPrismaClient(db.url);
  smtp = await startSmtpSink({ rejectRecipient: (a) => a.endsWith('@gone.example') });
  host = new WorkerHost({
    db: prisma,
    redisUrl: TEST_REDIS_URL,
    prefix,
    workdir: mkdtempSync(join(tmpdir(), 'slipway-worker-metrics-')),
    sandbox: 'none',
    podConcurrency: 4,
    resyncSeconds: 60,
    metricsPort: 0,
    metrics: new SlipwayMetrics({ component: 'worker', processMetrics: false }),
    webhooks: { smtpUrl: smtp.url, publicUrl: 'https://slipway.test' },
    log: () => {},
  });
  await host.start();
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
});

afterAll(async () => {
  await host?.stop();
  await queues?.close();
  queues?.connection.disconnect();
  await smtp?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

let seq = 0;
async function run(yamlText: string): Promise<Workflow> {
  const wf = instantiateWorkflow(parse(yamlText) as Workflow, { nameSuffix: `m${seq++}`, uid: crypto.randomUUID(), now: Date.now() });
  await new WorkflowRepository(prisma).create(wf);
  await queues.reconcileWorkflow(wf.metadata.uid!);
  const until = Date.now() + 20_000;
  for (;;) {
    const now = await new WorkflowRepository(prisma).getById(wf.metadata.uid!);
    if (['Succeeded', 'Failed', 'Error'].includes(now?.status?.phase ?? '')) return now!;
    if (Date.now() > until) throw new Error(`workflow still ${now?.status?.phase}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`http://127.0.0.1:${host.metricsPort}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, samples: parseMetrics(text) };
}

async function scrapeUntil(check: (samples: Sample[]) => boolean): Promise<{ text: string; samples: Sample[] }> {
  const until = Date.now() + 20_000;
  for (;;) {
    const got = await scrape();
    if (check(got.samples)) return got;
    if (Date.now() > until) throw new Error(`metrics never matched:\n${got.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const failing = (recipient: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: broken-
  annotations: {slipway.dev/alert-recipients: "${recipient}"}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "exit 1"]}
`;

describe('worker metrics', () => {
  it('counts alert e-mails the worker sends and fails to send by outcome', async () => {
    const alerts = (samples: Sample[], outcome: string) => sumOf(samples, METRIC_NAMES.alertEmails, { outcome, component: 'worker' });
    const before = await scrape();
    expect(alerts(before.samples, 'sent')).toBe(0);
    expect((await run(failing('dev@example.com'))).status?.phase).toBe('Failed');
    await smtp.waitFor(1);
    const sent = await scrapeUntil((s) => alerts(s, 'sent') === 1);
    expect(sent.text).toContain('slipway_alert_emails_total{outcome="sent",component="worker"} 1');
    expect(alerts(sent.samples, 'failed')).toBe(0);

    // A 550 for the only recipient: a permanent failure, counted once.
    expect((await run(failing('nobody@gone.example'))).status?.phase).toBe('Failed');
    const failed = await scrapeUntil((s) => alerts(s, 'failed') === 1);
    expect(alerts(failed.samples, 'sent')).toBe(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it('records Argo custom metrics of templates and the workflow under argo_workflows_, and reports invalid ones', async () => {
    const wf = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: measured-, labels: {team: shop}}
spec:
  entrypoint: main
  arguments: {parameters: [{name: env, value: staging}]}
  metrics:
    prometheus:
    - name: pipeline_runs
      help: Pipeline runs by status
      labels: [{key: status, value: "{{workflow.status}}"}, {key: team, value: "{{workflow.labels.team}}"}]
      counter: {value: "1"}
  templates:
  - name: main
    steps:
    - - {name: score, template: score, arguments: {parameters: [{name: model, value: m1}]}}
    - - {name: broken, template: broken}
  - name: score
    inputs: {parameters: [{name: model}]}
    outputs: {parameters: [{name: accuracy, valueFrom: {path: /tmp/acc}}]}
    container: {image: busybox, command: [sh, -c, "echo 0.93 > /tmp/acc"]}
    metrics:
      prometheus:
      - name: model_accuracy
        help: Accuracy of the trained model
        labels: [{key: model, value: "{{inputs.parameters.model}}"}, {key: env, value: "{{workflow.parameters.env}}"}]
        when: "{{status}} == Succeeded"
        gauge: {value: "{{outputs.parameters.accuracy}}"}
      - name: step_exit_codes
        help: Exit codes of the score step
        labels: [{key: code, value: "{{exitCode}}"}]
        counter: {value: "1"}
      - name: step_duration
        help: Duration of the score step
        histogram: {value: "{{duration}}", buckets: [1, 5, 30]}
      - name: only_on_failure
        help: Never emitted here
        when: "{{status}} == Failed"
        counter: {value: "1"}
  - name: broken
    container: {image: busybox, command: ["true"]}
    metrics:
      prometheus:
      - name: bad-name
        help: An invalid name
        counter: {value: "1"}
      - name: no_buckets
        help: A histogram without buckets
        histogram: {value: "{{duration}}"}
`);
    expect(wf.status?.phase).toBe('Succeeded');
    const { text, samples } = await scrapeUntil((s) => sumOf(s, 'argo_workflows_pipeline_runs') === 1);
    expect(text).toContain('# HELP argo_workflows_model_accuracy Accuracy of the trained model');
    expect(text).toContain('# TYPE argo_workflows_model_accuracy gauge');
    expect(text).toContain('argo_workflows_model_accuracy{model="m1",env="staging",component="worker"} 0.93');
    expect(text).toContain('argo_workflows_step_exit_codes{code="0",component="worker"} 1');
    expect(text).toContain('# TYPE argo_workflows_step_duration histogram');
    expect(sumOf(samples, 'argo_workflows_step_duration_count')).toBe(1);
    expect(samples.filter((s) => s.name === 'argo_workflows_step_duration_bucket').map((s) => s.labels.le)).toEqual(['1', '5', '30', '+Inf']);
    expect(text).toContain('argo_workflows_pipeline_runs{status="Succeeded",team="shop",component="worker"} 1');
    expect(text).not.toContain('only_on_failure');
    expect(text).not.toContain('no_buckets');
    expect(sumOf(samples, METRIC_NAMES.customMetricErrors)).toBe(2);
  });

  it("Argo's dag-custom-metrics example emits its task- and workflow-level metrics", async () => {
    const roots = [process.env.SLIPWAY_ARGO_EXAMPLES, resolve(import.meta.dirname, '../../../../shared/argo-examples'), resolve(process.cwd(), '../shared/argo-examples')];
    const root = roots.find((r) => r !== undefined && existsSync(join(r, 'examples/dag-custom-metrics.yaml')));
    if (!root) throw new Error(`Argo examples not found (looked in ${roots.join(', ')}); set SLIPWAY_ARGO_EXAMPLES`);
    const wf = await run(readFileSync(join(root, 'examples/dag-custom-metrics.yaml'), 'utf8'));
    expect(wf.status?.phase).toBe('Succeeded');
    const { text, samples } = await scrapeUntil((s) => sumOf(s, 'argo_workflows_playground_workflow_result_counter') === 1);
    for (const tag of ['TEST-ONE-A', 'TEST-ONE-B', 'TEST-TWO-A', 'TEST-TWO-B']) {
      expect(text).toContain(`argo_workflows_playground_workflow_result_task_counter{playground_task_name_counter="${tag}",status="Succeeded",component="worker"} 1`);
      expect(sumOf(samples, 'argo_workflows_playground_workflow_duration_task_seconds', { playground_task_name: tag, status: 'Succeeded' })).toBeGreaterThanOrEqual(0);
    }
    expect(samples.filter((s) => s.name === 'argo_workflows_playground_workflow_duration_task_seconds')).toHaveLength(4);
    expect(text).toContain('argo_workflows_playground_workflow_result_counter{playground_id_workflow_counter="test",status="Succeeded",component="worker"} 1');
    expect(samples.some((s) => s.name === 'argo_workflows_playground_workflow_duration' && s.labels.status === 'Succeeded')).toBe(true);
  });

  it('a realtime gauge is exported while its step runs and keeps its final duration after', async () => {
    const yamlText = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: live-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "sleep 2"]}
    metrics:
      prometheus:
      - name: step_live_seconds
        help: Seconds the step has been running
        labels: [{key: step, value: main}]
        gauge: {realtime: true, value: "{{duration}}"}
`;
    const wf = instantiateWorkflow(parse(yamlText) as Workflow, { nameSuffix: `m${seq++}`, uid: crypto.randomUUID(), now: Date.now() });
    await new WorkflowRepository(prisma).create(wf);
    await queues.reconcileWorkflow(wf.metadata.uid!);
    const live = await scrapeUntil((s) => s.some((x) => x.name === 'argo_workflows_step_live_seconds'));
    const during = await new WorkflowRepository(prisma).getById(wf.metadata.uid!);
    expect(during?.status?.phase).toBe('Running');
    expect(live.text).toContain('# TYPE argo_workflows_step_live_seconds gauge');
    const until = Date.now() + 20_000;
    let done = during!;
    while (!['Succeeded', 'Failed', 'Error'].includes(done.status?.phase ?? '') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      done = (await new WorkflowRepository(prisma).getById(wf.metadata.uid!))!;
    }
    expect(done.status?.phase).toBe('Succeeded');
    const node = Object.values(done.status!.nodes!)[0];
    const final = (Date.parse(node.finishedAt!) - Date.parse(node.startedAt!)) / 1000;
    const after = await scrapeUntil((s) => sumOf(s, 'argo_workflows_step_live_seconds', { step: 'main' }) === final);
    expect(after.samples.filter((x) => x.name === 'argo_workflows_step_live_seconds')).toHaveLength(1);
  });

  it("a realtime gauge ends when another worker announces its node's end", async () => {
    const wf = instantiateWorkflow(
      parse(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: elsewhere-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sleep, "600"]}
    metrics:
      prometheus:
      - name: other_live_seconds
        help: Seconds the step has been running
        gauge: {realtime: true, value: "{{duration}}"}
`) as Workflow,
      { nameSuffix: `m${seq++}`, uid: crypto.randomUUID(), now: Date.now() },
    );
    const id = wf.metadata.uid!;
    await new WorkflowRepository(prisma).create(wf);
    await queues.reconcileWorkflow(id);
    await scrapeUntil((s) => s.some((x) => x.name === 'argo_workflows_other_live_seconds'));
    const running = await new WorkflowRepository(prisma).getById(id);
    const node = Object.values(running!.status!.nodes!)[0];
    // What a worker that saved the node's end publishes.
    await queues.connection.publish(customMetricsChannel(prefix), JSON.stringify([`${id}/${node.id}`]));
    await scrapeUntil((s) => !s.some((x) => x.name === 'argo_workflows_other_live_seconds'));
    await new WorkflowInbox(prisma).append(id, { type: 'Terminate' });
    await queues.reconcileWorkflow(id);
    const until = Date.now() + 20_000;
    let phase = running?.status?.phase;
    while (!['Succeeded', 'Failed', 'Error'].includes(phase ?? '') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      phase = (await new WorkflowRepository(prisma).getById(id))?.status?.phase;
    }
    expect(phase).toBe('Failed');
  });
});
