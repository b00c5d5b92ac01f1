/**
 * The worker with the Kubernetes executor, against the real PostgreSQL and Redis and the fake
 * Kubernetes API server: submitted workflows become pods there (with the workflow's pod fields and
 * volumeClaimTemplates), the test moves the pods to their end, podGC deletes them, and a restarted
 * worker re-adopts a running pod instead of creating a second one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesExecutor } from '@slipway/executors';
import { createPrismaClient, LogChunks, WorkflowInbox, WorkflowRepository, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, startFakeKubeServer, testRedisPrefix, TEST_REDIS_URL, type FakeKubeServer, type KubeObject, type TestDatabase } from '@slipway/testing';
import { instantiateWorkflow, type Workflow } from '@slipway/workflow';
import { WorkerHost } from './worker-host.js';

let db: TestDatabase;
let prisma: PrismaClient;
let kube: FakeKubeServer;
const hosts: WorkerHost[] = [];
const queues: SlipwayQueues[] = [];
const NS = 'ci';

beforeAll(async () => {
  db = await createTestDatabase('worker_kube');
  prisma = createPrismaClient(db.url);
  kube = await startFakeKubeServer();
  // The worker finds the cluster the standard way: $KUBECONFIG.
  const dir = mkdtempSync(join(tmpdir(), 'slipway-kube-'));
  writeFileSync(
    join(dir, 'config'),
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "${kube.url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: slipway, user: {token: test-token}}]',
      `contexts: [{name: fake, context: {cluster: fake, user: slipway, namespace: ${NS}}}]`,
      'current-context: fake',
    ].join('\n'),
  );
  process.env.KUBECONFIG = join(dir, 'config');
});

// One worker (and so one resync, which looks at every workflow of the database) at a time.
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
});

afterAll(async () => {
  for (const q of queues) {
    await q.close();
    q.connection.disconnect();
  }
  await kube?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

async function startHost(prefix: string): Promise<WorkerHost> {
  const host = new WorkerHost({
    db: prisma,
    redisUrl: TEST_REDIS_URL,
    prefix,
    workdir: mkdtempSync(join(tmpdir(), 'slipway-worker-kube-')),
    sandbox: 'none',
    podConcurrency: 8,
    resyncSeconds: 60,
    executor: 'kubernetes',
    kubernetes: { kubeConfig: KubernetesExecutor.defaultConfig(), rewatchDelayMs: 10, helperImage: 'slipway/helper:test' },
    log: () => {},
  });
  await host.start();
  hosts.push(host);
  return host;
}

function queuesFor(prefix: string): SlipwayQueues {
  const q = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
  queues.push(q);
  return q;
}

let seq = 0;
async function submit(q: SlipwayQueues, yamlText: string): Promise<Workflow> {
  const parsed = parse(yamlText) as Workflow;
  parsed.metadata.namespace = NS;
  const wf = instantiateWorkflow(parsed, { nameSuffix: `k${seq++}`, uid: crypto.randomUUID(), now: Date.now() });
  await new WorkflowRepository(prisma).create(wf);
  await q.reconcileWorkflow(wf.metadata.uid!);
  return wf;
}

async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const finished = (id: string) =>
  eventually(`workflow ${id} to finish`, async () => {
    const wf = await new WorkflowRepository(prisma).getById(id);
    return ['Succeeded', 'Failed', 'Error'].includes(wf?.status?.phase ?? '') ? wf : undefined;
  });

/** The pod the worker created for the step whose node name ends with `.<step>`. */
const podOf = (step: string) =>
  eventually(`the pod of ${step}`, () => {
    const post = kube.requests.find((r) => r.method === 'POST' && r.path === `/api/v1/namespaces/${NS}/pods` && r.answered === 201 && (r.body as KubeObject).metadata.annotations && String(((r.body as KubeObject).metadata.annotations as Record<string, string>)['workflows.argoproj.io/node-name']).endsWith(`.${step}`));
    return post ? (post.body as KubeObject) : undefined;
  });

