#!/usr/bin/env node
/**
 * Same-round A/B of service benchmark (b) without the sandbox: the service built in two trees
 * (A, B: each a checkout with `npm ci && npm run build` done, e.g. `git worktree add` of the
 * commit to compare) started side by side, one worker each running N steps at a time, and
 * `make -j2` of the same 1,000-node DAG, in rotating order each round. Prints per round the
 * times, the ratios to make of that round and B / A, then medians and the CPU per node of each
 * service (worker, PostgreSQL backends, Redis). Writes bench/results/service-dag-ab.json.
 *
 *   node --expose-gc bench/service-dag-ab.mjs --a /path/to/tree-a [--b .] [--pods 2] [--rounds 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dagMakefileWith, randomDag, taskName } from './lib/dag.mjs';
import { podCommands, shellWord } from './lib/pod-commands.mjs';
import { environment, fmt, median, range, REPO_DIR, writeResult } from './lib/stats.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const trees = { A: arg('a'), B: arg('b', REPO_DIR) };
if (!trees.A) throw new Error('usage: service-dag-ab.mjs --a TREE [--b TREE] [--pods N] [--rounds N]');
const pods = Number(arg('pods', '2'));
const rounds = Number(arg('rounds', '5'));

const deps = randomDag(1000, 42);
const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-dag-ab-'));
const cmds = podCommands(deps, { workdir: join(dir, 'make'), uid: 'make-bench', sandboxed: false });
for (const c of cmds.values()) for (const d of c.mkdirs) mkdirSync(d, { recursive: true });
const first = cmds.get(taskName(0));
const makefile = join(dir, 'dag.mk');
writeFileSync(makefile, dagMakefileWith(deps, (i) => cmds.get(taskName(i)).argv.map(shellWord).join(' '), { PATH: first.env.PATH }));
const makeArgv = ['make', '-s', '-f', makefile, '-j2', 'all'];
const timeMake = () => {
  const t0 = performance.now();
  const r = spawnSync(makeArgv[0], makeArgv.slice(1), { cwd: dir, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${makeArgv.join(' ')} failed`);
  return performance.now() - t0;
};

const sides = {};
const make = [];
const loadAtStart = loadavg();
try {
  for (const [name, tree] of Object.entries(trees)) {
    const harness = await import(join(tree, 'bench/lib/service-harness.mjs'));
    const dag = await import(join(tree, 'bench/service-dag.mjs'));
    const service = await harness.startService({ label: `dag_ab_${name}_${pods}`, workers: 1, podConcurrency: pods, sandbox: 'none' });
    sides[name] = { tree, service, run: dag.runDagOnService, cpuDelta: harness.cpuDelta, wallMs: [], cpu: [] };
    await dag.runDagOnService(service, randomDag(100, 42), 'bench-dag-warmup');
  }
  const steps = ['make', 'A', 'B'];
  for (let r = 0; r < rounds; r++) {
    const row = {};
    for (const what of steps.map((_, i) => steps[(i + r) % steps.length])) {
      if (what === 'make') {
        row.make = timeMake();
        continue;
      }
      const side = sides[what];
      const before = await side.service.cpuSnapshot();
      const run = await side.run(side.service, deps, 'bench-dag');
      const cpu = side.cpuDelta(before, await side.service.cpuSnapshot());
      row[what] = run.wallMs;
      side.cpu.push({ total: cpu.total / deps.length, worker: cpu.workers / deps.length, postgres: cpu.postgres / deps.length, redis: cpu.redis / deps.length });
    }
    make.push(row.make);
    sides.A.wallMs.push(row.A);
    sides.B.wallMs.push(row.B);
    console.log(`round ${r + 1}/${rounds}: make ${fmt(row.make, 0)} ms, A ${fmt(row.A, 0)} ms (${fmt(row.A / row.make, 2)}×), B ${fmt(row.B, 0)} ms (${fmt(row.B / row.make, 2)}×), B / A ${fmt(row.B / row.A, 2)}, load ${fmt(loadavg()[0], 2)}`);
  }
} finally {
  for (const side of Object.values(sides)) await side.service.stop();
  rmSync(dir, { recursive: true, force: true });
}

const summary = (xs) => ({ median: median(xs), range: range(xs) });
const result = { pods, rounds, trees, makeMs: summary(make), loadAtStart, sides: {} };
for (const [name, side] of Object.entries(sides)) {
  result.sides[name] = {
    wallMs: summary(side.wallMs),
    ratioToMake: summary(side.wallMs.map((w, i) => w / make[i])),
    cpuMsPerNode: Object.fromEntries(['total', 'worker', 'postgres', 'redis'].map((k) => [k, median(side.cpu.map((c) => c[k]))])),
  };
}
result.bOverA = summary(sides.B.wallMs.map((b, i) => b / sides.A.wallMs[i]));
const show = ({ median: m, range: [lo, hi] }, digits = 2) => `${fmt(m, digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
console.log(`\n${pods} steps at a time, ${rounds} rounds: make -j2 ${show(result.makeMs, 0)} ms`);
for (const [name, s] of Object.entries(result.sides)) {
  const c = s.cpuMsPerNode;
  console.log(`  ${name} (${trees[name]}): ${show(s.wallMs, 0)} ms, ${show(s.ratioToMake)}× make; CPU ms per node ${fmt(c.total, 2)} (worker ${fmt(c.worker, 2)}, PostgreSQL ${fmt(c.postgres, 2)}, Redis ${fmt(c.redis, 2)})`);
}
console.log(`  B / A (same round): ${show(result.bOverA)}`);
console.log(`load average: ${loadAtStart.map((x) => fmt(x, 2)).join(', ')} at the start, ${loadavg().map((x) => fmt(x, 2)).join(', ')} at the end (2 cores)`);
console.log(`→ ${writeResult('service-dag-ab', { ...environment(), ...result })}`);
