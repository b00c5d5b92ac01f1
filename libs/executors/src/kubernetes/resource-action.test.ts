/** `resource` templates through the executor against the fake API server (a ConfigMap). */
import type { ResourceTemplate } from '@slipway/workflow';
import { startFakeKubeServer, type FakeKubeServer } from '@slipway/testing';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { KubernetesExecutor } from './kubernetes-executor.js';
import { conditionHolds } from './resource-action.js';
import { fakeKubeConfig, kubeRequest, Recorder } from './testing.js';

let kube: FakeKubeServer;
let executor: KubernetesExecutor;
let n = 0;

const manifest = (data: Record<string, string>) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\n`;

function runResource(resource: ResourceTemplate, outputs?: { name: string; valueFrom: { jsonPath: string } }[]) {
  n += 1;
  const sink = new Recorder();
  const id = `wf-r${n}`;
  executor.start(kubeRequest(id, {}, { containers: [], template: { name: 'res', resource, ...(outputs ? { outputs: { parameters: outputs } } : {}) } }), sink);
  return { sink, id, result: () => sink.result(id) };
}

beforeEach(async () => {
  kube = await startFakeKubeServer();
  executor = new KubernetesExecutor({ kubeConfig: fakeKubeConfig(kube.url), rewatchDelayMs: 10, resourcePollMs: 20, warn: () => undefined });
});
afterEach(async () => {
  await executor.close();
  await kube.close();
});

describe('resource templates', () => {
  test('create, then get with a successCondition that becomes true, with a jsonPath output', async () => {
    const created = runResource({ action: 'create', manifest: manifest({ state: 'pending' }) });
    expect(await created.result()).toMatchObject({ phase: 'Succeeded', result: 'configmap/settings' });
    expect(kube.get('configmaps', 'ns', 'settings')?.data).toEqual({ state: 'pending' });
    const waiting = runResource({ action: 'get', manifest: manifest({}), successCondition: 'data.state == ready' }, [{ name: 'state', valueFrom: { jsonPath: '{.data.state}' } }]);
    await waiting.sink.until(() => kube.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/configmaps/settings')).length >= 2);
    const cm = kube.get('configmaps', 'ns', 'settings');
    if (cm) kube.put('configmaps', { ...cm, data: { state: 'ready' } });
    expect(await waiting.result()).toMatchObject({ phase: 'Succeeded', outputParameters: { state: 'ready' } });
  });

  test('failureCondition ends Failed; create of an existing object is an Error (409 AlreadyExists)', async () => {
    kube.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns' }, data: { state: 'broken' } });
    const failed = runResource({ action: 'get', manifest: manifest({}), successCondition: 'data.state == ready', failureCondition: 'data.state == broken' });
    expect(await failed.result()).toMatchObject({ phase: 'Failed', message: "failureCondition 'data.state == broken' matched" });
    const dup = runResource({ action: 'create', manifest: manifest({ a: '1' }) });
    const result = await dup.result();
    expect(result.phase).toBe('Error');
    expect(result.message).toContain('resource create');
  });

  test('apply (server-side), patch (merge), replace with a Conflict, delete', async () => {
    const applied = runResource({ action: 'apply', manifest: manifest({ a: '1' }) });
    expect(await applied.result()).toMatchObject({ phase: 'Succeeded' });
    kube.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns' }, data: { a: '1' } });
    const patched = runResource({ action: 'patch', mergeStrategy: 'merge', manifest: manifest({ b: '2' }) });
    expect(await patched.result()).toMatchObject({ phase: 'Succeeded' });
    expect(kube.get('configmaps', 'ns', 'settings')?.data).toEqual({ a: '1', b: '2' });
    const patch = kube.requests.find((r) => r.method === 'PATCH' && r.contentType === 'application/merge-patch+json');
    expect(patch?.path).toBe('/api/v1/namespaces/ns/configmaps/settings');
    kube.failNext('PUT', '/configmaps/settings', 409, 'Conflict');
    const conflicted = runResource({ action: 'replace', manifest: manifest({ c: '3' }) });
    expect(await conflicted.result()).toMatchObject({ phase: 'Error' });
    const replaced = runResource({ action: 'replace', manifest: manifest({ c: '3' }) });
    expect(await replaced.result()).toMatchObject({ phase: 'Succeeded' });
    expect(kube.get('configmaps', 'ns', 'settings')?.data).toEqual({ c: '3' });
    const deleted = runResource({ action: 'delete', manifest: manifest({}) });
    expect(await deleted.result()).toMatchObject({ phase: 'Succeeded' });
    expect(kube.get('configmaps', 'ns', 'settings')).toBeUndefined();
    const again = runResource({ action: 'delete', manifest: manifest({}), flags: ['--ignore-not-found'] });
    expect(await again.result()).toMatchObject({ phase: 'Succeeded' });
  });

  test('kill stops waiting for a condition', async () => {
    kube.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns' }, data: {} });
    const waiting = runResource({ action: 'get', manifest: manifest({}), successCondition: 'data.state == ready' });
    await waiting.sink.until(() => waiting.sink.started.size > 0 || kube.requests.length > 2);
    await executor.kill(waiting.id, 'Stopped with strategy \'Stop\'');
    expect(await waiting.result()).toMatchObject({ phase: 'Failed', message: "Stopped with strategy 'Stop'" });
  });

  test('conditions: comparisons on fields, all comma-separated requirements must hold', () => {
    const obj = { status: { phase: 'Running', succeeded: 2 } };
    expect(conditionHolds(obj, 'status.phase == Running')).toBe(true);
    expect(conditionHolds(obj, 'status.succeeded > 1, status.phase != Failed')).toBe(true);
    expect(conditionHolds(obj, 'status.succeeded > 2')).toBe(false);
    expect(conditionHolds(obj, 'status.failed > 0')).toBe(false);
    expect(conditionHolds(obj, 'status.phase in (Pending, Running), status.succeeded >= 2')).toBe(true);
    expect(conditionHolds(obj, 'status.phase notin (Running)')).toBe(false);
  });
});