/** The pod of a workflow's only step (its node name is the workflow's). */
const podOfWorkflow = (workflowName: string) =>
  eventually(`the pod of ${workflowName}`, () => {
    const post = kube.requests.find((r) => r.method === 'POST' && r.answered === 201 && (r.body as KubeObject | undefined)?.metadata?.labels?.['workflows.argoproj.io/workflow'] === workflowName);
    return post ? (post.body as KubeObject) : undefined;
  });

/** A watch on the workflow's pods opened (at or after request index `since`): changes from now on reach the worker. */
const watching = (workflowName: string, since = 0) =>
  eventually(`a watch of ${workflowName}`, () =>
    kube.requests.slice(since).some((r) => r.query.watch === 'true' && r.answered === 200 && r.query.labelSelector === `workflows.argoproj.io/workflow=${workflowName}`) ? true : undefined,
  );

const started = { startedAt: '2026-01-01T00:00:01Z' };
function runPod(name: string): void {
  kube.setPodStatus(NS, name, { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, state: { running: started } }] });
}
function endPod(name: string, exitCode: number): void {
  kube.endLog(NS, name, 'main');
  const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...started, finishedAt: '2026-01-01T00:00:02Z' };
  kube.setPodStatus(NS, name, { phase: exitCode === 0 ? 'Succeeded' : 'Failed', containerStatuses: [{ name: 'main', ready: false, state: { terminated } }] });
}

const PIPELINE = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: kube-}
spec:
  entrypoint: main
  serviceAccountName: runner
  imagePullSecrets: [{name: registry}]
  nodeSelector: {pool: ci}
  tolerations: [{key: ci, operator: Exists, effect: NoSchedule}]
  securityContext: {runAsNonRoot: true}
  podMetadata: {labels: {team: shop}}
  podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"cpu":"500m"}}}]}'
  podGC: {strategy: OnPodCompletion}
  volumeClaimTemplates:
  - metadata: {name: work}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  templates:
  - name: main
    steps:
    - - {name: build, template: build}
    - - {name: test, template: test}
  - name: build
    container: {image: alpine:3.20, command: [sh, -c, 'echo built > /work/out'], volumeMounts: [{name: work, mountPath: /work}]}
  - name: test
    container: {image: alpine:3.20, command: [sh, -c, 'exit 3'], volumeMounts: [{name: work, mountPath: /work}]}
