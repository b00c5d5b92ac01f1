/**
 * Harness for the push-to-deployed-tag tests: a fresh PostgreSQL database and Redis prefix, the
 * real API and a worker, a fake GitLab (commit statuses), a real SMTP sink, a bare app repo and a
 * bare GitOps repo served over smart HTTP, the java-compile-build-deploy templates and a
 * WorkflowEventBinding like the example's.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '@slipway/api';
import { loadConfig } from '@slipway/config';
import { createBareRepo, serveGitHttp, type BareRepo, type GitHttpServer } from '@slipway/gitops/testing';
import { createPrismaClient, EventBindingRepository, TemplateRepository, WebhookHookRepository, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { hashSecret } from '@slipway/scm';
import { createTestDatabase, startFakeScmServer, startSmtpSink, TEST_REDIS_URL, testRedisPrefix, type FakeScmServer, type SmtpSink, type TestDatabase } from '@slipway/testing';
import { parseYamlDocuments, type WorkflowEventBinding, type WorkflowTemplate } from '@slipway/workflow';
import { WorkerHost } from '@slipway/worker';
import type { Redis } from 'ioredis';

const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE = join(ROOT, 'examples/java-compile-build-deploy');
export const IMAGE = 'registry.example.com/team/demo';
export const HOOK_SECRET = 'gitlab-hook-secret-0123456789';
export const STATUS_NAME = 'slipway/java-compile-build-deploy';
export const PROJECT = 'shop/demo';
export const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ${IMAGE}
    newTag: initial
`;

function appFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(join(EXAMPLE, 'app'), p)] = readFileSync(p, 'utf8');
    }
  };
  walk(join(EXAMPLE, 'app'));
  return files;
}

export interface Harness {
  prisma: PrismaClient;
  base: string;
  app: BareRepo;
  gitops: BareRepo;
  scm: FakeScmServer;
  smtp: SmtpSink;
  worker: WorkerHost;
  queues: SlipwayQueues;
  config: ReturnType<typeof loadConfig>;
  close(): Promise<void>;
}

export async function startHarness(label: string, bindingExtras: { cancelInProgress?: boolean; redisUrl?: string } = {}): Promise<Harness> {
  const redisUrl = bindingExtras.redisUrl ?? TEST_REDIS_URL;
  const db: TestDatabase = await createTestDatabase(label);
  const prefix = testRedisPrefix(label);
  const dir = mkdtempSync(join(tmpdir(), `slipway-${label}-`));
  const app = createBareRepo(appFiles(), { name: 'app' });
  const gitops = createBareRepo({ 'apps/demo/kustomization.yaml': KUSTOMIZATION, 'apps/demo/deployment.yaml': 'kind: Deployment\n' }, { name: 'gitops' });
  const git: GitHttpServer = await serveGitHttp(resolve(gitops.path, '..'));
  const scm = await startFakeScmServer();
  const smtp = await startSmtpSink();
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: redisUrl, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_ADMIN_TOKEN: 'push-to-tag-admin-token-0123' });
  const prisma = createPrismaClient(db.url, 8);
  const queues = new SlipwayQueues(redisConnection(redisUrl), prefix);
  const subscriber: Redis = redisConnection(redisUrl, { forWorker: true });
  const api: INestApplication = await createApiApp({ config, prisma, queues, subscriber, logger: false });
  await api.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;

  const templates = new TemplateRepository(prisma);
  const file = join(EXAMPLE, 'workflow-templates.yaml');
  for (const d of parseYamlDocuments(readFileSync(file, 'utf8'), file).documents) {
    const t = d.object as unknown as WorkflowTemplate;
    await templates.create('WorkflowTemplate', 'default', t.metadata.name!, { manifest: t });
  }
  await new WebhookHookRepository(prisma).create({ provider: 'gitlab', name: 'shop-gitlab', namespace: 'default', secretHash: hashSecret(HOOK_SECRET) });
  const literal = (v: string) => ({ event: JSON.stringify(v) });
  const binding: WorkflowEventBinding = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowEventBinding',
    metadata: { name: 'demo-push', namespace: 'default' },
    spec: {
      event: { selector: `metadata["x-gitlab-event"] == ["Push Hook"] && payload.project.path_with_namespace == "${PROJECT}"` },
      submit: {
        workflowTemplateRef: { name: 'java-compile-build-deploy' },
        arguments: {
          parameters: [
            { name: 'repo', valueFrom: { event: 'payload.project.git_http_url' } },
            { name: 'branch', valueFrom: { event: 'trimPrefix(payload.ref, "refs/heads/")' } },
            { name: 'revision', valueFrom: { event: 'payload.checkout_sha' } },
            { name: 'gitops-repo', valueFrom: literal(`${git.url}/gitops.git`) },
            { name: 'gitops-file', valueFrom: literal('apps/demo/kustomization.yaml') },
          ],
        },
      },
      slipway: {
        hook: 'shop-gitlab',
        branches: ['main', 'release/*', 'broken'],
        concurrency: { key: '{{payload.project.path_with_namespace}}/{{payload.ref}}', cancelInProgress: bindingExtras.cancelInProgress ?? true },
        alerts: { to: ['team-demo@example.com'] },
        parameters: { repo: { safePattern: 'file:///[A-Za-z0-9._/-]+' }, 'gitops-repo': { safePattern: 'http://127\\.0\\.0\\.1:[0-9]+/gitops\\.git' } },
      },
    },
  } as unknown as WorkflowEventBinding;
  await new EventBindingRepository(prisma).create('default', 'demo-push', binding);
  // A tiny pipeline for load tests: pushes to shop/load run one echo step.
  const noop = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: 'noop', namespace: 'default' },
    spec: { entrypoint: 'main', arguments: { parameters: [{ name: 'revision' }] }, templates: [{ name: 'main', container: { image: 'alpine', command: ['sh', '-c', 'echo "built {{workflow.parameters.revision}}"'] } }] },
  } as unknown as WorkflowTemplate;
  await templates.create('WorkflowTemplate', 'default', 'noop', { manifest: noop });
  await new EventBindingRepository(prisma).create('default', 'load-push', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowEventBinding',
    metadata: { name: 'load-push', namespace: 'default' },
    spec: {
      event: { selector: 'payload.project.path_with_namespace == "shop/load"' },
      submit: { workflowTemplateRef: { name: 'noop' }, arguments: { parameters: [{ name: 'revision', valueFrom: { event: 'payload.checkout_sha' } }] } },
    },
  } as unknown as WorkflowEventBinding);

  const worker = new WorkerHost({
    db: prisma,
    redisUrl,
    prefix,
    workdir: join(dir, 'wd'),
    sandbox: 'auto',
    podConcurrency: 8,
    resyncSeconds: 60,
    cronSeconds: 0,
    log: () => {},
    webhooks: { publicUrl: 'https://slipway.test', gitlabUrl: scm.url, gitlabToken: 'glpat-test-token', smtpUrl: smtp.url, unqueuedAfterMs: 500 },
  });
  await worker.start();
  return {
    prisma,
    base,
    app,
    gitops,
    scm,
    smtp,
    worker,
    queues,
    config,
    async close() {
      await worker.stop();
      await api.close();
      await queues.close().catch(() => undefined);
      queues.connection.disconnect();
      subscriber.disconnect();
      await prisma.$disconnect();
      await db.drop();
      await scm.close();
      await smtp.close();
      await git.close();
      app.dispose();
      gitops.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GitLab Push Hook payload for `sha` on `branch` of the app repo. */
export function pushPayload(h: Pick<Harness, 'app'>, sha: string, branch = 'main', before = '0'.repeat(39) + '1', project_path = PROJECT): Record<string, unknown> {
  const template = JSON.parse(readFileSync(join(ROOT, 'libs/scm/src/testdata/gitlab-push.json'), 'utf8')) as Record<string, unknown>;
  const project = { ...(template.project as Record<string, unknown>), path_with_namespace: project_path, name: 'demo', git_http_url: h.app.url };
  return { ...template, ref: `refs/heads/${branch}`, before, after: sha, checkout_sha: sha, project, commits: [], total_commits_count: 1 };
}

export async function postPush(h: Pick<Harness, 'base'>, payload: unknown, secret = HOOK_SECRET): Promise<{ status: number; ms: number; body: { id?: string; duplicate?: boolean } }> {
  const started = Date.now();
  const res = await fetch(`${h.base}/api/v1/webhooks/gitlab`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret, 'x-gitlab-event-uuid': randomUUID() },
    body: JSON.stringify(payload),
  });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - started, body: text ? (JSON.parse(text) as { id?: string }) : {} };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
