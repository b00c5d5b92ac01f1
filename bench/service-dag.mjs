/**
 * Service benchmark (b) — the random 1,000-node DAG of `true` steps (seed 42, perf-floors d1,
 * lib/dag.mjs) submitted through the HTTP API to the service (API + worker child processes,
 * lib/service-harness.mjs), against `make -j2` running the very process the LocalExecutor starts
 * for each node (`true`, or its `bwrap … -- true` when sandboxed; lib/pod-commands.mjs, as in the
 * CLI bench). The worker runs at most 2 steps at a time (like -j2) or 16 (the service default).
 * Service time = HTTP request start → the workflow's Succeeded update. Runs interleaved per round;
 * ratio = median of the same-round ratios. The Node floor (lib/node-floor.mjs: spawn per node,
 * nothing else) is measured in the same rounds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBwrapUsable } from '@slipway/executors';
import { dagMakefileWith, dagStats, dagWorkflow, randomDag, taskName } from './lib/dag.mjs';
import { podCommands, shellWord } from './lib/pod-commands.mjs';
import { nowMs, startService } from './lib/service-harness.mjs';
import { BENCH_DIR, fmt, median, range } from './lib/stats.mjs';

export const TARGET_RATIO = 3;
const NODE_FLOOR = join(BENCH_DIR, 'lib/node-floor.mjs');

function timeCommand(argv, cwd) {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${String(r.stderr).slice(0, 2000)}`);
  return ms;
}

/** Submit the DAG and wait for it: wall ms, reconcile statistics, pod starts. */
export async function runDagOnService(service, deps, name, timeoutMs = 10 * 60_000) {
  const wf = dagWorkflow(deps, name);
  delete wf.metadata.name;
  wf.metadata.generateName = `${name}-`;
  await service.workerStats(true);
  const sub = await service.submit(wf);
  const [done] = await service.waitAll([sub.id], timeoutMs);
  if (done.phase !== 'Succeeded') throw new Error(`${name}: ended ${done.phase}`);
  const samples = (await service.workerStats(true)).filter((s) => s[4] === sub.id);
  const { rows } = await service.pool.query(`SELECT count(*)::int AS pods, max(attempts)::int AS max_attempts FROM pod_executions WHERE workflow_id = $1::uuid`, [sub.id]);
  if (rows[0].pods !== deps.length) throw new Error(`${name}: ${rows[0].pods} pods for ${deps.length} tasks`);
  if (rows[0].max_attempts !== 1) throw new Error(`${name}: a pod ran ${rows[0].max_attempts} times`);
  const events = samples.reduce((a, s) => a + s[3], 0);
  const reconcileMs = samples.reduce((a, s) => a + s[1], 0);
  return {
    id: sub.id,
    wallMs: done.at - sub.t0,
    httpMs: sub.t1 - sub.t0,
    reconciles: samples.length,
    events,
    reconcileMs,
    engineMs: samples.reduce((a, s) => a + s[2], 0),
    samples,
    phases: service.lastPhases,
  };
}

