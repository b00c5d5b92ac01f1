/**
 * Service benchmark (a) — 1,000 single-step workflows (`command: ["true"]`) submitted through the
 * HTTP API (`POST /api/v1/workflows/default`, bootstrap admin token) to one API process and
 * N worker processes (child processes, see lib/service-harness.mjs), local executor sandboxed
 * with bwrap when it works.
 *
 * Phases on one fresh service (default: 2 worker processes, 16 steps at a time each):
 *  - burst: all workflows submitted by `concurrency` clients as fast as the API answers;
 *    workflows per minute = n / (first request start → last workflow Succeeded);
 *  - paced: the same number submitted open-loop at `rate` per second (the 3,000/min target is
 *    50/s), the load under which submit-to-first-step-start latency is judged;
 *  - light: `lightN` workflows at `lightRate` per second (the latency with little queueing);
 *  - floor ("ideal", in this bench process): the same pods run by a LocalExecutor directly,
 *    `podConcurrency × workers` at a time, no API, queue or database — the most the executor
 *    itself allows on this machine right now.
 * First step start = the spawn of the step's main container (pod_executions.result.startedAt,
 * epoch ms) minus the start of the HTTP request (same clock, same machine); the claim time
 * (pod_executions.started_at) is reported beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '@slipway/engine';
import { LocalExecutor } from '@slipway/executors';
import { InMemoryTemplateLibrary, instantiateWorkflow } from '@slipway/workflow';
import { cpuDelta, nowMs, paced, percentile, pooled, startService } from './lib/service-harness.mjs';
import { fmt, median } from './lib/stats.mjs';

export const TARGETS = { workflowsPerMinute: 3000, p50Ms: 50, p99Ms: 250 };

export function oneStepWorkflow() {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'bench-one-' },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine:3', command: ['true'] } }] },
  };
}

const pct = (v) => ({ p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99), max: Math.max(...v) });

/**
 * Submit → first step start, and where the time goes (medians): the HTTP request, waiting for
 * the first reconcile, that reconcile, waiting for the pod job and its claim, claim → spawn.
 */
function latencyStats(subs, starts, samples) {
  const byId = new Map(starts.map((r) => [r.id, r]));
  const firstReconcile = new Map();
  for (const x of samples) if (!firstReconcile.has(x[4]) || firstReconcile.get(x[4])[0] > x[0]) firstReconcile.set(x[4], x);
  const spawn = [];
  const claim = [];
  const parts = { http: [], toFirstReconcile: [], firstReconcile: [], toClaim: [], claimToSpawn: [] };
  for (const s of subs) {
    const row = byId.get(s.id);
    if (!row || row.spawned_at === null) continue;
    const claimed = row.started_at.getTime();
    spawn.push(row.spawned_at - s.t0);
    claim.push(claimed - s.t0);
    const r1 = firstReconcile.get(s.id);
    if (!r1) continue;
    parts.http.push(s.t1 - s.t0);
    parts.toFirstReconcile.push(r1[0] - s.t1);
    parts.firstReconcile.push(r1[1]);
    parts.toClaim.push(claimed - (r1[0] + r1[1]));
    parts.claimToSpawn.push(row.spawned_at - claimed);
  }
  const http = subs.map((s) => s.t1 - s.t0);
  return {
    measured: spawn.length,
    submitToStepStartMs: pct(spawn),
    submitToClaimMs: pct(claim),
    httpMs: pct(http),
    breakdownMedianMs: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, percentile(v, 50)])),
    reruns: starts.filter((r) => r.attempts > 1).length,
  };
}

function reconcileStats(samples, ids) {
  const mine = ids ? samples.filter((s) => ids.has(s[4])) : samples;
  const events = mine.reduce((a, s) => a + s[3], 0);
  return {
    reconciles: mine.length,
    events,
    eventsPerReconcile: events / Math.max(1, mine.length),
    medianMs: median(mine.map((s) => s[1])),
    p99Ms: percentile(mine.map((s) => s[1]), 99),
    engineMedianMs: median(mine.map((s) => s[2])),
  };
}

