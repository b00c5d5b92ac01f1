/** Pod lifecycle: init containers, sidecars, containerSet ordering, daemons, kill grace. */
import { readFileSync } from 'node:fs';
import type { PodRequest } from '@slipway/engine';
import type { Container } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { podRequest, shPod, testExecutor } from './testing.js';

const sh = (name: string, script: string, extra: Partial<Container> = {}): Container => ({
  name,
  image: 'busybox',
  command: ['sh', '-c', script],
  ...extra,
});

function containerSet(containers: Container[], overrides: Partial<PodRequest> = {}): PodRequest {
  return podRequest(containers[0], { template: { name: 'set', containerSet: { containers } }, containers, ...overrides });
}

describe.each(['bwrap', 'none'] as const)('pod lifecycle (sandbox: %s)', (sandbox) => {
  let t: ReturnType<typeof testExecutor>;
  beforeAll(() => {
    t = testExecutor({ sandbox, killGraceMs: 300 });
  });
  afterAll(async () => {
    await t.dispose();
  });
  const logOf = (req: PodRequest, container: string) =>
    readFileSync(`${t.workdir}/logs/${req.workflow.uid}/${req.podName}/${container}.log`, 'utf8');

  test('init containers run in order, to completion, before the main container', async () => {
    const stamp = sandbox === 'bwrap' ? '/tmp/order' : `${t.workdir}/order-${Date.now()}`;
    const req = shPod(`echo main >> ${stamp}; cat ${stamp}`, {
      initContainers: [sh('init-a', `sleep 0.1; echo a >> ${stamp}`), sh('init-b', `echo b >> ${stamp}`)],
    });
    expect(await t.run(req)).toMatchObject({ phase: 'Succeeded', result: 'a\nb\nmain' });
  });

  test('a failing init container fails the pod and the main container never runs', async () => {
    const req = shPod('echo main-ran', { initContainers: [sh('init', 'exit 4')] });
    const result = await t.run(req);
    expect(result).toMatchObject({ phase: 'Failed', exitCode: 4, message: 'init: Error (exit code 4)' });
    expect(t.sink.started.has(req.nodeId)).toBe(false);
  });

  test('a sidecar starts before the main container and is killed when it exits', async () => {
    const req = shPod('sleep 0.2; echo main-done', {
      sidecars: [sh('side', 'echo side-up; trap "echo side-term; exit 0" TERM; while true; do sleep 0.05; done')],
    });
    const started = Date.now();
    const result = await t.run(req);
    expect(result).toMatchObject({ phase: 'Succeeded', result: 'main-done' });
    expect(Date.now() - started).toBeLessThan(2000);
    // The whole group gets SIGTERM, so the shell may also report its terminated `sleep`.
    expect(logOf(req, 'side')).toMatch(/^side-up\n(Terminated\n)?(side-term\n)?$/);
  });

  test('a sidecar that ignores SIGTERM is killed after the grace period; its status does not matter', async () => {
    // main waits a moment so the sidecar has installed its trap before it is told to stop
    const req = shPod('sleep 0.3', { sidecars: [sh('stubborn', 'trap "" TERM; while true; do sleep 0.05; done')] });
    const started = Date.now();
    expect(await t.run(req)).toMatchObject({ phase: 'Succeeded' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(10_000); // generous: the machine may be busy with other tests
  });

  test('containerSet runs containers in dependency order, parallel where allowed', async () => {
    const stamp = sandbox === 'bwrap' ? '/tmp/order' : `${t.workdir}/set-${Date.now()}`;
    const req = containerSet([
      sh('a', `echo a >> ${stamp}`),
      sh('b', `sleep 0.2; echo b >> ${stamp}`, { dependencies: ['a'] }),
      sh('c', `sleep 0.1; echo c >> ${stamp}`, { dependencies: ['a'] }),
      sh('main', `cat ${stamp}`, { dependencies: ['b', 'c'] }),
    ]);
    const result = await t.run(req);
    expect(result).toMatchObject({ phase: 'Succeeded', result: 'a\nc\nb' });
    expect(result.containers?.map((c) => [c.name, c.phase])).toEqual([
      ['a', 'Succeeded'],
      ['b', 'Succeeded'],
      ['c', 'Succeeded'],
      ['main', 'Succeeded'],
    ]);
    // b and c overlapped.
    const [b, c] = [result.containers![1], result.containers![2]];
    expect(c.startedAt).toBeLessThan(b.finishedAt);
  });

  test('containerSet: a failure stops its dependents, not the others, and fails the pod', async () => {
    const req = containerSet([
      sh('a', 'exit 2'),
      sh('after-a', 'echo never', { dependencies: ['a'] }),
      sh('independent', 'echo fine'),
      sh('main', 'echo main', { dependencies: ['independent'] }),
    ]);
    const result = await t.run(req);
    expect(result).toMatchObject({ phase: 'Failed', message: 'a: Error (exit code 2)', exitCode: 0, result: 'main' });
    expect(result.containers?.map((c) => [c.name, c.phase, c.message])).toEqual([
      ['a', 'Failed', 'a: Error (exit code 2)'],
      ['after-a', 'Failed', 'not run: dependency "a" did not succeed'],
      ['independent', 'Succeeded', undefined],
      ['main', 'Succeeded', undefined],
    ]);
  });

  test('containerSet dependency cycles are an Error', async () => {
    const req = containerSet([sh('a', 'true', { dependencies: ['main'] }), sh('main', 'true', { dependencies: ['a'] })]);
    expect(await t.run(req)).toMatchObject({ phase: 'Error', message: expect.stringMatching(/cycle/) });
  });

  test('a daemon is reported ready while running and keeps running until killed', async () => {
    const req = shPod('echo up; exec sleep 30', { daemon: true });
    t.executor.start(req, t.sink);
    await t.sink.whenReady(req.nodeId);
    expect(t.sink.ready.get(req.nodeId)?.ip).toBe('127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.sink.finished.some((r) => r.nodeId === req.nodeId)).toBe(false);
    await t.executor.kill(req.nodeId, 'daemon no longer needed');
    expect(await t.sink.result(req.nodeId)).toMatchObject({ phase: 'Failed', message: 'daemon no longer needed' });
  });

  test('a daemon that exits at once is never reported ready', async () => {
    const req = shPod('exit 1', { daemon: true });
    expect((await t.run(req)).phase).toBe('Failed');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(t.sink.ready.has(req.nodeId)).toBe(false);
  });

  test('kill gives the container SIGTERM and the grace period to clean up', async () => {
    const req = shPod('trap "echo cleaning; exit 0" TERM; echo started; while true; do sleep 0.05; done');
    t.executor.start(req, t.sink);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await t.executor.kill(req.nodeId, 'Stopped by user');
    const result = await t.sink.result(req.nodeId);
    expect(result).toMatchObject({ phase: 'Failed', message: 'Stopped by user' });
    expect(logOf(req, 'main')).toMatch(/^started\n(Terminated\n)?cleaning\n$/);
  });

  test('kill during init containers stops the pod before main starts', async () => {
    const req = shPod('echo main', { initContainers: [sh('slow-init', 'sleep 30')] });
    t.executor.start(req, t.sink);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.executor.kill(req.nodeId, 'Step exceeded its deadline');
    expect(await t.sink.result(req.nodeId)).toMatchObject({ phase: 'Failed', message: 'Step exceeded its deadline' });
    expect(t.sink.started.has(req.nodeId)).toBe(false);
  });

  test('close kills everything still running', async () => {
    const local = testExecutor({ sandbox });
    const req = shPod('sleep 30');
    local.executor.start(req, local.sink);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await local.dispose();
    expect(await local.sink.result(req.nodeId)).toMatchObject({ phase: 'Failed', message: 'executor closed' });
  });
});
