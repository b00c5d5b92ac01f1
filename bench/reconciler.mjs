/**
 * Benchmark 1 — the reconciler alone. A random DAG (perf-floors d1's generator) of N container
 * tasks is driven by `simulate` with an instant fake executor (every pod takes 1 virtual ms) and
 * one event per reconcile. Only time spent inside `WorkflowReconciler.reconcile` is counted.
 * Per-event cost must not grow with the DAG: t_event(10k) / t_event(1k) ≤ 12 (aim: 1–2).
 */
import { simulate, WorkflowReconciler } from '@slipway/engine';
import { InMemoryTemplateLibrary, instantiateWorkflow } from '@slipway/workflow';
import { dagStats, dagWorkflow, randomDag } from './lib/dag.mjs';
import { fmt, median, range } from './lib/stats.mjs';

const START = Date.parse('2026-01-01T00:00:00Z');

/** Wrap `reconcile` once to add up the time spent in it. */
const timing = { ms: 0, calls: 0 };
const original = WorkflowReconciler.prototype.reconcile;
WorkflowReconciler.prototype.reconcile = function timedReconcile(events, now) {
  const t0 = performance.now();
  try {
    return original.call(this, events, now);
  } finally {
    timing.ms += performance.now() - t0;
    timing.calls++;
  }
};

function once(deps) {
  const workflow = instantiateWorkflow(dagWorkflow(deps), { nameSuffix: 'bench', uid: 'bench-uid', now: START });
  globalThis.gc?.();
  timing.ms = 0;
  timing.calls = 0;
  const t0 = performance.now();
  const result = simulate(workflow, new InMemoryTemplateLibrary(), () => ({ durationMs: 1 }), { eventAtATime: true, start: START });
  const wallMs = performance.now() - t0;
  const phase = result.workflow.status?.phase;
  if (phase !== 'Succeeded' || result.pods.length !== deps.length) {
    throw new Error(`simulated run of ${deps.length} tasks ended ${phase} with ${result.pods.length} pods`);
  }
  return { reconcileMs: timing.ms, wallMs, reconciles: result.reconciles, events: result.events, pods: result.pods.length };
}

export function reconcilerBench({ sizes = [1000, 10000], rounds = 5, seed = 42, log = console.log } = {}) {
  const dags = new Map(sizes.map((n) => [n, randomDag(n, seed)]));
  once(dags.get(sizes[0])); // warm-up: JIT, module caches
  const samples = new Map(sizes.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      const s = once(dags.get(n));
      samples.get(n).push(s);
      log(`  reconciler n=${n} round ${r + 1}/${rounds}: ${fmt(s.reconcileMs, 0)} ms in reconcile, ${fmt((s.reconcileMs * 1000) / s.events, 1)} µs/event`);
    }
  }
  const rows = sizes.map((n) => {
    const runs = samples.get(n);
    const perEvent = runs.map((s) => (s.reconcileMs * 1000) / s.events);
    return {
      tasks: n,
      dag: dagStats(dags.get(n)),
      events: runs[0].events,
      reconciles: runs[0].reconciles,
      reconcileMs: median(runs.map((s) => s.reconcileMs)),
      reconcileMsRange: range(runs.map((s) => s.reconcileMs)),
      simulateMs: median(runs.map((s) => s.wallMs)),
      usPerEvent: median(perEvent),
      usPerEventRange: range(perEvent),
      usPerTask: median(runs.map((s) => (s.reconcileMs * 1000) / n)),
      samples: runs,
    };
  });
  const small = rows[0];
  const large = rows[rows.length - 1];
  const ratio = large.usPerEvent / small.usPerEvent;
  return { rounds, seed, rows, ratio: { of: `t_event(${large.tasks}) / t_event(${small.tasks})`, value: ratio, target: 12, aim: '1–2', ok: ratio <= 12 } };
}

export function reconcilerTable(result) {
  const header = ['tasks', 'edges', 'events', 'reconcile total ms (range)', 'simulate ms', 'µs / event (range)', 'µs / task'];
  const rows = result.rows.map((r) => [
    r.tasks,
    r.dag.edges,
    r.events,
    `${fmt(r.reconcileMs, 0)} (${fmt(r.reconcileMsRange[0], 0)}–${fmt(r.reconcileMsRange[1], 0)})`,
    fmt(r.simulateMs, 0),
    `${fmt(r.usPerEvent, 1)} (${fmt(r.usPerEventRange[0], 1)}–${fmt(r.usPerEventRange[1], 1)})`,
    fmt(r.usPerTask, 1),
  ]);
  return { header, rows, summary: `${result.ratio.of} = ${fmt(result.ratio.value, 2)} (target ≤ ${result.ratio.target}, aim ${result.ratio.aim}): ${result.ratio.ok ? 'OK' : 'ABOVE TARGET'}` };
}
