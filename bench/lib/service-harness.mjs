/**
 * The service under test, as `npm start` runs it: one API process and N worker processes (child
 * processes of the bench, see service-api.mjs and service-worker.mjs), against a fresh PostgreSQL
 * database (`createTestDatabase`) and a Redis prefix of their own, all on 127.0.0.1. The bench
 * process only sends HTTP requests, listens to the workflow-updates channel (completion times) and
 * reads pod_executions afterwards (step start times). `stop()` removes the database, the Redis
 * keys and the work directory.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix } from '@slipway/testing';
import { BENCH_DIR } from './stats.mjs';
import { startChild } from './child.mjs';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const TERMINAL = new Set(['Succeeded', 'Failed', 'Error']);
const API_ENTRY = join(BENCH_DIR, 'lib/service-api.mjs');
const WORKER_ENTRY = join(BENCH_DIR, 'lib/service-worker.mjs');

/** Epoch milliseconds with sub-millisecond resolution (comparable across processes to ~1 ms). */
export const nowMs = () => performance.timeOrigin + performance.now();


async function stopChild(child, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    child.send({ type: 'stop' });
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Start the API and `workers` worker processes. Options: podConcurrency (steps per worker),
 * workerEnvs (per-worker environment overrides, e.g. a different SLIPWAY_WORKER_CONCURRENCY),
 * sandbox ('auto' | 'bwrap' | 'none'), reconcileConcurrency, dbPool, cpuProfDir (--cpu-prof for
 * the children), env (extra variables for both).
 */
export async function startService({ label = 'service', workers = 1, podConcurrency = 16, sandbox = 'auto', reconcileConcurrency, dbPool = 10, cpuProfDir, workerExecArgv = [], workerEnvs = [], env: extraEnv = {} } = {}) {
  const db = await createTestDatabase(`bench_${label}`);
  const prefix = testRedisPrefix(`bench-${label}`);
  const workdir = mkdtempSync(join(tmpdir(), `slipway-bench-${label}-`));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    SLIPWAY_REDIS_PREFIX: prefix,
    SLIPWAY_ADMIN_TOKEN: ADMIN_TOKEN,
    SLIPWAY_WORKDIR: join(workdir, 'work'),
    SLIPWAY_SANDBOX: sandbox,
    SLIPWAY_WORKER_CONCURRENCY: String(podConcurrency),
    SLIPWAY_RESYNC_SECONDS: '30',
    SLIPWAY_BODY_LIMIT: '16mb',
    SLIPWAY_LOG_LEVEL: 'warn',
    BENCH_DB_POOL: String(dbPool),
    ...(reconcileConcurrency ? { BENCH_RECONCILE_CONCURRENCY: String(reconcileConcurrency) } : {}),
    ...extraEnv,
  };
  const execArgv = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const children = [];
  const service = {
    label,
    prefix,
    db,
    workdir,
    url: '',
    sandbox,
    workers: [],
    /** workflow id → { phase, at } of its last update (terminal ones are kept). */
    updates: new Map(),
    waiters: new Set(),
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {}); // an idle client cut off when the database is dropped
  const sub = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const redis = new Redis(TEST_REDIS_URL);
  service.pool = pool;
  service.stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    sub.disconnect();
    await deleteKeys(redis, prefix).catch(() => undefined);
    redis.disconnect();
    await pool.end().catch(() => undefined);
    await db.drop().catch((err) => console.error(`could not drop ${db.url}: ${err.message}`));
    rmSync(workdir, { recursive: true, force: true });
  };
  try {
    await sub.subscribe(`${prefix}:workflow-updates`);
    sub.on('message', (_channel, text) => {
      const at = nowMs();
      const msg = JSON.parse(text);
      const seen = service.updates.get(msg.workflowId);
      if (seen && TERMINAL.has(seen.phase)) return;
      service.updates.set(msg.workflowId, { phase: msg.phase, at });
      if (TERMINAL.has(msg.phase)) for (const w of service.waiters) w();
    });
    const pg0 = await pool.query(`SELECT current_setting('synchronous_commit') AS sc, current_setting('max_connections') AS mc`);
    service.postgres = { synchronousCommit: pg0.rows[0].sc, maxConnections: Number(pg0.rows[0].mc) };
    const api = startChild(API_ENTRY, env, { execArgv, label: 'api' });
    children.push(api.child);
    service.apiChild = api.child;
    const ws = Array.from({ length: workers }, (_, i) => startChild(WORKER_ENTRY, { ...env, ...workerEnvs[i] }, { execArgv: [...execArgv, ...workerExecArgv], label: `worker ${i}` }));
    children.push(...ws.map((w) => w.child));
    const apiReady = await api.ready;
    service.url = apiReady.url;
    service.apiPid = apiReady.pid;
    for (const w of ws) service.workers.push({ child: w.child, ...(await w.ready) });
    service.executorSandbox = service.workers[0].sandbox;
  } catch (err) {
    await service.stop();
    throw err;
  }

  /** POST /api/v1/workflows/default; returns the request start, response time and uid. */
  service.submit = async (workflow) => {
    const body = JSON.stringify({ workflow });
    const t0 = nowMs();
    const res = await fetch(`${service.url}/api/v1/workflows/default`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    const t1 = nowMs();
    if (res.status !== 200) throw new Error(`submit: HTTP ${res.status}: ${text.slice(0, 500)}`);
    const wf = JSON.parse(text);
    return { id: wf.metadata.uid, name: wf.metadata.name, t0, t1 };
  };

  /** Wait until every id reached a terminal phase (updates channel; the database as a fallback). */
  service.waitAll = async (ids, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    const pending = () => ids.filter((id) => !TERMINAL.has(service.updates.get(id)?.phase));
    let lastPoll = Date.now();
    while (pending().length > 0) {
      if (Date.now() > deadline) throw new Error(`${pending().length} of ${ids.length} workflows not finished after ${timeoutMs} ms`);
      await new Promise((resolve) => {
        const wake = () => {
          service.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 1000);
        service.waiters.add(wake);
      });
      if (Date.now() - lastPoll > 5000) {
        // A lost publish (Redis hiccup) must not hang the bench: take the phase from PostgreSQL.
        lastPoll = Date.now();
        const left = pending();
        const { rows } = await pool.query(`SELECT id, phase FROM workflows WHERE id = ANY($1::uuid[]) AND phase = ANY($2::text[])`, [left, [...TERMINAL]]);
        for (const r of rows) if (!service.updates.has(r.id) || !TERMINAL.has(service.updates.get(r.id).phase)) service.updates.set(r.id, { phase: r.phase, at: nowMs(), polled: true });
      }
    }
    return ids.map((id) => service.updates.get(id));
  };

  /** Send {type} to a child and resolve with its first answer of the same type. */
  service.ask = (child, type, extra = {}) =>
    new Promise((resolve) => {
      const onMessage = (msg) => {
        if (msg?.type !== type) return;
        child.off('message', onMessage);
        resolve(msg);
      };
      child.on('message', onMessage);
      child.send({ type, ...extra });
    });

  /** Reconcile timings from every worker: [startEpochMs, ms, engineMs, events, workflowId][]. */
  service.workerStats = async (reset = true) => {
    const all = await Promise.all(service.workers.map(({ child }) => service.ask(child, 'stats', { reset })));
    service.lastPhases = {};
    service.workerRssBytes = all.map((a) => a.rssBytes);
    for (const a of all) for (const [k, [calls, ms]] of Object.entries(a.phases ?? {})) {
      const p = (service.lastPhases[k] ??= { calls: 0, ms: 0 });
      p.calls += calls;
      p.ms += ms;
    }
    return all.flatMap((a) => a.samples);
  };
  /**
   * CPU time (ms) used so far by the API, the workers, the pods the workers reaped, the
   * PostgreSQL backends serving this database and the Redis server (shared with other users of
   * this Redis), and this bench process. Differences of two snapshots give a phase's CPU.
   */
  service.cpuSnapshot = async () => {
    const { rows } = await pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
    const sum = (pids, children = false) => pids.reduce((a, pid) => a + procCpuMs(pid, children), 0);
    return {
      api: procCpuMs(service.apiPid),
      workers: sum(service.workers.map((w) => w.pid)),
      pods: sum(service.workers.map((w) => w.pid), true),
      postgres: sum(rows.map((r) => r.pid)),
      redis: sum(redisPids()),
      bench: procCpuMs(process.pid),
      machine: machineBusyMs(),
      at: nowMs(),
    };
  };

  /** Step start (the main container's spawn, from the pod's result) and claim time per node. */
  service.podStarts = async (ids) => {
    const { rows } = await pool.query(
      `SELECT workflow_id AS id, node_id, started_at, (result->>'startedAt')::float8 AS spawned_at, (result->>'finishedAt')::float8 AS finished_at, state, attempts
         FROM pod_executions WHERE workflow_id = ANY($1::uuid[])`,
      [ids],
    );
    return rows;
  };

  return service;
}

