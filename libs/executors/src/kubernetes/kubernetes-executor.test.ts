/** KubernetesExecutor against the fake API server: phases by watch, logs, adoption, kill, podGC, outputs. */
import { startFakeKubeServer, type FakeKubeServer } from '@slipway/testing';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { KubernetesExecutor } from './kubernetes-executor.js';
import { fakeKubeConfig, kubeRequest, Recorder, running, terminated } from './testing.js';

let kube: FakeKubeServer;
let executors: KubernetesExecutor[];
const warnings: string[] = [];

function executor(): KubernetesExecutor {
  const e = new KubernetesExecutor({ kubeConfig: fakeKubeConfig(kube.url), rewatchDelayMs: 10, resourcePollMs: 20, warn: (m) => warnings.push(m) });
  executors.push(e);
  return e;
}

const podCreated = (sink: Recorder, name: string) => sink.until(() => kube.get('pods', 'ns', name));
const watching = (sink: Recorder) => sink.until(() => kube.openWatches() > 0);

beforeEach(async () => {
  kube = await startFakeKubeServer();
  executors = [];
  warnings.length = 0;
});
afterEach(async () => {
  for (const e of executors) await e.close();
  await kube.close();
});

describe('KubernetesExecutor', () => {
  test('creates the pod, reports start, streams logs and finishes with the result', async () => {
    const e = executor();
    const sink = new Recorder();
    const req = kubeRequest('wf-1', { image: 'alpine', command: ['echo', 'hi'] }, { captureResult: true });
    e.start(req, sink);
    const pod = await podCreated(sink, 'wf-tmpl-1');
    expect(pod.metadata.labels).toEqual({ 'workflows.argoproj.io/workflow': 'wf', 'workflows.argoproj.io/node-id': 'wf-1', 'slipway.dev/workflow-uid': 'wf-uid' });
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-1', { phase: 'Running', containerStatuses: [running('main')] });
    await sink.until(() => sink.started.get('wf-1'));
    kube.appendLog('ns', 'wf-tmpl-1', 'main', 'hello\nwor');
    kube.appendLog('ns', 'wf-tmpl-1', 'main', 'ld\n');
    await sink.until(() => sink.lines.length === 2);
    kube.setPodStatus('ns', 'wf-tmpl-1', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    const result = await sink.result('wf-1');
    expect(result).toMatchObject({ phase: 'Succeeded', exitCode: 0, result: 'hello\nworld', outputParameters: {} });
    expect(result.message).toBeUndefined();
    expect(sink.lines).toEqual([
      { container: 'main', text: 'hello' },
      { container: 'main', text: 'world' },
    ]);
    expect(kube.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/log'))[0]?.query).toMatchObject({ container: 'main', follow: 'true' });
  });

  test('maps exit codes, OOMKilled and image pull errors like the local executor', async () => {
    const e = executor();
    const sink = new Recorder();
    for (const id of ['wf-2', 'wf-3', 'wf-4']) e.start(kubeRequest(id, { image: 'alpine', command: ['false'] }), sink);
    await podCreated(sink, 'wf-tmpl-4');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-2', { phase: 'Failed', containerStatuses: [terminated('main', 3)] });
    kube.setPodStatus('ns', 'wf-tmpl-3', { phase: 'Failed', containerStatuses: [terminated('main', 137, { reason: 'OOMKilled' })] });
    kube.setPodStatus('ns', 'wf-tmpl-4', {
      phase: 'Pending',
      containerStatuses: [{ name: 'main', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } } }],
    });
    expect(await sink.result('wf-2')).toMatchObject({ phase: 'Failed', exitCode: 3, message: 'main: Error (exit code 3)' });
    expect(await sink.result('wf-3')).toMatchObject({ phase: 'Failed', exitCode: 137, message: 'main: OOMKilled (exit code 137)' });
    expect(await sink.result('wf-4')).toMatchObject({ phase: 'Error', message: 'main: ImagePullBackOff: Back-off pulling image "nope"' });
    await sink.until(() => kube.get('pods', 'ns', 'wf-tmpl-4') === undefined);
  });

  test('a lost watch (closed stream, then 410 Gone) is re-listed and resumed', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-5', { image: 'alpine', command: ['true'] }), sink);
    await podCreated(sink, 'wf-tmpl-5');
    await watching(sink);
    const lists = () => kube.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/ns/pods' && r.query.watch !== 'true').length;
    const listsBefore = lists();
    kube.expireNextWatch();
    kube.dropWatches();
    // Changed while nobody watches: only a re-list can see it.
    kube.setPodStatus('ns', 'wf-tmpl-5', { phase: 'Running', containerStatuses: [running('main')] });
    await sink.until(() => sink.started.get('wf-5'));
    await sink.until(() => kube.openWatches() > 0 && lists() >= listsBefore + 2);
    expect(warnings.some((w) => w.includes('410 Gone'))).toBe(true);
    const lastWatch = kube.requests.filter((r) => r.query.watch === 'true').at(-1);
    expect(lastWatch?.query).toMatchObject({ labelSelector: 'workflows.argoproj.io/workflow=wf', allowWatchBookmarks: 'true' });
    expect(Number(lastWatch?.query.resourceVersion)).toBeGreaterThan(0);
    kube.setPodStatus('ns', 'wf-tmpl-5', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    expect(await sink.result('wf-5')).toMatchObject({ phase: 'Succeeded' });
  });

  test('after a restart, start adopts the existing pod (409 AlreadyExists) instead of recreating it', async () => {
    const req = kubeRequest('wf-6', { image: 'alpine', command: ['sleep', '1'] });
    const first = executor();
    first.start(req, new Recorder());
    await podCreated(new Recorder(), 'wf-tmpl-6');
    await first.close();
    kube.setPodStatus('ns', 'wf-tmpl-6', { phase: 'Running', containerStatuses: [running('main')] });
    const second = executor();
    const sink = new Recorder();
    second.start(req, sink);
    await sink.until(() => sink.started.get('wf-6'));
    const creates = await sink.until(() => {
      const posts = kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods') && r.answered !== 0);
      return posts.length === 2 && posts;
    });
    expect(creates.map((r) => r.answered)).toEqual([201, 409]);
    kube.setPodStatus('ns', 'wf-tmpl-6', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    expect(await sink.result('wf-6')).toMatchObject({ phase: 'Succeeded', exitCode: 0 });
  });

  test('a pod of another execution of the node (before a workflow retry) is replaced, not adopted', async () => {
    const old = executor();
    const oldSink = new Recorder();
    old.start(kubeRequest('wf-60', { image: 'alpine', command: ['false'] }, { executionId: 'first' }), oldSink);
    await podCreated(oldSink, 'wf-tmpl-60');
    await watching(oldSink);
    kube.setPodStatus('ns', 'wf-tmpl-60', { phase: 'Failed', containerStatuses: [terminated('main', 1)] });
    expect(await oldSink.result('wf-60')).toMatchObject({ phase: 'Failed' });
    await old.close();
    // Another worker runs the node again for a new execution: the old Failed pod must not be its result.
    const fresh = executor();
    const sink = new Recorder();
    fresh.start(kubeRequest('wf-60', { image: 'alpine', command: ['true'] }, { executionId: 'second' }), sink);
    await sink.until(() => (kube.get('pods', 'ns', 'wf-tmpl-60')?.metadata.annotations as Record<string, string> | undefined)?.['slipway.dev/execution-id'] === 'second');
    expect(kube.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/v1/namespaces/ns/pods/wf-tmpl-60']);
    expect(sink.finished).toEqual([]);
    await sink.until(() => kube.openWatches() > 0);
    kube.setPodStatus('ns', 'wf-tmpl-60', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    expect(await sink.result('wf-60')).toMatchObject({ phase: 'Succeeded', exitCode: 0 });
  });

  test('kill (timeouts, stop) deletes the pod with a grace period and reports Failed with the reason', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-7', { image: 'alpine', command: ['sleep', '99'] }), sink);
    await podCreated(sink, 'wf-tmpl-7');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-7', { phase: 'Running', containerStatuses: [running('main')] });
    await sink.until(() => sink.started.get('wf-7'));
    await e.kill('wf-7', 'Step exceeded its deadline');
    const del = kube.requests.find((r) => r.method === 'DELETE');
    expect(del?.path).toBe('/api/v1/namespaces/ns/pods/wf-tmpl-7');
    expect(del?.query.gracePeriodSeconds).toBe('30');
    expect(await sink.result('wf-7')).toMatchObject({ phase: 'Failed', message: 'Step exceeded its deadline' });
    expect(kube.get('pods', 'ns', 'wf-tmpl-7')).toBeUndefined();
  });

  test('activeDeadlineSeconds: a DeadlineExceeded pod is Failed', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-8', { image: 'alpine' }, { template: { name: 'tmpl', container: { image: 'alpine' }, activeDeadlineSeconds: '5' } }), sink);
    const pod = await podCreated(sink, 'wf-tmpl-8');
    expect((pod.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds).toBe(5);
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-8', { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline', containerStatuses: [terminated('main', 143)] });
    expect(await sink.result('wf-8')).toMatchObject({ phase: 'Failed', message: 'Pod was active on the node longer than the specified deadline' });
  });

  test('podGC: deletePod removes a finished pod; logs already streamed survive it', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-9', { image: 'alpine', command: ['echo'] }), sink);
    await podCreated(sink, 'wf-tmpl-9');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-9', { phase: 'Running', containerStatuses: [running('main')] });
    await sink.until(() => kube.requests.some((r) => r.path.endsWith('/log')));
    kube.appendLog('ns', 'wf-tmpl-9', 'main', 'kept\n');
    kube.setPodStatus('ns', 'wf-tmpl-9', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    await sink.result('wf-9');
    e.forget('wf-9');
    await e.deletePod('wf-9', 'wf-tmpl-9', 'ns');
    expect(kube.requests.find((r) => r.method === 'DELETE')?.query.gracePeriodSeconds).toBe('0');
    expect(kube.get('pods', 'ns', 'wf-tmpl-9')).toBeUndefined();
    expect(sink.lines).toEqual([{ container: 'main', text: 'kept' }]);
  });

  test('a pod deleted by someone else ends the node in Error', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-10', { image: 'alpine' }), sink);
    await podCreated(sink, 'wf-tmpl-10');
    await watching(sink);
    await fetch(`${kube.url}/api/v1/namespaces/ns/pods/wf-tmpl-10`, { method: 'DELETE' });
    expect(await sink.result('wf-10')).toMatchObject({ phase: 'Error', message: 'pod deleted' });
  });

  test('outputs: parameters from the wrapper termination message, containerSet per-container results', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-11', { image: 'alpine', command: ['sh', '-c', 'echo 42 > /tmp/n'] }, {
      outputParameterPaths: [{ name: 'n', path: '/tmp/n' }, { name: 'missing', path: '/tmp/m' }],
    }), sink);
    const set = [{ name: 'main', image: 'alpine', command: ['echo', 'hi'] }, { name: 'b', image: 'alpine', command: ['false'] }];
    e.start(kubeRequest('wf-12', set[0], { template: { name: 'set', containerSet: { containers: set } }, containers: set, captureResult: true }), sink);
    await podCreated(sink, 'wf-tmpl-12');
    await watching(sink);
    const message = `n ${Buffer.from('42\n').toString('base64')}\nmissing -\n`;
    kube.setPodStatus('ns', 'wf-tmpl-11', { phase: 'Succeeded', containerStatuses: [terminated('main', 0, { message })] });
    expect(await sink.result('wf-11')).toMatchObject({ phase: 'Succeeded', outputParameters: { n: '42\n', missing: null } });
    kube.setPodStatus('ns', 'wf-tmpl-12', { phase: 'Running', containerStatuses: [running('main'), running('b')] });
    await sink.until(() => kube.requests.filter((r) => r.path.endsWith('wf-tmpl-12/log')).length === 2);
    kube.appendLog('ns', 'wf-tmpl-12', 'main', 'hi\n');
    kube.setPodStatus('ns', 'wf-tmpl-12', { phase: 'Failed', containerStatuses: [terminated('main', 0), terminated('b', 1)] });
    const result = await sink.result('wf-12');
    expect(result).toMatchObject({ phase: 'Failed', exitCode: 0, message: 'b: Error (exit code 1)', result: 'hi' });
    expect(result.containers?.map((c) => [c.name, c.phase, c.exitCode])).toEqual([['main', 'Succeeded', 0], ['b', 'Failed', 1]]);
  });

  test('volumeClaimTemplates: PVCs named <workflow>-<claim> (as Argo names them) are created once and deleted on release', async () => {
    const e = executor();
    const sink = new Recorder();
    const claim = { metadata: { name: 'workdir' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const volumes = [{ name: 'workdir', lifetime: 'workflow' as const, source: { name: 'workdir', persistentVolumeClaim: { claimName: 'workdir' } } }];
    for (const id of ['wf-13', 'wf-14']) e.start(kubeRequest(id, { image: 'alpine' }, { volumes, volumeClaimTemplates: [claim] }), sink);
    const pod = await podCreated(sink, 'wf-tmpl-14');
    expect((pod.spec as { volumes: unknown[] }).volumes).toEqual([{ name: 'workdir', persistentVolumeClaim: { claimName: 'wf-workdir' } }]);
    expect(kube.get('persistentvolumeclaims', 'ns', 'wf-workdir')?.spec).toEqual(claim.spec);
    expect(kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/persistentvolumeclaims'))).toHaveLength(1);
    await watching(sink);
    for (const p of ['wf-tmpl-13', 'wf-tmpl-14']) kube.setPodStatus('ns', p, { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    await sink.result('wf-14');
    await sink.result('wf-13');
    await e.releaseWorkflow('wf-uid');
    expect(kube.get('persistentvolumeclaims', 'ns', 'wf-workdir')).toBeUndefined();
  });
});

describe('KubernetesExecutor: daemons, sidecars, init containers', () => {
  test('a daemon reports ready with the pod IP once its main container runs', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-20', { image: 'nginx' }, { daemon: true }), sink);
    await podCreated(sink, 'wf-tmpl-20');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-20', { phase: 'Running', podIP: '10.0.0.7', containerStatuses: [running('main')] });
    expect(await sink.until(() => sink.ready.has('wf-20') && sink.ready.get('wf-20'))).toBe('10.0.0.7');
  });

  test('when the main container ends while a sidecar still runs, the node finishes without waiting for the sidecar\'s open log, and the pod is deleted', async () => {
    // The log follower gives streams up to 5 s to end: awaiting the sidecar's would run past this test's 5 s timeout.
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-21', { image: 'alpine', command: ['true'] }, { sidecars: [{ name: 'proxy', image: 'envoy' }] }), sink);
    await podCreated(sink, 'wf-tmpl-21');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-21', { phase: 'Running', containerStatuses: [terminated('main', 0), running('proxy')] });
    expect(await sink.result('wf-21')).toMatchObject({ phase: 'Succeeded', exitCode: 0 });
    await sink.until(() => kube.get('pods', 'ns', 'wf-tmpl-21') === undefined);
  });

  test('a failing init container fails the node with its exit code', async () => {
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-22', { image: 'alpine' }, { initContainers: [{ name: 'init', image: 'alpine', command: ['false'] }] }), sink);
    await podCreated(sink, 'wf-tmpl-22');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-22', {
      phase: 'Failed',
      initContainerStatuses: [terminated('init', 4)],
      containerStatuses: [{ name: 'main', state: { waiting: { reason: 'PodInitializing' } } }],
    });
    expect(await sink.result('wf-22')).toMatchObject({ phase: 'Failed', exitCode: 4, message: 'init: Error (exit code 4)' });
  });
});