async function phase(service, name, n, submitAll, log) {
  const cpu0 = await service.cpuSnapshot();
  const t0 = nowMs();
  const subs = await submitAll();
  const tSubmitted = nowMs();
  const ids = subs.map((s) => s.id);
  const done = await service.waitAll(ids, 10 * 60_000);
  const failed = done.filter((d) => d.phase !== 'Succeeded').length;
  if (failed > 0) throw new Error(`${name}: ${failed} of ${n} workflows did not succeed`);
  const tEnd = Math.max(...done.map((d) => d.at));
  const cpu = cpuDelta(cpu0, await service.cpuSnapshot());
  const starts = await service.podStarts(ids);
  const samples = await service.workerStats(true);
  const wallMs = tEnd - t0;
  const result = {
    workflows: n,
    wallMs,
    submitMs: tSubmitted - t0,
    workflowsPerMinute: (n * 60_000) / wallMs,
    ...latencyStats(subs, starts, samples),
    reconcile: reconcileStats(samples, new Set(ids)),
    workerRssMB: service.workerRssBytes.map((b) => Math.round(b / 1e6)),
    workerPhases: Object.fromEntries(Object.entries(service.lastPhases).map(([k, p]) => [k, { calls: p.calls, meanMs: p.ms / p.calls }])),
    cpuMsPerWorkflow: Object.fromEntries(Object.entries(cpu).filter(([k]) => k !== 'wallMs').map(([k, v]) => [k, v / n])),
  };
  log(`  ${name}: ${fmt(result.workflowsPerMinute, 0)} workflows/min (${fmt(wallMs, 0)} ms), step start p50 ${fmt(result.submitToStepStartMs.p50, 1)} ms p99 ${fmt(result.submitToStepStartMs.p99, 1)} ms, HTTP p50 ${fmt(result.httpMs.p50, 1)} ms`);
  return result;
}

/** The pods the service runs for `n` one-step workflows, run by a LocalExecutor in this process. */
async function executorFloor(n, concurrency, sandbox) {
  const workdir = mkdtempSync(join(tmpdir(), 'slipway-bench-floor-'));
  const executor = new LocalExecutor({ workdir, sandbox, warn: () => {} });
  const requests = [];
  for (let i = 0; i < n; i++) {
    const wf = instantiateWorkflow(oneStepWorkflow(), { nameSuffix: `f${i}`, uid: crypto.randomUUID(), now: Date.now() });
    const { pods } = simulate(wf, new InMemoryTemplateLibrary(), () => ({ durationMs: 1 }));
    requests.push(pods[0]);
  }
  const t0 = nowMs();
  const lags = [];
  await pooled(n, concurrency, (i) => {
    const asked = nowMs();
    return new Promise((resolve, reject) => {
      executor.start(requests[i], {
        podStarted: (_id, at) => lags.push(at - asked),
        podReady: () => {},
        podFinished: (r) => (r.phase === 'Succeeded' ? resolve() : reject(new Error(`floor pod ${r.phase}: ${r.message}`))),
      });
    });
  });
  const wallMs = nowMs() - t0;
  await executor.close();
  rmSync(workdir, { recursive: true, force: true });
  return { pods: n, concurrency, sandbox: executor.sandboxMode, wallMs, workflowsPerMinute: (n * 60_000) / wallMs, startLagP50Ms: percentile(lags, 50), startLagP99Ms: percentile(lags, 99) };
}

export async function serviceThroughputBench({ n = 1000, workers = 2, podConcurrency = 16, concurrency = 32, rate = 50, lightN = 200, lightRate = 10, sandbox = 'auto', warmup = 100, dbPool = 10, cpuProfDir, workerExecArgv, workerEnvs, log = console.log } = {}) {
  const service = await startService({ label: 'throughput', workers, podConcurrency, sandbox, dbPool, cpuProfDir, workerExecArgv, workerEnvs });
  try {
    log(`  service: API ${service.url} + ${workers} worker process(es), pod concurrency ${podConcurrency}, sandbox ${service.executorSandbox}, synchronous_commit=${service.postgres.synchronousCommit}`);
    // Warm-up: JIT, connection pools, the bwrap probe.
    const w = await pooled(warmup, 8, () => service.submit(oneStepWorkflow()));
    await service.waitAll(w.map((s) => s.id), 120_000);
    await service.workerStats(true);
    const floor = await executorFloor(n, podConcurrency * workers, service.executorSandbox);
    log(`  floor (LocalExecutor alone, ${floor.concurrency} at a time): ${fmt(floor.workflowsPerMinute, 0)} pods/min`);
    const burst = await phase(service, `burst (${concurrency} clients)`, n, () => pooled(n, concurrency, () => service.submit(oneStepWorkflow())), log);
    const pacedRun = await phase(service, `paced (${rate}/s)`, n, () => paced(n, rate, () => service.submit(oneStepWorkflow())), log);
    const light = await phase(service, `light (${lightRate}/s)`, lightN, () => paced(lightN, lightRate, () => service.submit(oneStepWorkflow())), log);
    const ok = {
      workflowsPerMinute: burst.workflowsPerMinute >= TARGETS.workflowsPerMinute,
      p50: pacedRun.submitToStepStartMs.p50 <= TARGETS.p50Ms,
      p99: pacedRun.submitToStepStartMs.p99 <= TARGETS.p99Ms,
    };
    return {
      n,
      layout: `1 API process + ${workers} worker process(es), child processes of the bench; HTTP clients in the bench process`,
      workers,
      podConcurrency,
      clients: concurrency,
      pacedRate: rate,
      sandbox: service.executorSandbox,
      postgres: service.postgres,
      floor,
      burst,
      paced: pacedRun,
      light,
      lightRate,
      burstOverFloor: burst.workflowsPerMinute / floor.workflowsPerMinute,
      targets: TARGETS,
      ok,
    };
  } finally {
    await service.stop();
  }
}

