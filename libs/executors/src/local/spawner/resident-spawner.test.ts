/** The resident spawner against real processes: what a container start relies on. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { nodeLauncher, type Launcher, type LaunchRequest, type ProcessExit } from './launcher.js';
import { encodeRequest, exitOf, ResidentSpawner } from './resident-spawner.js';
import { fnv1a64, SPAWNER_SOURCES, spawnerBinary, spawnerSourceHash } from './spawner-binary.js';

interface Run {
  pid?: number;
  stdout: string;
  stderr: string;
  /** The exit without its time (see endedAt). */
  exit: ProcessExit;
  /** The exit's `endedAt`, and the wall-clock times of the spawn and of the exit report's arrival. */
  endedAt?: number;
  spawnedAt?: number;
  reportedAt: number;
}

function run(launcher: Launcher, request: Partial<LaunchRequest> & { argv: string[] }, onSpawn?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let pid: number | undefined;
    let spawnedAt: number | undefined;
    launcher.launch(
      { env: { PATH: process.env.PATH }, ...request },
      {
        onSpawn: (p, at) => {
          pid = p;
          spawnedAt = at;
          onSpawn?.(p);
        },
        onStdout: (c) => out.push(c),
        onStderr: (c) => err.push(c),
        onExit: ({ endedAt, ...exit }) =>
          resolve({ pid, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exit, endedAt, spawnedAt, reportedAt: Date.now() }),
      },
    );
  });
}