describe('KubernetesExecutor: graceful deletion', () => {
  test('kill waits through a graceful deletion: the terminated pod ends Failed with the reason', async () => {
    kube.deleteImmediately = false;
    const e = executor();
    const sink = new Recorder();
    e.start(kubeRequest('wf-30', { image: 'alpine', command: ['sleep', '99'] }), sink);
    await podCreated(sink, 'wf-tmpl-30');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-30', { phase: 'Running', containerStatuses: [running('main')] });
    await sink.until(() => sink.started.get('wf-30'));
    let killed = false;
    const kill = e.kill('wf-30', 'Stopped with strategy \'Terminate\'').then(() => (killed = true));
    await sink.until(() => kube.get('pods', 'ns', 'wf-tmpl-30')?.metadata.deletionTimestamp);
    expect(killed).toBe(false);
    kube.setPodStatus('ns', 'wf-tmpl-30', { phase: 'Failed', containerStatuses: [terminated('main', 143)] });
    await kill;
    expect(await sink.result('wf-30')).toMatchObject({ phase: 'Failed', exitCode: 143, message: "Stopped with strategy 'Terminate'" });
    kube.finalizeDeletion('ns', 'wf-tmpl-30');
  });

  test('start is idempotent per node: a second start creates nothing and re-reports a finished result', async () => {
    const e = executor();
    const sink = new Recorder();
    const req = kubeRequest('wf-31', { image: 'alpine' });
    e.start(req, sink);
    e.start(req, sink);
    await podCreated(sink, 'wf-tmpl-31');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-31', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    await sink.result('wf-31');
    e.start(req, sink);
    await sink.until(() => sink.finished.length === 2);
    expect(kube.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('KubernetesExecutor: retries of forgotten nodes', () => {
  test('a node started again after forget replaces its finished pod instead of adopting it', async () => {
    const e = executor();
    const sink = new Recorder();
    const req = kubeRequest('wf-40', { image: 'alpine', command: ['false'] });
    e.start(req, sink);
    await podCreated(sink, 'wf-tmpl-40');
    await watching(sink);
    kube.setPodStatus('ns', 'wf-tmpl-40', { phase: 'Failed', containerStatuses: [terminated('main', 1)] });
    await sink.result('wf-40');
    e.forget('wf-40');
    const again = new Recorder();
    e.start(req, again);
    await again.until(() => kube.requests.filter((r) => r.method === 'POST' && r.answered === 201).length === 2);
    expect(kube.get('pods', 'ns', 'wf-tmpl-40')?.status).toEqual({ phase: 'Pending' });
    kube.setPodStatus('ns', 'wf-tmpl-40', { phase: 'Succeeded', containerStatuses: [terminated('main', 0)] });
    expect(await again.result('wf-40')).toMatchObject({ phase: 'Succeeded' });
  });
});
