/**
 * Gates (at most N processes and held slots at once, granted in order), against real processes,
 * for both launchers: the resident spawner keeps them in its helper, the Node launcher in Node.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { NodeLauncher, type Launcher, type LaunchGate, type LaunchHandle, type ProcessExit } from './launcher.js';
import { ResidentSpawner } from './resident-spawner.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-gates-'));
const spawners: ResidentSpawner[] = [];
afterAll(async () => {
  await Promise.all(spawners.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function start(
  launcher: Launcher,
  gate: LaunchGate,
  script: string,
  onSpawn: () => void = () => undefined,
): { exit: Promise<ProcessExit>; handle: LaunchHandle; spawned: () => boolean } {
  let spawned = false;
  let handle!: LaunchHandle;
  const exit = new Promise<ProcessExit>((resolve) => {
    handle = launcher.launch(
      { argv: ['sh', '-c', script], env: { PATH: process.env.PATH }, gate },
      {
        onSpawn: () => {
          spawned = true;
          onSpawn();
        },
        onStdout: () => undefined,
        onStderr: () => undefined,
        onExit: resolve,
      },
    );
  });
  return { exit, handle, spawned: () => spawned };
}

/** Most processes alive at once, from "+name" / "-name" lines in order of time. */
function mostAtOnce(log: string[]): number {
  let now = 0;
  let most = 0;
  for (const line of log) {
    now += line.startsWith('+') ? 1 : -1;
    most = Math.max(most, now);
  }
  return most;
}

describe.each(['resident', 'node'] as const)('gates (%s launcher)', (kind) => {
  const launcher = (): Launcher => {
    if (kind === 'node') return new NodeLauncher();
    const s = new ResidentSpawner(new NodeLauncher(), (m) => {
      throw new Error(`unexpected warning: ${m}`);
    });
    spawners.push(s);
    return s;
  };

  test('at most `slots` gated processes run at once, started in request order', async () => {
    const l = launcher();
    const gate = l.gate(2);
    const file = join(dir, `order-${kind}`);
    writeFileSync(file, '');
    const started: number[] = [];
    const runs = Array.from({ length: 6 }, (_, i) => start(l, gate, `echo +${i} >> ${file}; sleep 0.1; echo -${i} >> ${file}`, () => started.push(i)));
    const exits = await Promise.all(runs.map((r) => r.exit));
    expect(exits.every((e) => e.code === 0)).toBe(true);
    expect(mostAtOnce(readFileSync(file, 'utf8').trim().split('\n'))).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('gates are independent, and ungated processes do not count', async () => {
    const l = launcher();
    const [a, b] = [l.gate(1), l.gate(1)];
    const slowA = start(l, a, 'sleep 0.3');
    const quickB = start(l, b, 'true');
    const exitB = await quickB.exit;
    expect(exitB.code).toBe(0);
    const ungated = await new Promise<ProcessExit>((resolve) =>
      l.launch({ argv: ['true'], env: { PATH: process.env.PATH } }, { onSpawn: () => undefined, onStdout: () => undefined, onStderr: () => undefined, onExit: resolve }),
    );
    expect(ungated.code).toBe(0);
    expect(slowA.spawned()).toBe(true);
    expect(await Promise.race([slowA.exit.then(() => 'A ended'), Promise.resolve('A still runs')])).toBe('A still runs');
    await slowA.exit;
  });

  test('a cancelled request that waits for a slot never runs and reports `cancelled`', async () => {
    const l = launcher();
    const gate = l.gate(1);
    const marker = join(dir, `cancelled-${kind}`);
    const first = start(l, gate, 'sleep 0.3');
    const waiting = start(l, gate, `touch ${marker}`);
    const after = start(l, gate, 'exit 4');
    waiting.handle.cancel();
    expect(await waiting.exit).toEqual({ code: null, signal: null, cancelled: true });
    expect((await first.exit).code).toBe(0);
    expect((await after.exit).code).toBe(4);
    expect(waiting.spawned()).toBe(false);
    expect(() => readFileSync(marker)).toThrow();
  });

  test('a held slot counts like a process: launches wait until it is released; a waiting hold can be dropped', async () => {
    const l = launcher();
    const gate = l.gate(1);
    const granted: string[] = [];
    const held = l.hold(gate, () => granted.push('held'));
    await new Promise((r) => setTimeout(r, 50));
    expect(granted).toEqual(['held']);
    const blocked = start(l, gate, 'true');
    const dropped = l.hold(gate, () => granted.push('dropped'));
    await new Promise((r) => setTimeout(r, 100));
    expect(blocked.spawned()).toBe(false);
    dropped.release();
    held.release();
    held.release(); // idempotent
    expect((await blocked.exit).code).toBe(0);
    const again = await new Promise<string>((resolve) => l.hold(gate, () => resolve('granted again')));
    expect(again).toBe('granted again');
    expect(granted).toEqual(['held']);
  });

  test('a process that cannot start frees its slot', async () => {
    const l = launcher();
    const gate = l.gate(1);
    const missing = await new Promise<ProcessExit>((resolve) =>
      l.launch({ argv: ['no-such-command-xyz'], env: { PATH: '/usr/bin:/bin' }, gate }, { onSpawn: () => undefined, onStdout: () => undefined, onStderr: () => undefined, onExit: resolve }),
    );
    expect(missing.spawnError?.code).toBe('ENOENT');
    expect((await start(l, gate, 'exit 0').exit).code).toBe(0);
  });
});

test('when the spawner dies, requests waiting for a slot start through the next one, still gated', async () => {
  const s = new ResidentSpawner(new NodeLauncher(), (m) => {
    throw new Error(`unexpected warning: ${m}`);
  });
  spawners.push(s);
  const gate = s.gate(1);
  const file = join(dir, 'restart');
  writeFileSync(file, '');
  const running = start(s, gate, 'sleep 30');
  const waiting = [1, 2, 3].map((i) => start(s, gate, `echo +${i} >> ${file}; sleep 0.1; echo -${i} >> ${file}`));
  await new Promise((r) => setTimeout(r, 100));
  process.kill(s.helperPid!, 'SIGKILL');
  expect((await running.exit).signal).toBe('SIGKILL');
  const exits = await Promise.all(waiting.map((w) => w.exit));
  expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
  expect(mostAtOnce(readFileSync(file, 'utf8').trim().split('\n'))).toBe(1);
});