`;

describe('worker with the Kubernetes executor', () => {
  const prefix = testRedisPrefix('worker-kube');

  it('runs the steps as pods with the workflow pod fields, ends Failed, and podGC deletes the pods', async () => {
    await startHost(prefix);
    const wf = await submit(queuesFor(prefix), PIPELINE);
    const build = await podOf('build');
    await watching(wf.metadata.name!);
    const name = build.metadata.name;
    expect(build.metadata.labels).toMatchObject({ team: 'shop', 'workflows.argoproj.io/workflow': wf.metadata.name });
    const spec = build.spec as Record<string, unknown>;
    expect(spec).toMatchObject({
      serviceAccountName: 'runner',
      imagePullSecrets: [{ name: 'registry' }],
      nodeSelector: { pool: 'ci' },
      tolerations: [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }],
      securityContext: { runAsNonRoot: true },
      volumes: [{ name: 'work', persistentVolumeClaim: { claimName: `${wf.metadata.name}-work` } }],
    });
    expect((spec.containers as { resources?: unknown }[])[0].resources).toEqual({ limits: { cpu: '500m' } });
    expect(kube.get('persistentvolumeclaims', NS, `${wf.metadata.name}-work`)?.spec).toMatchObject({ resources: { requests: { storage: '1Gi' } } });

    runPod(name);
    await eventually('the log stream', () => (kube.requests.some((r) => r.path === `/api/v1/namespaces/${NS}/pods/${name}/log` && r.query.follow === 'true') ? true : undefined));
    kube.appendLog(NS, name, 'main', 'compiled 42 files\n');
    endPod(name, 0);
    const test = await podOf('test');
    runPod(test.metadata.name);
    endPod(test.metadata.name, 3);

    const done = await finished(wf.metadata.uid!);
    expect(done.status?.phase).toBe('Failed');
    const nodes = Object.values(done.status!.nodes!);
    expect(nodes.find((n) => n.displayName === 'build')?.phase).toBe('Succeeded');
    expect(nodes.find((n) => n.displayName === 'test')).toMatchObject({ phase: 'Failed', message: 'main: Error (exit code 3)' });
    // OnPodCompletion: both pods are deleted once done; the workflow's PVC when the workflow ends.
    await eventually('podGC', () => (kube.get('pods', NS, name) === undefined && kube.get('pods', NS, test.metadata.name) === undefined ? true : undefined));
    const deletes = kube.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/pods/')).map((r) => r.path.split('/').at(-1));
    expect(deletes).toEqual(expect.arrayContaining([name, test.metadata.name]));
    await eventually('the PVC deletion', () => (kube.get('persistentvolumeclaims', NS, `${wf.metadata.name}-work`) === undefined ? true : undefined));
    // The step's log was streamed into PostgreSQL before podGC deleted the pod.
    const logs = await new LogChunks(prisma).read(wf.metadata.uid!);
    expect(logs.filter((l) => l.podName === name).map((l) => l.content).join('')).toContain('compiled 42 files');
  });

  it('a workflow labelled workflows.slipway.dev/executor: local runs on this machine; a bad value fails naming the field', async () => {
    await startHost(prefix);
    const q = queuesFor(prefix);
    const local = await submit(
      q,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: here-, labels: {workflows.slipway.dev/executor: local}}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, local]}
`,
    );
    expect((await finished(local.metadata.uid!)).status?.phase).toBe('Succeeded');
    expect(kube.requests.some((r) => r.method === 'POST' && (r.body as KubeObject | undefined)?.metadata?.labels?.['workflows.argoproj.io/workflow'] === local.metadata.name)).toBe(false);

    const bad = await submit(
      q,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: bad-, annotations: {workflows.slipway.dev/executor: docker}}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, nope]}