export async function serviceDagBench({ nodes = 1000, seed = 42, rounds = 3, podConcurrencies = [2, 16], parallelism = 2, modes, log = console.log } = {}) {
  const deps = randomDag(nodes, seed);
  const bwrap = isBwrapUsable();
  const wanted = modes ?? (bwrap ? ['bwrap', 'none'] : ['none']);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-svc-dag-'));
  const result = {
    nodes,
    seed,
    dag: dagStats(deps),
    rounds,
    podConcurrencies,
    parallelism,
    layout: 'per sandbox mode and pod concurrency: 1 API process + 1 worker process (child processes of the bench)',
    modes: {},
  };
  try {
    for (const mode of wanted) {
      const sandboxed = mode === 'bwrap';
      const cmds = podCommands(deps, { workdir: join(dir, `make-${mode}`), uid: 'make-bench', sandboxed });
      for (const c of cmds.values()) for (const d of c.mkdirs) mkdirSync(d, { recursive: true });
      const first = cmds.get(taskName(0));
      const makefile = join(dir, `dag-${mode}.mk`);
      writeFileSync(makefile, dagMakefileWith(deps, (i) => cmds.get(taskName(i)).argv.map(shellWord).join(' '), { PATH: first.env.PATH }));
      const job = join(dir, `floor-${mode}.json`);
      writeFileSync(job, JSON.stringify({ deps, argv: deps.map((_, i) => cmds.get(taskName(i)).argv), env: first.env }));
      const makeArgv = ['make', '-s', '-f', makefile, `-j${parallelism}`, 'all'];
      const floorArgv = [process.execPath, NODE_FLOOR, job, String(parallelism)];

      // One service per pod concurrency, started together and used in turn (an idle one waits on Redis).
      const services = [];
      const m = { exampleCommand: first.argv.map(shellWord).join(' '), makeCommand: makeArgv.join(' '), make: [], floor: [], service: {}, serviceRuns: {} };
      try {
        for (const pc of podConcurrencies) services.push([pc, await startService({ label: `dag_${mode}_${pc}`, workers: 1, podConcurrency: pc, sandbox: mode })]);
        for (const [pc, service] of services) {
          if (service.executorSandbox !== mode) throw new Error(`service executor runs ${service.executorSandbox}, wanted ${mode}`);
          m.service[pc] = [];
          m.serviceRuns[pc] = [];
          // Warm-up: page cache, JIT, connection pools.
          await runDagOnService(service, randomDag(100, seed), 'bench-dag-warmup');
        }
        timeCommand(makeArgv, dir);
        const steps = ['make', ...services.map(([pc]) => pc), 'floor'];
        for (let r = 0; r < rounds; r++) {
          // Rotate the order each round so no command always follows the same neighbour.
          const order = steps.map((_, i) => steps[(i + r) % steps.length]);
          for (const what of order) {
            if (what === 'make') m.make.push(timeCommand(makeArgv, dir));
            else if (what === 'floor') m.floor.push(timeCommand(floorArgv, dir));
            else {
              const service = services.find(([pc]) => pc === what)[1];
              const run = await runDagOnService(service, deps, 'bench-dag');
              m.service[what].push(run.wallMs);
              const { samples: _samples, ...summary } = run;
              m.serviceRuns[what].push(summary);
            }
          }
          const svc = services.map(([pc]) => `service (${pc} pods at a time) ${fmt(m.service[pc].at(-1), 0)} ms`).join(', ');
          log(`  service-dag ${mode} round ${r + 1}/${rounds}: make ${fmt(m.make.at(-1), 0)} ms, ${svc}, Node floor ${fmt(m.floor.at(-1), 0)} ms`);
        }
      } finally {
        await Promise.all(services.map(([, service]) => service.stop()));
      }
      const byConcurrency = {};
      for (const pc of podConcurrencies) {
        const paired = m.service[pc].map((x, i) => x / m.make[i]);
        const last = m.serviceRuns[pc].at(-1);
        byConcurrency[pc] = {
          samplesMs: m.service[pc],
          medianMs: median(m.service[pc]),
          rangeMs: range(m.service[pc]),
          ratio: median(paired),
          ratioRange: range(paired),
          eventsPerReconcile: last.events / last.reconciles,
          reconcileMsPerEvent: last.reconcileMs / last.events,
          runs: m.serviceRuns[pc],
          ok: median(paired) <= TARGET_RATIO,
        };
      }
      result.modes[mode] = {
        exampleCommand: m.exampleCommand,
        makeCommand: m.makeCommand,
        makeSamplesMs: m.make,
        floorSamplesMs: m.floor,
        makeMedianMs: median(m.make),
        floorMedianMs: median(m.floor),
        floorRatio: median(m.floor.map((f, i) => f / m.make[i])),
        service: byConcurrency,
        target: TARGET_RATIO,
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export function serviceDagTable(r) {
  const header = ['sandbox', 'pods at a time', 'make -j2 ms', 'service ms (range)', 'service / make', 'Node floor / make', 'events per reconcile', 'reconcile ms per event'];
  const rows = [];
  for (const [mode, m] of Object.entries(r.modes)) {
    for (const [pc, x] of Object.entries(m.service)) {
      rows.push([
        mode,
        pc,
        fmt(m.makeMedianMs, 0),
        `${fmt(x.medianMs, 0)} (${fmt(x.rangeMs[0], 0)}–${fmt(x.rangeMs[1], 0)})`,
        `${fmt(x.ratio, 2)}× (${fmt(x.ratioRange[0], 2)}–${fmt(x.ratioRange[1], 2)})`,
        `${fmt(m.floorRatio, 2)}×`,
        fmt(x.eventsPerReconcile, 2),
        fmt(x.reconcileMsPerEvent, 2),
      ]);
    }
  }
  const summary = Object.entries(r.modes)
    .flatMap(([mode, m]) =>
      Object.entries(m.service).map(
        ([pc, x]) => `sandbox ${mode}, ${pc} pods at a time: service / make -j2 = ${fmt(x.ratio, 2)}× (median of same-round ratios; target ≤ ${m.target}×): ${x.ok ? 'OK' : 'ABOVE TARGET'}`,
      ),
    )
    .join('\n');
  return { header, rows, summary };
}
