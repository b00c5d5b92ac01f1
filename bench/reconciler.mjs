/**
 * Benchmark 1 — the reconciler alone. A random DAG (perf-floors d1's generator) of N container
 * tasks is driven by `simulate` with an instant fake executor (every pod takes 1 virtual ms) and
 * one event per reconcile. Only time spent inside `WorkflowReconciler.reconcile` is counted.
 * Per-event cost must not grow with the DAG: t_event(10k) / t_event(1k) ≤ 12 (aim: 1–2).
 * Two more shapes guard other ways to go quadratic: a chain (depth N) and N independent roots.
 */
import { simulate, WorkflowReconciler } from '@slipway/engine';
import { InMemoryTemplateLibrary, instantiateWorkflow } from '@slipway/workflow';
import { dagStats, dagWorkflow, randomDag } from './lib/dag.mjs';
import { fmt, median, range } from './lib/stats.mjs';

const START = Date.parse('2026-01-01T00:00:00Z');

export const SHAPES = {
  random: (n, seed) => randomDag(n, seed),
  chain: (n) => Array.from({ length: n }, (_, i) => (i === 0 ? [] : [i - 1])),
  wide: (n) => Array.from({ length: n }, () => []),
};

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

export function reconcilerBench({ sizes = [1000, 10000], rounds = 5, seed = 42, shapes = Object.keys(SHAPES), log = console.log } = {}) {
  const cases = shapes.flatMap((shape) => sizes.map((n) => ({ shape, n, deps: SHAPES[shape](n, seed) })));
  once(cases[0].deps); // warm-up: JIT, module caches
  const samples = new Map(cases.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const s = once(c.deps);
      samples.get(c).push(s);
      log(`  reconciler ${c.shape} n=${c.n} round ${r + 1}/${rounds}: ${fmt(s.reconcileMs, 0)} ms in reconcile, ${fmt((s.reconcileMs * 1000) / s.events, 1)} µs/event`);
    }
  }
  const rows = cases.map((c) => {
    const runs = samples.get(c);
    const perEvent = runs.map((s) => (s.reconcileMs * 1000) / s.events);
    return {
      shape: c.shape,
      tasks: c.n,
      dag: dagStats(c.deps),
      events: runs[0].events,
      reconciles: runs[0].reconciles,
      reconcileMs: median(runs.map((s) => s.reconcileMs)),
      reconcileMsRange: range(runs.map((s) => s.reconcileMs)),
      simulateMs: median(runs.map((s) => s.wallMs)),
      usPerEvent: median(perEvent),
      usPerEventRange: range(perEvent),
      usPerTask: median(runs.map((s) => (s.reconcileMs * 1000) / c.n)),
      samples: runs,
    };
  });
  const ratios = Object.fromEntries(
    shapes.map((shape) => {
      const own = rows.filter((r) => r.shape === shape);
      const small = own[0];
      const large = own[own.length - 1];
      const value = large.usPerEvent / small.usPerEvent;
      return [shape, { of: `t_event(${large.tasks}) / t_event(${small.tasks})`, value, target: 12, aim: '1–2', ok: value <= 12 }];
    }),
  );
  return { rounds, seed, rows, ratio: ratios.random ?? Object.values(ratios)[0], ratios };
}

export function reconcilerTable(result) {
  const header = ['shape', 'tasks', 'edges', 'events', 'reconcile total ms (range)', 'µs / event (range)', 'µs / task', 't_event ratio'];
  const rows = result.rows.map((r, i) => {
    const last = i === result.rows.length - 1 || result.rows[i + 1].shape !== r.shape;
    return [
      r.shape === 'random' ? 'random (d1)' : r.shape,
      r.tasks,
      r.dag.edges,
      r.events,
      `${fmt(r.reconcileMs, 0)} (${fmt(r.reconcileMsRange[0], 0)}–${fmt(r.reconcileMsRange[1], 0)})`,
      `${fmt(r.usPerEvent, 1)} (${fmt(r.usPerEventRange[0], 1)}–${fmt(r.usPerEventRange[1], 1)})`,
      fmt(r.usPerTask, 1),
      last ? `${fmt(result.ratios[r.shape].value, 2)}` : '',
    ];
  });
  const r = result.ratio;
  return { header, rows, summary: `random DAG: ${r.of} = ${fmt(r.value, 2)} (target ≤ ${r.target}, aim ${r.aim}): ${r.ok ? 'OK' : 'ABOVE TARGET'}` };
}
