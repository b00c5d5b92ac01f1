/**
 * Service benchmark (c) — a 10,000-node workflow completing through the service, and the time to
 * process one node event at 10,000 vs 1,000 nodes. The random DAGs of lib/dag.mjs (seed 42) go
 * through the HTTP API to one API and one worker process (lib/service-harness.mjs). Every
 * reconcile of the workflow is timed inside the worker (lib/service-worker.mjs wraps
 * `ReconcileService.reconcileNow`: reading the version and inbox, the engine, the save, the
 * actions, the update publish; the keyed-mutex wait is not included) together with the number of
 * events it applied. Time per node event = Σ reconcile time / Σ events; a reconcile applies all
 * events waiting in the inbox, so the number of events per reconcile is reported beside it.
 */
import { dagStats, randomDag } from './lib/dag.mjs';
import { percentile, startService } from './lib/service-harness.mjs';
import { fmt, median } from './lib/stats.mjs';
import { runDagOnService } from './service-dag.mjs';

export const TARGET_RATIO = 2;

export async function serviceScaleBench({ sizes = [1000, 10000], seed = 42, rounds = 1, podConcurrency = 16, sandbox = 'auto', log = console.log } = {}) {
  const service = await startService({ label: 'scale', workers: 1, podConcurrency, sandbox });
  const rows = [];
  try {
    log(`  service: API + 1 worker process, pod concurrency ${podConcurrency}, sandbox ${service.executorSandbox}`);
    await runDagOnService(service, randomDag(200, seed), 'bench-scale-warmup');
    const runs = new Map(sizes.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const n of sizes) {
        const run = await runDagOnService(service, randomDag(n, seed), `bench-scale-${n}`, 30 * 60_000);
        runs.get(n).push(run);
        log(`  service-scale n=${n} round ${r + 1}/${rounds}: ${fmt(run.wallMs, 0)} ms, ${run.reconciles} reconciles, ${run.events} events, ${fmt((run.reconcileMs * 1000) / run.events, 0)} µs per event`);
        // The next run starts from an empty database table set, as far as this workflow goes.
        await service.pool.query(`DELETE FROM workflows WHERE id = $1::uuid`, [run.id]);
      }
    }
    for (const n of sizes) {
      const list = runs.get(n);
      const perEvent = list.map((run) => (run.reconcileMs * 1000) / run.events);
      const all = list.flatMap((run) => run.samples);
      const single = all.filter((s) => s[3] === 1).map((s) => s[1]);
      rows.push({
        nodes: n,
        dag: dagStats(randomDag(n, seed)),
        wallMs: median(list.map((run) => run.wallMs)),
        nodesPerSecond: (n * 1000) / median(list.map((run) => run.wallMs)),
        reconciles: median(list.map((run) => run.reconciles)),
        events: median(list.map((run) => run.events)),
        eventsPerReconcile: median(list.map((run) => run.events / run.reconciles)),
        usPerEvent: median(perEvent),
        usPerEventRuns: perEvent,
        reconcileMedianMs: median(all.map((s) => s[1])),
        reconcileP99Ms: percentile(all.map((s) => s[1]), 99),
        singleEventReconcileMedianMs: single.length ? median(single) : null,
        singleEventReconciles: single.length,
        engineUsPerEvent: median(list.map((run) => (run.engineMs * 1000) / run.events)),
        phases: Object.fromEntries(Object.entries(list.at(-1).phases).map(([k, p]) => [k, { calls: p.calls, meanMs: p.ms / p.calls }])),
      });
    }
  } finally {
    await service.stop();
  }
  const small = rows[0];
  const large = rows.at(-1);
  const ratio = large.usPerEvent / small.usPerEvent;
  return {
    seed,
    rounds,
    podConcurrency,
    sandbox: service.executorSandbox,
    layout: '1 API process + 1 worker process (child processes of the bench)',
    rows,
    ratio: { of: `t_event(${large.nodes}) / t_event(${small.nodes})`, value: ratio, target: TARGET_RATIO, ok: ratio <= TARGET_RATIO },
    reconcileMedianRatio: large.reconcileMedianMs / small.reconcileMedianMs,
  };
}

export function serviceScaleTable(r) {
  const header = ['nodes', 'wall ms', 'nodes/s', 'reconciles', 'events', 'events per reconcile', 'µs per event', 'reconcile p50 / p99 ms', 'engine µs per event'];
  const rows = r.rows.map((x) => [
    x.nodes,
    fmt(x.wallMs, 0),
    fmt(x.nodesPerSecond, 0),
    x.reconciles,
    x.events,
    fmt(x.eventsPerReconcile, 2),
    fmt(x.usPerEvent, 0),
    `${fmt(x.reconcileMedianMs, 2)} / ${fmt(x.reconcileP99Ms, 1)}`,
    fmt(x.engineUsPerEvent, 0),
  ]);
  const summary = `${r.ratio.of} = ${fmt(r.ratio.value, 2)} (target ≤ ${r.ratio.target}): ${r.ratio.ok ? 'OK' : 'ABOVE TARGET'}; median reconcile 10k / 1k = ${fmt(r.reconcileMedianRatio, 2)}`;
  return { header, rows, summary };
}