/** Running (a zombie waiting for its reaper does not count). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

const dir = mkdtempSync(join(tmpdir(), 'slipway-spawner-'));
const spawners: ResidentSpawner[] = [];
function residentSpawner(): ResidentSpawner {
  const s = new ResidentSpawner(nodeLauncher, (m) => {
    throw new Error(`unexpected warning: ${m}`);
  });
  spawners.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(spawners.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

test('the spawner builds from its C sources on this machine, named by the hash of all of them', () => {
  const binary = spawnerBinary();
  expect(binary).toHaveProperty('path');
  expect((binary as { path: string }).path.endsWith(`/slipway-spawner-${spawnerSourceHash()}`)).toBe(true);
  // Every C file of its directory is compiled or hashed: a new one cannot be left out of the name.
  const dir = dirname(SPAWNER_SOURCES[0]);
  expect(SPAWNER_SOURCES.map((f) => basename(f)).sort()).toEqual(readdirSync(dir).filter((f) => /\.[ch]$/.test(f)).sort());
});

test('the source hash is FNV-1a 64 (its published test vectors)', () => {
  expect(fnv1a64(Buffer.from(''))).toBe('cbf29ce484222325');
  expect(fnv1a64(Buffer.from('a'))).toBe('af63dc4c8601ec8c');
  expect(fnv1a64(Buffer.from('foobar'))).toBe('85944171f73967e8');
});

describe.each(['resident', 'node'] as const)('launcher: %s', (kind) => {
  const launcher = (): Launcher => (kind === 'resident' ? residentSpawner() : nodeLauncher);

  test('stdout, stderr and the exit code arrive', async () => {
    const r = await run(launcher(), { argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exit: { code: 3, signal: null } });
  });

  test('the exit carries when the process ended, which the report may arrive after', async () => {
    const r = await run(launcher(), { argv: ['sh', '-c', 'sleep 0.05'] });
    // (The start time is taken around the spawn, so under load the process may have run a while by then.)
    expect(r.endedAt).toBeGreaterThanOrEqual(r.spawnedAt!);
    expect(r.endedAt).toBeLessThanOrEqual(r.reportedAt);
  });

  test('death by a signal is reported by name', async () => {
    const r = await run(launcher(), { argv: ['sh', '-c', 'kill -TERM $$'] });
    expect(r.exit).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('a probe directory is examined as the process ends by the resident spawner (the caller looks itself after Node\'s spawn)', async () => {
    const fresh = () => mkdtempSync(join(dir, `probe-${kind}-`));
    const [untouched, written, opened] = [fresh(), fresh(), fresh()];
    chmodSync(opened, 0o755);
    const [a, b, c, none] = await Promise.all([
      run(launcher(), { argv: ['true'], cwd: untouched, probeDir: untouched }),
      run(launcher(), { argv: ['sh', '-c', 'touch left-behind; exit 4'], cwd: written, probeDir: written }),
      run(launcher(), { argv: ['true'], probeDir: opened }),
      run(launcher(), { argv: ['true'], cwd: untouched }),
    ]);
    if (kind === 'resident') {
      expect([a.exit, b.exit, c.exit]).toEqual([
        { code: 0, signal: null, probeEmpty: true },
        { code: 4, signal: null, probeEmpty: false },
        { code: 0, signal: null, probeEmpty: false },
      ]);
    } else {
      for (const r of [a, b, c]) expect(r.exit.probeEmpty).toBeUndefined();
    }
    expect(none.exit).toEqual({ code: 0, signal: null });
  });

  test('a missing command is ENOENT, a file without the execute bit EACCES, in the shape Node gives', async () => {
    const notExecutable = join(dir, `plain-${kind}`);
    writeFileSync(notExecutable, 'echo hi\n');
    const [missing, denied] = await Promise.all([
      run(launcher(), { argv: ['no-such-command-xyz'] }),
      run(launcher(), { argv: [notExecutable] }),
    ]);
    expect(missing.exit.spawnError).toMatchObject({ code: 'ENOENT', errno: -2, path: 'no-such-command-xyz' });
    expect(denied.exit.spawnError).toMatchObject({ code: 'EACCES', errno: -13 });
  });

  test('the working directory, exactly the given environment, and PATH lookup in that environment', async () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'my-tool'), '#!/bin/sh\necho "tool in $(pwd) FOO=$FOO HOME=${HOME:-unset}"\n');
    chmodSync(join(bin, 'my-tool'), 0o755);
    const r = await run(launcher(), { argv: ['my-tool'], cwd: '/usr', env: { PATH: `${bin}:/usr/bin:/bin`, FOO: 'a b' } });
    expect(r.stdout).toBe('tool in /usr FOO=a b HOME=unset\n');
  });

  test('the process leads its own process group, with default signal dispositions and no blocked signals', async () => {
    // `exec`: the process reads its own /proc entry (a shell blocks signals while it forks).
    const [group, signals] = await Promise.all([
      run(launcher(), { argv: ['sh', '-c', 'exec cut -d" " -f5 /proc/self/stat'] }),
      run(launcher(), { argv: ['sh', '-c', 'exec grep -E "^Sig(Ign|Blk)" /proc/self/status'] }),
    ]);
    expect(Number(group.stdout.trim())).toBe(group.pid);
    // An ignored disposition survives exec: an inherited ignored SIGPIPE would show here.
    expect(signals.stdout.trim().split('\n')).toEqual(['SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000000']);
  });

  test('when the main process exits, the rest of its group is killed (like a pod whose PID 1 ended)', async () => {
    const r = await run(launcher(), { argv: ['sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo $!'] });
    const background = Number(r.stdout.trim());
    expect(r.exit.code).toBe(0);
    expect(await until(() => !alive(background))).toBe(true);
  });

  test('a megabyte of output arrives whole and in order', async () => {
    const r = await run(launcher(), { argv: ['sh', '-c', 'seq 1 200000'] });
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(200000);
    expect(lines[199999]).toBe('200000');
    expect(r.stdout.length).toBeGreaterThan(1_000_000);
  });
});

describe('resident spawner', () => {
  test('many processes at once each get their own output and status', async () => {
    const s = residentSpawner();
    const runs = await Promise.all(Array.from({ length: 50 }, (_, i) => run(s, { argv: ['sh', '-c', `echo ${i}; exit ${i % 7}`] })));
    runs.forEach((r, i) => expect(r).toMatchObject({ stdout: `${i}\n`, exit: { code: i % 7 } }));
  });

  test('processes given the same frozen environment each see it whole; one that changed is sent as it is now', async () => {
    const s = residentSpawner();
    const env = Object.freeze({ PATH: process.env.PATH, ONE: '1', TWO: 'two words' });
    const runs = await Promise.all([1, 2, 3].map(() => run(s, { argv: ['sh', '-c', 'echo "$ONE|$TWO"'], env })));
    for (const r of runs) expect(r.stdout).toBe('1|two words\n');
    const other = await run(s, { argv: ['sh', '-c', 'echo "${ONE-unset}"'], env: { PATH: process.env.PATH } });
    expect(other.stdout).toBe('unset\n');
    // An environment that is not frozen may change between launches: each sees it as it is then.
    const mutable: NodeJS.ProcessEnv = { PATH: process.env.PATH, ONE: 'first' };
    const first = await run(s, { argv: ['sh', '-c', 'echo "$ONE"'], env: mutable });
    mutable.ONE = 'second';
    const second = await run(s, { argv: ['sh', '-c', 'echo "$ONE"'], env: mutable });
    expect([first.stdout, second.stdout]).toEqual(['first\n', 'second\n']);
  });

  test('an exit status is read as the helper writes it, with the probe\'s finding when there was one', () => {
    const read = exitOf;
    expect(read('{"code":0,"signal":null}')).toEqual({ code: 0, signal: null });
    expect(read('{"code":137,"signal":null,"empty":false}')).toEqual({ code: 137, signal: null, probeEmpty: false });
    expect(read('{"code":null,"signal":"SIGKILL","empty":true}')).toEqual({ code: null, signal: 'SIGKILL', probeEmpty: true });
    expect(read('{"code":null,"signal":"SIGTERM"}')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(read('{"code":0,"signal":null,"empty":true,"at":1795000000123}')).toEqual({ code: 0, signal: null, probeEmpty: true, endedAt: 1795000000123 });
    expect(read('{"code":2,"signal":null,"at":1795000000123}')).toEqual({ code: 2, signal: null, endedAt: 1795000000123 });
    expect(read('{"code":null,"signal":"SIGKILL","at":1795000000123}')).toEqual({ code: null, signal: 'SIGKILL', endedAt: 1795000000123 });
  });

  test('a request its gate can start at once goes out at once, not when this turn of the event loop ends', async () => {
    const spawner = residentSpawner();
    await run(spawner, { argv: ['true'] }); // the helper is up
    const gate = spawner.gate(2);
    const launchedAt = Date.now();
    const first = run(spawner, { argv: ['true'], gate });
    // The rest of a long turn: a reconcile preparing many more pods, say.
    while (Date.now() - launchedAt < 300) {
      /* busy */
    }
    const r = await first;
    expect(r.spawnedAt! - launchedAt).toBeLessThan(200);
    spawner.dropGate(gate);
  });

  test('a NUL byte in an argument is refused before anything starts', async () => {
    expect(encodeRequest(1, { argv: ['echo', 'a\0b'], env: {} })).toMatch(/NUL byte/);
    expect(encodeRequest(1, { argv: ['true'], env: {}, probeDir: '/tmp/a\0b' })).toMatch(/NUL byte/);
    expect(encodeRequest(1, { argv: ['echo'], env: { A: 'x\0y' } })).toMatch(/NUL byte/);
    const r = await run(residentSpawner(), { argv: ['echo', 'a\0b'] });
    expect(r.exit.spawnError?.code).toBe('EINVAL');
  });

  test('if the spawner dies, its running processes are killed and reported, and the next start uses a new one', async () => {
    const s = residentSpawner();
    let sleeper = 0;
    const running = run(s, { argv: ['sleep', '30'] }, (pid) => (sleeper = pid));
    expect(await until(() => sleeper > 0)).toBe(true);
    const first = s.helperPid!;
    process.kill(first, 'SIGKILL');
    const r = await running;
    expect(r.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(r.stderr).toMatch(/process spawner .* ended/);
    expect(await until(() => !alive(sleeper))).toBe(true);
    const next = await run(s, { argv: ['true'] });
    expect(next.exit.code).toBe(0);
    expect(s.helperPid).not.toBe(first);
  });

  test('close kills what still runs and resolves once the helper has exited and been reaped', async () => {
    const s = residentSpawner();
    let sleeper = 0;
    const running = run(s, { argv: ['sleep', '30'] }, (pid) => (sleeper = pid));
    expect(await until(() => sleeper > 0)).toBe(true);
    const helper = s.helperPid!;
    await s.close();
    expect(alive(helper)).toBe(false);
    expect((await running).exit.signal).toBe('SIGKILL');
    expect(await until(() => !alive(sleeper))).toBe(true);
  });

  test('when Node dies without cleaning up (its end of the pipe closes), the spawner kills every process it started', async () => {
    const binary = spawnerBinary();
    if (!('path' in binary)) throw new Error(binary.problem);
    const helper = spawn(binary.path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const frames: Buffer[] = [];
    const started = new Promise<number>((resolve) =>
      helper.stdout.on('data', (d: Buffer) => {
        frames.push(d);
        const all = Buffer.concat(frames);
        // H frame (9 + 17 bytes), then S frame: header + "PID MS"
        const at = all.indexOf('S', 26);
        if (at >= 0 && all.length >= at + 9 + all.readUInt32BE(at + 5)) resolve(Number(all.subarray(at + 9, at + 9 + all.readUInt32BE(at + 5)).toString().split(' ')[0]));
      }),
    );
    helper.stdin.write(encodeRequest(7, { argv: ['sleep', '30'], env: { PATH: process.env.PATH } }));
    const pid = await started;
    expect(alive(pid)).toBe(true);
    const closed = new Promise((resolve) => helper.once('close', resolve));
    helper.stdin.end();
    expect(await until(() => !alive(pid))).toBe(true);
    expect(await closed).toBe(0);
  });

  test('a helper started ahead (prepare) runs the first launch; idle, it neither keeps Node alive nor outlives it', async () => {
    const s = new ResidentSpawner();
    s.prepare();
    const helper = s.helperPid!;
    expect(alive(helper)).toBe(true);
    expect((await run(s, { argv: ['sh', '-c', 'echo ready'] })).stdout).toBe('ready\n');
    expect(s.helperPid).toBe(helper);
    await s.close();
    // In a process of its own (the built module): prepare, then nothing else to do.
    const module = new URL('../../../dist/local/spawner/resident-spawner.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `const { ResidentSpawner } = await import(${JSON.stringify(module)}); const s = new ResidentSpawner(); s.prepare(); console.log(s.helperPid);`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    const orphan = Number(out.trim());
    expect(orphan).toBeGreaterThan(0);
    expect(await until(() => !alive(orphan))).toBe(true);
  });

  test('without a usable spawner executable it warns once and starts processes with Node', async () => {
    const warnings: string[] = [];
    const s = new ResidentSpawner(nodeLauncher, (m) => warnings.push(m), () => ({ problem: 'cc failed: not installed' }));
    const [a, b] = await Promise.all([run(s, { argv: ['sh', '-c', 'echo a'] }), run(s, { argv: ['sh', '-c', 'echo b'] })]);
    expect([a.stdout, b.stdout]).toEqual(['a\n', 'b\n']);
    expect(warnings).toEqual([expect.stringMatching(/not available \(cc failed: not installed\).*Node's child_process/)]);
    expect(s.usable).toBe(false);
  });
});
