/** Per-pod scratch directories on the real file system. */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ScratchDirs } from './scratch-dirs.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-scratch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const settle = () => new Promise((r) => setTimeout(r, 50));

test('each pod gets its own fresh, empty directory under its workflow', async () => {
  const dirs = new ScratchDirs(root);
  const [a, b, c] = await Promise.all([dirs.take('wf-a'), dirs.take('wf-a'), dirs.take('wf-b')]);
  expect(new Set([a, b, c]).size).toBe(3);
  expect(a.startsWith(join(root, 'workflows/wf-a/scratch/'))).toBe(true);
  expect(c.startsWith(join(root, 'workflows/wf-b/scratch/'))).toBe(true);
  for (const d of [a, b, c]) expect(statSync(d).isDirectory() && readdirSync(d).length === 0).toBe(true);
});

test('a single-pod workflow costs one directory; from the second pod on, some are made ahead', async () => {
  const dirs = new ScratchDirs(root, 3);
  await dirs.take('single');
  await settle();
  expect(readdirSync(join(root, 'workflows/single/scratch'))).toHaveLength(1);
  await dirs.take('dag');
  await dirs.take('dag');
  await settle();
  // two handed out + three ready
  expect(readdirSync(join(root, 'workflows/dag/scratch'))).toHaveLength(5);
});

test("a workflow's first two pods get their directory at once (no wait for a turn of the event loop), later ones may wait", () => {
  const dirs = new ScratchDirs(root, 3);
  const first = dirs.take('eager');
  const second = dirs.take('eager');
  expect(typeof first).toBe('string');
  expect(typeof second).toBe('string');
  for (const d of [first, second] as string[]) expect(statSync(d).isDirectory() && readdirSync(d).length === 0).toBe(true);
  expect(first).not.toBe(second);
  // The third finds the ones being made ahead still in the making.
  expect(dirs.take('eager')).toBeInstanceOf(Promise);
});

test('a directory given back is handed to the next pod', async () => {
  const dirs = new ScratchDirs(root, 0);
  const first = await dirs.take('back');
  dirs.giveBack('back', first);
  expect(await dirs.take('back')).toBe(first);
});

test('release waits for directories being made, so the workflow tree can then be removed for good', async () => {
  const dirs = new ScratchDirs(root, 8);
  await dirs.take('gone');
  await dirs.take('gone'); // starts making 8 ahead
  await dirs.release('gone');
  await rm(join(root, 'workflows/gone'), { recursive: true });
  await settle();
  expect(existsSync(join(root, 'workflows/gone'))).toBe(false);
});

test('a recycled directory that is still empty and private serves the next pod instead of a new one', async () => {
  const dirs = new ScratchDirs(root, 2);
  const first = await dirs.take('reuse');
  await dirs.take('reuse'); // a multi-pod workflow: two more are made ahead
  await settle();
  dirs.recycle('reuse', first);
  await settle();
  const handedOut = [await dirs.take('reuse'), await dirs.take('reuse')];
  expect(handedOut).toContain(first);
});

test('a directory a pod wrote into, or whose mode it changed, is not handed out again', async () => {
  const dirs = new ScratchDirs(root, 0);
  const written = await dirs.take('dirty');
  writeFileSync(join(written, 'left-behind'), 'x');
  dirs.recycle('dirty', written);
  const opened = await dirs.take('dirty');
  chmodSync(opened, 0o755);
  dirs.recycle('dirty', opened);
  await settle();
  const next = await dirs.take('dirty');
  expect([written, opened]).not.toContain(next);
  expect(readdirSync(next)).toHaveLength(0);
});

test('when the launcher already looked as the pod ended, its finding is used as is', async () => {
  const dirs = new ScratchDirs(root, 0);
  const [clean, dirty] = [await dirs.take('told'), await dirs.take('told')];
  dirs.recycle('told', dirty, false);
  dirs.recycle('told', clean, true);
  expect(await dirs.take('told')).toBe(clean);
  expect(await dirs.take('told')).not.toBe(dirty);
});

test('a directory outside the workflow, or of a released workflow, is never taken in', async () => {
  const dirs = new ScratchDirs(root, 0);
  const stranger = mkdtempSync(join(root, 'stranger-'));
  await dirs.take('strict');
  dirs.recycle('strict', stranger);
  dirs.recycle('unknown-workflow', stranger);
  await settle();
  expect(await dirs.take('strict')).not.toBe(stranger);
});

test('a workflow whose pods leave their directories untouched stops making new ones', async () => {
  const dirs = new ScratchDirs(root, 4);
  // 18 pods in flight (as with --max-pods 2 and staged pods); pods end in bursts of 1–9 and as
  // many start in the same turn (one reconcile's worth), 1,000 pods in all.
  const inFlight = await Promise.all(Array.from({ length: 18 }, async () => dirs.take('steady')));
  for (let started = 18, burst = 1; started < 1000; started += burst, burst = (burst * 7) % 9 + 1) {
    for (const dir of inFlight.splice(0, burst)) dirs.recycle('steady', dir);
    inFlight.push(...(await Promise.all(Array.from({ length: burst }, async () => dirs.take('steady')))));
  }
  await settle();
  expect(readdirSync(join(root, 'workflows/steady/scratch')).length).toBeLessThanOrEqual(18 + 2 * 4);
});
