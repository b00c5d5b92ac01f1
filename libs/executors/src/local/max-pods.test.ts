/** LocalExecutor's maxPods: at most N pods of the executor at once, whatever their workflow, for both launchers. Real processes. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalExecutor } from './local-executor.js';
import { podRequest, shPod, testExecutor } from './testing.js';

/** Most pods running at once, from "+name" / "-name" lines the pods append to one file. */
function mostAtOnce(file: string): number {
  let now = 0;
  let most = 0;
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) most = Math.max(most, (now += line.startsWith('+') ? 1 : -1));
  return most;
}

describe.each(['resident', 'node'] as const)('LocalExecutor maxPods (spawner: %s)', (spawner) => {
  let t: ReturnType<typeof testExecutor>;
  beforeAll(() => {
    t = testExecutor({ sandbox: 'none', spawner, maxPods: 2 });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test('at most N pods of all workflows run at once, a pod of several containers included; the rest start as slots free', async () => {
    const log = join(t.workdir, `pods-${spawner}.log`);
    writeFileSync(log, '');
    const step = (name: string) => `echo +${name} >> ${log}; sleep 0.1; echo -${name} >> ${log}`;
    const workflow = (i: number) => ({ name: `wf${i}`, namespace: 'default', uid: `wf-${spawner}-${i}` });
    const withInit = podRequest(
      { image: 'busybox', command: ['sh', '-c', `sleep 0.1; echo -init >> ${log}`] },
      { workflow: workflow(9), initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', `echo +init >> ${log}; sleep 0.1`] }] },
    );
    const pods = [shPod(step('a'), { workflow: workflow(1) }), withInit, ...['b', 'c', 'd', 'e'].map((n, i) => shPod(step(n), { workflow: workflow(i + 2) }))];
    const results = await Promise.all(pods.map((p) => t.run(p)));
    expect(results.map((r) => r.phase)).toEqual(Array(6).fill('Succeeded'));
    expect(mostAtOnce(log)).toBe(2);
    expect(t.executor.podLimit).toBe(2);
  });

  test('a pod killed while it waits (staged) never starts: Failed with the reason, and its place goes to the next', async () => {
    const workflow = { name: 'wf', namespace: 'default', uid: `staged-${spawner}` };
    const busy = [shPod('sleep 0.3', { workflow }), shPod('sleep 0.3', { workflow })];
    const waiting = shPod('echo ran', { workflow });
    const waitingSeveral = podRequest({ image: 'busybox', command: ['echo', 'ran'] }, { workflow, sidecars: [{ name: 'side', image: 'busybox', command: ['sleep', '5'] }] });
    const next = shPod('echo next', { workflow });
    const results = busy.map((p) => t.run(p));
    // Both slots taken (pods reach the gate in no fixed order), then the others are staged.
    while (!busy.every((p) => t.sink.started.has(p.nodeId))) await new Promise((r) => setTimeout(r, 5));
    results.push(...[waiting, waitingSeveral, next].map((p) => t.run(p)));
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([t.executor.kill(waiting.nodeId, 'stopped by the user'), t.executor.kill(waitingSeveral.nodeId, 'stopped by the user')]);
    for (const r of [await results[2], await results[3]]) {
      expect(r).toMatchObject({ phase: 'Failed', message: 'stopped by the user' });
      expect(r.result ?? '').toBe('');
    }
    expect(t.sink.started.has(waiting.nodeId)).toBe(false);
    expect(t.sink.started.has(waitingSeveral.nodeId)).toBe(false);
    expect((await results[0]).phase).toBe('Succeeded');
    expect(await results[4]).toMatchObject({ phase: 'Succeeded', result: 'next' });
  });

  test('no per-workflow limit under maxPods (a pod waits for one gate)', () => {
    expect(() => t.executor.limitPods('any', 1)).toThrow(/maxPods/);
  });
});

test('maxPods must be a whole number ≥ 1 (checked before anything is made)', () => {
  expect(() => new LocalExecutor({ workdir: join(tmpdir(), 'slipway-never-made'), sandbox: 'none', maxPods: 0 })).toThrow(/whole number ≥ 1/);
  expect(existsSync(join(tmpdir(), 'slipway-never-made'))).toBe(false);
});
