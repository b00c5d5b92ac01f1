/**
 * A worker process for the service benchmarks: the real `WorkerHost` (as `apps/worker/dist/main.js`
 * starts it), plus timing of every reconcile. Started by service-harness.mjs with an IPC channel;
 * configuration comes from the environment (the same variables as the worker, see
 * libs/config) and BENCH_* for what the bench varies.
 *
 * Timing: `ReconcileService.reconcileNow` (one reconcile of one workflow: version/inbox reads,
 * engine, save, actions; the keyed-mutex wait is excluded) and `WorkflowReconciler.reconcile`
 * (the engine alone, with the number of events it applied), tied together by AsyncLocalStorage.
 * IPC: {type:'stats', reset} → {type:'stats', samples}; {type:'stop'} → graceful stop and exit.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { WorkflowReconciler } from '@slipway/engine';
import { createPrismaClient, PodExecutions, WorkflowStateStore } from '@slipway/persistence';
import { SlipwayQueues } from '@slipway/queue';
import { queryCounts, redisCounts_ } from './query-counter.mjs';
import { WorkerHost } from '@slipway/worker';
import { ActionPerformer } from '../../apps/worker/dist/reconcile/action-performer.js';
import { ReconcileService } from '../../apps/worker/dist/reconcile/reconcile-service.js';

const env = process.env;
const current = new AsyncLocalStorage();
/** One entry per reconcile: [startEpochMs, durationMs, engineMs, events, workflowId]. */
let samples = [];

const service = ReconcileService.prototype;
const method = typeof service.reconcileNow === 'function' ? 'reconcileNow' : 'reconcile';
const original = service[method];
service[method] = function timedReconcile(workflowId, ...rest) {
  const record = { engineMs: 0, events: 0 };
  const t0 = performance.now();
  const done = () => samples.push([performance.timeOrigin + t0, performance.now() - t0, record.engineMs, record.events, workflowId]);
  return current.run(record, () => original.call(this, workflowId, ...rest)).then(
    (r) => {
      done();
      return r;
    },
    (err) => {
      done();
      throw err;
    },
  );
};
const engineReconcile = WorkflowReconciler.prototype.reconcile;
WorkflowReconciler.prototype.reconcile = function timedEngine(events, now) {
  const t0 = performance.now();
  try {
    return engineReconcile.call(this, events, now);
  } finally {
    const record = current.getStore();
    if (record) {
      record.engineMs += performance.now() - t0;
      record.events += events.length;
    }
  }
};

/** Time spent in the phases of a reconcile (by method), summed per process: name → [calls, ms]. */
const phases = new Map();
function timePhase(proto, name, label = name) {
  const fn = proto[name];
  if (typeof fn !== 'function') return;
  proto[name] = async function timedPhase(...args) {
    const t0 = performance.now();
    try {
      return await fn.apply(this, args);
    } finally {
      const p = phases.get(label) ?? [0, 0];
      p[0]++;
      p[1] += performance.now() - t0;
      phases.set(label, p);
    }
  };
}
timePhase(WorkflowStateStore.prototype, 'head', 'state.head');
timePhase(WorkflowStateStore.prototype, 'load', 'state.load');
timePhase(WorkflowStateStore.prototype, 'save', 'state.save');
timePhase(ActionPerformer.prototype, 'perform', 'actions.perform');
timePhase(ActionPerformer.prototype, 'saved', 'actions.publish');
timePhase(PodExecutions.prototype, 'claimRequest', 'pod.claim');
timePhase(PodExecutions.prototype, 'finish', 'pod.finish');
timePhase(PodExecutions.prototype, 'finishWithHead', 'pod.finish');
timePhase(SlipwayQueues.prototype, 'reconcileWorkflow', 'queue.ring');

// The synchronous part of starting a step's process (fork + exec, during which the worker's
// event loop waits), as `executor.spawn` in the phases.
const cp = createRequire(import.meta.url)('node:child_process');
const spawnOriginal = cp.spawn;
cp.spawn = function timedSpawn(...args) {
  const t0 = performance.now();
  try {
    return spawnOriginal.apply(this, args);
  } finally {
    const p = phases.get('executor.spawn') ?? [0, 0];
    p[0]++;
    p[1] += performance.now() - t0;
    phases.set('executor.spawn', p);
  }
};
syncBuiltinESMExports();

const db = createPrismaClient(env.DATABASE_URL, Number(env.BENCH_DB_POOL ?? 10));
const host = new WorkerHost({
  db,
  redisUrl: env.REDIS_URL,
  prefix: env.SLIPWAY_REDIS_PREFIX,
  workdir: env.SLIPWAY_WORKDIR,
  sandbox: env.SLIPWAY_SANDBOX ?? 'auto',
  podConcurrency: Number(env.SLIPWAY_WORKER_CONCURRENCY ?? 16),
  reconcileConcurrency: env.BENCH_RECONCILE_CONCURRENCY ? Number(env.BENCH_RECONCILE_CONCURRENCY) : undefined,
  resyncSeconds: Number(env.SLIPWAY_RESYNC_SECONDS ?? 30),
  cronSeconds: 0,
  log: (m) => process.stderr.write(`[bench worker ${process.pid}] ${m}\n`),
});
await host.start();

process.on('message', (msg) => {
  if (msg?.type === 'stats') {
    process.send({ type: 'stats', samples, queries: queryCounts(), redis: redisCounts_(), phases: Object.fromEntries(phases), rssBytes: process.memoryUsage().rss, memory: process.memoryUsage(), smaps: smapsSummary() });
    if (msg.reset) {
      samples = [];
      phases.clear();
    }
  } else if (msg?.type === 'stop') {
    host
      .stop()
      .then(() => db.$disconnect())
      .catch((err) => process.stderr.write(`[bench worker] stop: ${err.message}\n`))
      .finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', pid: process.pid, sandbox: host.executor?.sandboxMode ?? env.SLIPWAY_SANDBOX });

/** The largest resident mappings of this process (what a fork has to copy page tables for). */
function smapsSummary() {
  try {
    const text = readFileSync('/proc/self/smaps', 'utf8');
    const out = [];
    let name = '';
    for (const line of text.split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (head) name = head[1] || '[anon]';
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss) out.push([name, Number(rss[1])]);
    }
    const byName = new Map();
    for (const [n, kb] of out) byName.set(n, (byName.get(n) ?? 0) + kb);
    return [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8);
  } catch {
    return [];
  }
}
