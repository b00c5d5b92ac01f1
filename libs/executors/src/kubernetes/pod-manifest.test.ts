/**
 * The exact pod manifests Slipway sends, as golden files (reviewed by hand). Regenerate with
 * `SLIPWAY_UPDATE_GOLDEN=1 npx vitest run libs/executors/src/kubernetes` and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startFakeKubeServer } from '@slipway/testing';
import { describe, expect, test } from 'vitest';
import { KubernetesExecutor } from './kubernetes-executor.js';
import { buildPodManifest, mergePatch, type KubePodRequest } from './pod-manifest.js';
import { fakeKubeConfig, kubeRequest, Recorder } from './testing.js';
import { workflowPodDefaults } from './workflow-pod-fields.js';

const golden = (name: string) => new URL(`./golden/${name}.json`, import.meta.url);
const options = { helperImage: 'slipway/helper:test', defaults: { imagePullSecrets: [{ name: 'registry' }], serviceAccountName: 'wf-default-sa' } };

function expectGolden(name: string, actual: unknown): void {
  const file = golden(name);
  if (process.env.SLIPWAY_UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

const full: KubePodRequest = (() => {
  const main = {
    name: 'main',
    image: 'alpine:3.20',
    command: ['sh', '-c'],
    args: ['echo $GREETING > /work/out.txt'],
    env: [{ name: 'GREETING', value: 'hello' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
    envFrom: [{ configMapRef: { name: 'settings' } }],
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'settings', mountPath: '/etc/settings' }],
  };
  return kubeRequest('wf-1234', main, {
    template: {
      name: 'tmpl',
      container: main,
      metadata: { labels: { team: 'ci' }, annotations: { 'example.com/owner': 'platform' } },
      serviceAccountName: 'runner',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['ci'] }] }] } } },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ci', effect: 'NoSchedule' }],
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      activeDeadlineSeconds: 600,
      podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"cpu":"500m"}}}],"priorityClassName":"batch"}',
    },
    env: { ARGO_TEMPLATE: '{"name":"tmpl"}', ARGO_NODE_ID: 'wf-1234' },
    initContainers: [{ name: 'prepare', image: 'alpine:3.20', command: ['mkdir', '-p', '/work/in'], mirrorVolumeMounts: true }],
    sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31', args: ['--config-path', '/etc/envoy.yaml'] }],
    volumes: [
      { name: 'work', lifetime: 'workflow', source: { name: 'work', persistentVolumeClaim: { claimName: 'work' } } },
      { name: 'settings', lifetime: 'pod', source: { name: 'settings', configMap: { name: 'settings' } } },
    ],
    volumeClaimTemplates: [{ metadata: { name: 'work' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  });
})();

const script = (() => {
  const main = { name: 'main', image: 'python:3.12-alpine', command: ['python'] };
  return kubeRequest('wf-5678', main, {
    podName: 'wf-flip-coin-5678',
    template: { name: 'flip-coin', script: { ...main, source: 'import random\nprint("heads")\n' } },
    templateName: 'flip-coin',
    scriptSource: 'import random\nprint("heads")\n',
    captureResult: true,
    inputArtifacts: [{ name: 'data', path: '/tmp/data.txt', raw: 'a,b\n1,2\n' }],
    outputParameterPaths: [{ name: 'side', path: '/tmp/side.txt' }],
  });
})();

const containerSet = (() => {
  const containers = [
    { name: 'main', image: 'alpine:3.20', command: ['sh', '-c', 'echo hi'], dependencies: ['a'] },
    { name: 'a', image: 'alpine:3.20', command: ['sh', '-c', 'echo a > /workspace/a'] },
  ];
  return kubeRequest('wf-9abc', containers[0], {
    podName: 'wf-set-9abc',
    template: { name: 'set', containerSet: { containers, volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }] } },
    templateName: 'set',
    containers,
    extraVolumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
    volumes: [{ name: 'workspace', lifetime: 'pod', source: { name: 'workspace', emptyDir: {} } }],
  });
})();

const git = kubeRequest('wf-def0', { image: 'golang:1.23', command: ['go', 'build', './...'], workingDir: '/src' }, {
  podName: 'wf-build-def0',
  inputArtifacts: [{
    name: 'source',
    path: '/src',
    git: { repo: 'https://github.com/argoproj/argo-workflows.git', revision: 'v3.6.0', depth: 1, usernameSecret: { name: 'github', key: 'user' }, passwordSecret: { name: 'github', key: 'token' } },
  }],
});

describe('pod manifests (golden)', () => {
  test('git input artifact: cloned by an init container into the staging volume, credentials from Secrets', () => {
    expectGolden('git-input', buildPodManifest(git, options));
  });
  test('container template with every pod field', () => {
    expectGolden('container-full', buildPodManifest(full, options));
  });
  test('script template with an input artifact and an output parameter', () => {
    expectGolden('script-io', buildPodManifest(script, options));
  });
  test('containerSet: one pod, several containers, template volume mounts in each', () => {
    expectGolden('container-set', buildPodManifest(containerSet, options));
  });

  test('the executor sends exactly the golden manifest over the wire', async () => {
    const kube = await startFakeKubeServer();
    const executor = new KubernetesExecutor({ kubeConfig: fakeKubeConfig(kube.url), ...options, rewatchDelayMs: 10 });
    try {
      const sink = new Recorder();
      executor.start(full, sink);
      const post = await sink.until(() => kube.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/ns/pods'));
      expect(post.body).toEqual(JSON.parse(readFileSync(golden('container-full'), 'utf8')));
      const claim = kube.requests.find((r) => r.method === 'POST' && r.path.endsWith('/persistentvolumeclaims'));
      expectGolden('claim', claim?.body);
    } finally {
      await executor.close();
      await kube.close();
    }
  });

  test('podSpecPatch merges containers by name, other lists replace, null removes', () => {
    const base = { containers: [{ name: 'main', image: 'a', env: [{ name: 'X', value: '1' }] }, { name: 'side', image: 'b' }], tolerations: [{ key: 'a' }], hostNetwork: true };
    const patch = { containers: [{ name: 'main', image: 'c' }, { name: 'extra', image: 'd' }], tolerations: [{ key: 'b' }], hostNetwork: null };
    expect(mergePatch(base, patch)).toEqual({
      containers: [{ name: 'main', image: 'c', env: [{ name: 'X', value: '1' }] }, { name: 'side', image: 'b' }, { name: 'extra', image: 'd' }],
      tolerations: [{ key: 'b' }],
    });
  });

  test('workflow-level pod fields (podDefaults) win over the executor defaults; the template over both; patches chain', () => {
    const req = kubeRequest('wf-9', { image: 'alpine', command: ['true'] }, {
      podDefaults: workflowPodDefaults({
        serviceAccountName: 'wf-sa',
        nodeSelector: { pool: 'ci' },
        podMetadata: { labels: { team: 'shop' } },
        podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"cpu":"1"}}}]}',
      }),
    });
    req.template = { ...req.template, nodeSelector: { pool: 'gpu' }, podSpecPatch: 'containers: [{name: main, resources: {limits: {memory: 1Gi}}}]' };
    const manifest = buildPodManifest(req, { ...options, defaults: { ...options.defaults, podMetadata: { labels: { team: 'ops', tier: 'x' } }, podSpecPatch: '{"priorityClassName":"low"}' } });
    const spec = manifest.spec as Record<string, unknown>;
    expect(spec).toMatchObject({ serviceAccountName: 'wf-sa', imagePullSecrets: [{ name: 'registry' }], nodeSelector: { pool: 'gpu' }, priorityClassName: 'low' });
    expect((spec.containers as { resources?: unknown }[])[0].resources).toEqual({ limits: { cpu: '1', memory: '1Gi' } });
    expect((manifest.metadata as { labels: Record<string, string> }).labels).toMatchObject({ team: 'shop', tier: 'x' });
    expect(workflowPodDefaults({ entrypoint: 'main' })).toBeUndefined();
  });

  test('an invalid podSpecPatch ends the node in Error without creating a pod', async () => {
    const kube = await startFakeKubeServer();
    const executor = new KubernetesExecutor({ kubeConfig: fakeKubeConfig(kube.url), rewatchDelayMs: 10 });
    try {
      const sink = new Recorder();
      const req = kubeRequest('wf-bad', { image: 'alpine' }, { template: { name: 'tmpl', container: { image: 'alpine' }, podSpecPatch: '[1, 2]' } });
      executor.start(req, sink);
      expect(await sink.result('wf-bad')).toMatchObject({ phase: 'Error', message: 'invalid pod spec: podSpecPatch must be an object' });
      expect(kube.requests.some((r) => r.method === 'POST')).toBe(false);
    } finally {
      await executor.close();
      await kube.close();
    }
  });
});
