/** LocalExecutor.limitPods: at most N pods of a workflow at once, for both launchers. Real processes. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { podRequest, shPod, testExecutor } from './testing.js';

/** Most pods running at once, from "+name" / "-name" lines the pods append to one file. */
function mostAtOnce(file: string): number {
  let now = 0;
  let most = 0;
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) most = Math.max(most, (now += line.startsWith('+') ? 1 : -1));
  return most;
}

describe.each(['resident', 'node'] as const)('LocalExecutor.limitPods (spawner: %s)', (spawner) => {
  let t: ReturnType<typeof testExecutor>;
  beforeAll(() => {
    t = testExecutor({ sandbox: 'none', spawner });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test('at most N pods of the workflow run at once, a pod of several containers included; the rest start as slots free', async () => {
    const uid = `limited-${spawner}`;
    t.executor.limitPods(uid, 2);
    const workflow = { name: 'wf', namespace: 'default', uid };
    const log = join(t.workdir, `pods-${spawner}.log`);
    writeFileSync(log, '');
    const step = (name: string) => `echo +${name} >> ${log}; sleep 0.1; echo -${name} >> ${log}`;
    // The pod with an init container holds its slot from its init container to its end.
    const withInit = podRequest(
      { image: 'busybox', command: ['sh', '-c', `sleep 0.1; echo -init >> ${log}`] },
      { workflow, initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', `echo +init >> ${log}; sleep 0.1`] }] },
    );
    const pods = [shPod(step('a'), { workflow }), withInit, ...['b', 'c', 'd', 'e'].map((n) => shPod(step(n), { workflow }))];
    const results = await Promise.all(pods.map((p) => t.run(p)));
    expect(results.map((r) => r.phase)).toEqual(Array(6).fill('Succeeded'));
    expect(mostAtOnce(log)).toBe(2);
    // Another workflow is not limited by this one's gate.
    const other = await t.run(shPod('true', { workflow: { name: 'other', namespace: 'default', uid: `other-${spawner}` } }));
    expect(other.phase).toBe('Succeeded');
  });

  test('a pod killed while it waits for a slot never starts: Failed with the reason', async () => {
    const uid = `killed-${spawner}`;
    t.executor.limitPods(uid, 1);
    const workflow = { name: 'wf', namespace: 'default', uid };
    const busy = shPod('sleep 0.3', { workflow });
    const waiting = shPod('echo ran', { workflow });
    const waitingSeveral = podRequest({ image: 'busybox', command: ['echo', 'ran'] }, { workflow, sidecars: [{ name: 'side', image: 'busybox', command: ['sleep', '5'] }] });
    const busyResult = t.run(busy);
    // The slot taken first (pods reach the gate in no fixed order), then the others wait.
    while (!t.sink.started.has(busy.nodeId)) await new Promise((r) => setTimeout(r, 5));
    const [waitingResult, severalResult] = [t.run(waiting), t.run(waitingSeveral)];
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([t.executor.kill(waiting.nodeId, 'stopped by the user'), t.executor.kill(waitingSeveral.nodeId, 'stopped by the user')]);
    for (const r of [await waitingResult, await severalResult]) {
      expect(r).toMatchObject({ phase: 'Failed', message: 'stopped by the user' });
      expect(r.result ?? '').toBe('');
    }
    expect(t.sink.started.has(waiting.nodeId)).toBe(false);
    expect(t.sink.started.has(waitingSeveral.nodeId)).toBe(false);
    expect((await busyResult).phase).toBe('Succeeded');
    // The killed pods gave nothing back to the gate that they did not hold: the next pod runs alone.
    expect((await t.run(shPod('true', { workflow }))).phase).toBe('Succeeded');
  });

  test('a limit must be a whole number ≥ 1, set once per workflow', () => {
    expect(() => t.executor.limitPods('bad', 0)).toThrow(/whole number ≥ 1/);
    t.executor.limitPods('once', 1);
    expect(() => t.executor.limitPods('once', 2)).toThrow(/already has a pod limit/);
  });
});