export function serviceThroughputTable(r) {
  const row = (name, p) => [
    name,
    fmt(p.workflowsPerMinute, 0),
    fmt(p.submitToStepStartMs.p50, 1),
    fmt(p.submitToStepStartMs.p99, 1),
    fmt(p.submitToClaimMs.p50, 1),
    `${fmt(p.httpMs.p50, 1)} / ${fmt(p.httpMs.p99, 1)}`,
    `${fmt(p.reconcile.eventsPerReconcile, 2)} / ${fmt(p.reconcile.medianMs, 1)}`,
  ];
  const header = ['phase', 'workflows/min', 'step start p50 ms', 'p99 ms', 'claim p50 ms', 'HTTP p50 / p99 ms', 'events per reconcile / reconcile ms'];
  const rows = [
    row(`burst, ${r.clients} clients`, r.burst),
    row(`paced ${r.pacedRate}/s (${fmt(r.pacedRate * 60, 0)}/min)`, r.paced),
    row(`light: ${r.light.workflows} at ${r.lightRate}/s`, r.light),
    [`floor: LocalExecutor alone, ${r.floor.concurrency} at a time`, fmt(r.floor.workflowsPerMinute, 0), fmt(r.floor.startLagP50Ms, 1), fmt(r.floor.startLagP99Ms, 1), '', '', ''],
  ];
  const t = r.targets;
  const cpu = (p) => p.cpuMsPerWorkflow;
  const cpuLine = (name, p) =>
    `${name}: ${fmt(cpu(p).total, 1)} ms CPU per workflow for the service (API ${fmt(cpu(p).api, 1)}, workers ${fmt(cpu(p).workers, 1)}, step processes ${fmt(cpu(p).pods, 1)}, PostgreSQL ${fmt(cpu(p).postgres, 1)}, Redis ${fmt(cpu(p).redis, 1)}) plus ${fmt(cpu(p).bench, 1)} for the bench's HTTP client; the whole machine used ${fmt(cpu(p).machine, 1)} ms per workflow meanwhile, so ${fmt(100 * (1 - (cpu(p).total + cpu(p).bench) / cpu(p).machine), 0)}% of the CPU went to other processes`;
  const b = r.paced.breakdownMedianMs;
  const summary = [
    cpuLine('burst', r.burst),
    cpuLine('paced', r.paced),
    `CPU-bound estimate on an otherwise idle 2-core machine: ${fmt((2 * 60_000) / cpu(r.burst).total, 0)} workflows/min`,
    `paced latency, medians: HTTP ${fmt(b.http, 1)} ms, → first reconcile starts ${fmt(b.toFirstReconcile, 1)} ms, first reconcile ${fmt(b.firstReconcile, 1)} ms, → pod claimed ${fmt(b.toClaim, 1)} ms, claim → spawn ${fmt(b.claimToSpawn, 1)} ms; the step's fork blocks a worker's event loop ${fmt(r.paced.workerPhases['executor.spawn']?.meanMs, 1)} ms on average`,
    `throughput (burst): ${fmt(r.burst.workflowsPerMinute, 0)} workflows/min (target ≥ ${t.workflowsPerMinute}): ${r.ok.workflowsPerMinute ? 'OK' : 'BELOW TARGET'}; ${fmt(r.burstOverFloor * 100, 0)}% of the executor floor measured in the same run`,
    `submit → first step start at ${r.pacedRate}/s: p50 ${fmt(r.paced.submitToStepStartMs.p50, 1)} ms (target ≤ ${t.p50Ms}): ${r.ok.p50 ? 'OK' : 'ABOVE TARGET'}, p99 ${fmt(r.paced.submitToStepStartMs.p99, 1)} ms (target ≤ ${t.p99Ms}): ${r.ok.p99 ? 'OK' : 'ABOVE TARGET'}`,
  ].join('\n');
  return { header, rows, summary };
}