`,
    );
    const failed = await finished(bad.metadata.uid!);
    expect(failed.status?.phase).toBe('Error');
    const pod = Object.values(failed.status!.nodes!).find((n) => n.type === 'Pod');
    expect(pod?.message).toBe('metadata.annotations["workflows.slipway.dev/executor"]: "docker" is not an executor (use local or kubernetes)');
  });
});

describe('stopping a workflow on the Kubernetes executor', () => {
  it('deletes the running pod (with the grace period) and the workflow ends Failed', async () => {
    const prefix = testRedisPrefix('worker-kube-stop');
    await startHost(prefix);
    const q = queuesFor(prefix);
    const wf = await submit(
      q,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: stop-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine:3.20, command: [sleep, "600"]}
`,
    );
    const pod = await podOfWorkflow(wf.metadata.name!);
    await watching(wf.metadata.name!);
    runPod(pod.metadata.name);
    await eventually('the node to run', async () => {
      const now = await new WorkflowRepository(prisma).getById(wf.metadata.uid!);
      return Object.values(now?.status?.nodes ?? {}).some((n) => n.type === 'Pod' && n.phase === 'Running') ? true : undefined;
    });
    await new WorkflowInbox(prisma).append(wf.metadata.uid!, { type: 'Stop' });
    await q.reconcileWorkflow(wf.metadata.uid!);
    const done = await finished(wf.metadata.uid!);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.message).toBe("Stopped with strategy 'Stop'");
    // The kill is an action of the same reconcile that ends the node: it may reach the API server
    // just after the workflow's final state is saved.
    const deletion = await eventually('the pod deletion', () =>
      kube.requests.find((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`),
    );
    expect(deletion.query.gracePeriodSeconds).toBe('30');
    await eventually('the pod to be gone', () => (kube.get('pods', NS, pod.metadata.name) === undefined ? true : undefined));
  });
});

describe('worker restart with the Kubernetes executor', () => {
  it('a restarted worker re-adopts the running pod instead of creating a second one', async () => {
    const prefix = testRedisPrefix('worker-kube-restart');
    const first = await startHost(prefix);
    const wf = await submit(
      queuesFor(prefix),
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: adopt-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine:3.20, command: [sleep, "60"]}
`,
    );
    const pod = await podOfWorkflow(wf.metadata.name!);
    await watching(wf.metadata.name!);
    const name = pod.metadata.name;
    runPod(name);
    await eventually('the node to run', async () => {
      const now = await new WorkflowRepository(prisma).getById(wf.metadata.uid!);
      return Object.values(now?.status?.nodes ?? {}).some((n) => n.type === 'Pod' && n.phase === 'Running') ? true : undefined;
    });
    await first.stop();
    hosts.splice(hosts.indexOf(first), 1);
    expect(kube.get('pods', NS, name)).toBeDefined();

    const since = kube.requests.length;
    const second = await startHost(prefix);
    await second.resyncNow();
    const creates = await eventually('the second worker to adopt the pod', () => {
      const posts = kube.requests.filter((r) => r.method === 'POST' && (r.body as KubeObject | undefined)?.metadata?.name === name);
      return posts.length >= 2 ? posts : undefined;
    });
    expect(creates.map((r) => r.answered)).toEqual([201, 409]);
    await watching(wf.metadata.name!, since);
    endPod(name, 0);
    const done = await finished(wf.metadata.uid!);
    expect(done.status?.phase).toBe('Succeeded');
    expect(kube.requests.filter((r) => r.method === 'POST' && (r.body as KubeObject | undefined)?.metadata?.name === name)).toHaveLength(2);
  });

  it("a worker that never ran the workflow's pods still deletes its PVCs when it completes it", async () => {
    const prefix = testRedisPrefix('worker-kube-claims');
    const first = await startHost(prefix);
    const q = queuesFor(prefix);
    const wf = await submit(
      q,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: claims-}
spec:
  entrypoint: main
  volumeClaimTemplates:
  - metadata: {name: cache}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  templates:
  - name: main
    steps:
    - - {name: fill, template: fill}
    - - {name: approve, template: approve}
  - name: fill
    container: {image: alpine:3.20, command: [sh, -c, 'echo x > /cache/x'], volumeMounts: [{name: cache, mountPath: /cache}]}
  - name: approve
    suspend: {}
`,
    );
    const claim = `${wf.metadata.name}-cache`;
    const fill = await podOf('fill');
    await watching(wf.metadata.name!);
    expect(kube.get('persistentvolumeclaims', NS, claim)).toBeDefined();
    runPod(fill.metadata.name);
    endPod(fill.metadata.name, 0);
    await eventually('the suspend step', async () => {
      const now = await new WorkflowRepository(prisma).getById(wf.metadata.uid!);
      return Object.values(now?.status?.nodes ?? {}).some((n) => n.type === 'Suspend' && n.phase === 'Running') ? true : undefined;
    });
    await first.stop();
    hosts.splice(hosts.indexOf(first), 1);
    await startHost(prefix);
    await new WorkflowInbox(prisma).append(wf.metadata.uid!, { type: 'Resume' });
    await q.reconcileWorkflow(wf.metadata.uid!);
    expect((await finished(wf.metadata.uid!)).status?.phase).toBe('Succeeded');
    await eventually('the PVC deletion', () => (kube.get('persistentvolumeclaims', NS, claim) === undefined ? true : undefined));
  });
});