const CLOCK_TICKS = 100;

/** utime + stime of a process (or cutime + cstime: its reaped children), in ms; 0 when gone. */
export function procCpuMs(pid, children = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const i = children ? 13 : 11;
    return ((Number(f[i]) + Number(f[i + 1])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Busy CPU time of the whole machine (all cores, everyone's processes), in ms. */
export function machineBusyMs() {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = cpu.split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
}

function redisPids() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'redis-server') out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU ms per group between two snapshots. */
export function cpuDelta(a, b) {
  const out = {};
  for (const k of Object.keys(a)) if (k !== 'at') out[k] = b[k] - a[k];
  out.wallMs = b.at - a.at;
  // The service: API, workers, their step processes, PostgreSQL backends, Redis (not the bench client).
  out.total = out.api + out.workers + out.pods + out.postgres + out.redis;
  return out;
}

async function deleteKeys(redis, prefix) {
  let cursor = '0';
  for (let i = 0; i < 100_000; i++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
}

/** Run `fn(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pooled(n, concurrency, fn) {
  const results = new Array(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return results;
}

/** Run `fn(i)` for i in [0, n), starting one every 1000/rate ms (open loop, at most `cap` in flight). */
export async function paced(n, rate, fn, cap = 500) {
  const results = new Array(n);
  const start = nowMs();
  const inflight = new Set();
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inflight.size >= cap) await Promise.race(inflight);
    const p = fn(i).then((r) => {
      results[i] = r;
      inflight.delete(p);
    });
    inflight.add(p);
  }
  await Promise.all(inflight);
  return results;
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx];
}
