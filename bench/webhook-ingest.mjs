#!/usr/bin/env node
/**
 * Webhook ingest: valid GitLab Push Hook deliveries (≈ 4 KB, a unique `Idempotency-Key` and
 * `X-Gitlab-Event-UUID` per request) sent with autocannon, in one run, to
 *
 *   1. the floor: a minimal `node:http` server answering 202 to every POST (perf-floors e1/e2), and
 *   2. Slipway's API (built `createApiApp`, a child process like `apps/api/dist/main.js` wires it)
 *      at `POST /api/v1/webhooks/gitlab`, with a GitLab hook registered through the admin API
 *      (`POST /api/v1/webhook-hooks`, secret shown once), against a fresh PostgreSQL database
 *      (`createTestDatabase`) and a Redis prefix of its own. **No worker**: deliveries are stored
 *      and queued (the `deliveries` job waits in Redis); what the worker does next is not measured.
 *
 * Phases: (a) both at full speed, 50 connections, 10 s; (b) both paced at 1,000 deliveries/s
 * (`overallRate`, 50 connections), 10 s — autocannon spends each connection's per-second quota
 * back to back, so this is a full-speed burst of 1,000 each second; (c) both at an even 1,000/s
 * (open loop, lib/open-loop.mjs, at most 50 connections), 10 s. Targets: Slipway ≥ 1/15 of the
 * floor's deliveries/s; p99 ≤ 50 ms at 1,000/s (reported for (b) and (c)). Afterwards every delivery answered 2xx (its returned id) is looked
 * up in PostgreSQL. Usage: `node bench/webhook-ingest.mjs [--duration S] [--profile]` or
 * `npm run bench -- webhook`. `--profile` runs the API with `--cpu-prof` (bench/results/webhook-ingest-prof/).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLoop } from './lib/open-loop.mjs';
import { startChild } from './lib/child.mjs';
import { BENCH_DIR, REPO_DIR, environment, fmt, table, writeResult } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const ADMIN_TOKEN = 'bench-webhook-admin-token-0123456789';
const CONNECTIONS = 50;
const PACED_RATE = 1000;
const TARGET_RATIO = 1 / 15;
const TARGET_P99_MS = 50;

// ---------------------------------------------------------------------------------------------
// Child roles: the floor server and the API, each in its own process (IPC: ready / cpu / stop).

const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
if (role === 'floor') await floorChild();
else if (role === 'api') await apiChild();

async function cpuReply() {
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (msg) => {
    if (msg?.type === 'cpu') {
      const u = process.cpuUsage();
      // Event-loop delay since the last report (the server's own stalls: GC, long tasks, CPU starvation).
      const loopDelayMs = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
      loop.reset();
      process.send({ type: 'cpu', userMs: u.user / 1000, systemMs: u.system / 1000, rssMb: process.memoryUsage.rss() / 1048576, loopDelayMs });
    }
  });
}

async function floorChild() {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.statusCode = 202;
      res.setHeader('content-type', 'application/json');
      res.end('{"id":"floor","duplicate":false}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await cpuReply();
  process.on('message', (msg) => {
    if (msg?.type === 'stop') server.close(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', pid: process.pid, url: `http://127.0.0.1:${server.address().port}` });
}

async function apiChild() {
  const { createApiApp } = await import('@slipway/api');
  const { loadConfig } = await import('@slipway/config');
  const { createPrismaClient } = await import('@slipway/persistence');
  const { redisConnection, SlipwayQueues } = await import('@slipway/queue');
  const config = loadConfig(process.env);
  // Pools as apps/api/dist/main.js: createPrismaClient's default (10); the intake opens its own (5).
  const prisma = createPrismaClient(config.DATABASE_URL);
  const producer = redisConnection(config.REDIS_URL);
  const queues = new SlipwayQueues(producer, config.SLIPWAY_REDIS_PREFIX);
  const subscriber = redisConnection(config.REDIS_URL, { forWorker: true });
  const app = await createApiApp({ config, prisma, queues, subscriber, logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  await cpuReply();
  process.on('message', (msg) => {
    if (msg?.type !== 'stop') return;
    app
      .close()
      .then(() => Promise.all([queues.close(), prisma.$disconnect()]))
      .catch((err) => process.stderr.write(`[bench api] stop: ${err.message}\n`))
      .finally(() => {
        subscriber.disconnect();
        producer.disconnect();
        process.exit(0);
      });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', pid: process.pid, url: `http://127.0.0.1:${app.getHttpServer().address().port}` });
}

// ---------------------------------------------------------------------------------------------
// The bench.

function startRole(childRole, env, execArgv = []) {
  const { child, ready } = startChild(SELF, env, { execArgv, label: childRole, args: [`--role=${childRole}`] });
  const cpu = () =>
    new Promise((resolve) => {
      const on = (msg) => {
        if (msg?.type !== 'cpu') return;
        child.off('message', on);
        resolve(msg);
      };
      child.on('message', on);
      child.send({ type: 'cpu' });
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      child.send({ type: 'stop' });
    } catch {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, ready, cpu, stop };
}

/** A GitLab Push Hook payload of about 4 KB (the fixture plus three commits), as GitLab sends it. */
export function pushBody(targetBytes = 4096) {
  const template = JSON.parse(readFileSync(join(REPO_DIR, 'libs/scm/src/testdata/gitlab-push.json'), 'utf8'));
  const sha = (n) => (n.toString(16).repeat(40)).slice(0, 40);
  const commit = (n) => ({
    id: sha(n + 10),
    message: `Fix the build for release ${n}\n\nLonger description of change ${n}.`,
    title: `Fix the build for release ${n}`,
    timestamp: '2026-11-26T08:00:00+00:00',
    url: `https://gitlab.example.com/shop/load/-/commit/${sha(n + 10)}`,
    author: { name: 'Jane Developer', email: 'jane@example.com' },
    added: [`src/main/java/com/example/demo/Feature${n}.java`],
    modified: ['pom.xml', 'src/main/java/com/example/demo/App.java'],
    removed: [],
  });
  const project = { ...template.project, path_with_namespace: 'shop/load', name: 'load' };
  const payload = { ...template, ref: 'refs/heads/main', after: sha(12), checkout_sha: sha(12), project, commits: [commit(1), commit(2), commit(3)], total_commits_count: 3 };
  let text = JSON.stringify(payload);
  // Pad the last commit message to the target size (GitLab payloads vary; perf-floors used 4,098 B).
  if (text.length < targetBytes) {
    payload.commits[2].message += ` ${'x'.repeat(targetBytes - text.length - 1)}`;
    text = JSON.stringify(payload);
  }
  return text;
}

async function cannon(url, { secret, body, durationS, overallRate, collectIds }) {
  const { default: autocannon } = await import('autocannon');
  const ids = [];
  let duplicates = 0;
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'GitLab/17.5.0',
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-token': secret,
    'x-gitlab-instance': 'https://gitlab.example.com',
  };
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: durationS,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'POST',
        body,
        setupRequest(req) {
          const uuid = randomUUID();
          req.headers = { ...headers, 'x-gitlab-event-uuid': uuid, 'x-gitlab-webhook-uuid': '8e0e0c1e-0000-4000-8000-000000000001', 'idempotency-key': uuid };
          return req;
        },
        onResponse(status, text) {
          if (!collectIds || status < 200 || status > 299) return;
          try {
            const parsed = JSON.parse(text);
            if (parsed.duplicate) duplicates++;
            ids.push(parsed.id);
          } catch {
            ids.push(undefined);
          }
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    durationS: result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    deliveriesPerS: ok / result.duration,
    reqPerSAverage: result.requests.average,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    ids,
    duplicates,
  };
}

/** The same deliveries at an even `rate` (open loop, see lib/open-loop.mjs), with the ids answered 2xx. */
async function even(url, { secret, body, durationS, rate, collectIds }) {
  const ids = [];
  let duplicates = 0;
  const r = await openLoop(url, {
    rate,
    durationS,
    connections: CONNECTIONS,
    body,
    headers: () => {
      const uuid = randomUUID();
      return { 'content-type': 'application/json', 'user-agent': 'GitLab/17.5.0', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret, 'x-gitlab-instance': 'https://gitlab.example.com', 'x-gitlab-event-uuid': uuid, 'idempotency-key': uuid };
    },
    onResponse(status, text) {
      if (!collectIds || status < 200 || status > 299) return;
      try {
        const parsed = JSON.parse(text);
        if (parsed.duplicate) duplicates++;
        ids.push(parsed.id);
      } catch {
        ids.push(undefined);
      }
    },
  });
  return { ...r, ids, duplicates };
}

/** Server CPU (process.cpuUsage of the child) and, with `pool`, PostgreSQL transactions of the database, per 2xx delivery. */
async function cpuDelta(proc, run, pool) {
  const xacts = async () => {
    if (!pool) return 0;
    await new Promise((r) => setTimeout(r, 1100)); // backends flush their counters about once a second
    const { rows } = await pool.query(`SELECT xact_commit::int AS c FROM pg_stat_database WHERE datname = current_database()`);
    return rows[0].c;
  };
  const x0 = await xacts();
  const a = await proc.cpu();
  const r = await run();
  const b = await proc.cpu();
  const x1 = await xacts();
  const cpuMs = b.userMs + b.systemMs - (a.userMs + a.systemMs);
  // The bench's own xact_commit reads (2 per phase) are left in: noise below 0.001 per delivery.
  const pgCommitsPerDelivery = pool && r.ok ? (x1 - x0) / r.ok : undefined;
  return { ...r, serverCpuMs: cpuMs, serverCpuMsPerDelivery: r.ok ? cpuMs / r.ok : NaN, serverRssMb: b.rssMb, serverLoopDelayMs: b.loopDelayMs, pgCommitsPerDelivery };
}

export async function webhookIngestBench({ durationS = 10, pacedRate = PACED_RATE, profile = false } = {}) {
  const { createTestDatabase, TEST_REDIS_URL, testRedisPrefix } = await import('@slipway/testing');
  const { Redis } = await import('ioredis');
  const pg = (await import('pg')).default;
  const body = pushBody();
  const db = await createTestDatabase('bench_webhook');
  const prefix = testRedisPrefix('bench-webhook');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    SLIPWAY_REDIS_PREFIX: prefix,
    SLIPWAY_ADMIN_TOKEN: ADMIN_TOKEN,
    SLIPWAY_LOG_LEVEL: 'warn',
  };
  const profDir = join(BENCH_DIR, 'results/webhook-ingest-prof');
  if (profile) mkdirSync(profDir, { recursive: true });
  const floor = startRole('floor', { PATH: process.env.PATH, HOME: process.env.HOME });
  const api = startRole('api', env, profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {});
  try {
    const floorUrl = (await floor.ready).url;
    const apiBase = (await api.ready).url;
    // Register a GitLab hook through the admin API: the secret is returned once.
    const res = await fetch(`${apiBase}/api/v1/webhook-hooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'gitlab', name: 'bench-gitlab', namespace: 'default' }),
    });
    const hook = await res.json();
    if (res.status >= 300 || !hook.secret) throw new Error(`registering the hook: HTTP ${res.status} ${JSON.stringify(hook)}`);
    const apiUrl = `${apiBase}/api/v1/webhooks/gitlab`;
    const opts = { secret: hook.secret, body };

    // Sanity: one delivery is 202 and a wrong secret is 401.
    const probe = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': hook.secret, 'x-gitlab-event-uuid': randomUUID() }, body });
    if (probe.status !== 202) throw new Error(`probe delivery: HTTP ${probe.status} ${await probe.text()}`);
    const wrong = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'wrong', 'x-gitlab-event-uuid': randomUUID() }, body });
    if (wrong.status !== 401) throw new Error(`wrong secret: expected 401, got ${wrong.status}`);

    // Warm-up (JIT, pools), not reported.
    log('warm-up: 3 s each');
    await cannon(floorUrl, { ...opts, durationS: 3 });
    const warm = await cannon(apiUrl, { ...opts, durationS: 3, collectIds: true });

    log(`full speed: floor ${durationS} s`);
    const floorMax = await cpuDelta(floor, () => cannon(floorUrl, { ...opts, durationS }));
    log(`full speed: slipway ${durationS} s`);
    const apiMax = await cpuDelta(api, () => cannon(apiUrl, { ...opts, durationS, collectIds: true }), pool);
    log(`paced ${pacedRate}/s: floor ${durationS} s`);
    const floorPaced = await cpuDelta(floor, () => cannon(floorUrl, { ...opts, durationS, overallRate: pacedRate }));
    log(`paced ${pacedRate}/s: slipway ${durationS} s`);
    const apiPaced = await cpuDelta(api, () => cannon(apiUrl, { ...opts, durationS, overallRate: pacedRate, collectIds: true }), pool);
    log(`even ${pacedRate}/s (open loop): floor ${durationS} s`);
    const floorEven = await cpuDelta(floor, () => even(floorUrl, { ...opts, durationS, rate: pacedRate }));
    log(`even ${pacedRate}/s (open loop): slipway ${durationS} s`);
    const apiEven = await cpuDelta(api, () => even(apiUrl, { ...opts, durationS, rate: pacedRate, collectIds: true }), pool);

    // Every 2xx'd delivery must be in PostgreSQL (in-flight requests cut off by autocannon may add rows).
    await new Promise((r) => setTimeout(r, 1000));
    const ids = [...warm.ids, ...apiMax.ids, ...apiPaced.ids, ...apiEven.ids];
    const answered2xx = warm.ok + apiMax.ok + apiPaced.ok + apiEven.ok + 1;
    const idsReturned = ids.filter(Boolean);
    const present = (await pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE id = ANY($1::uuid[])`, [idsReturned])).rows[0].n + 1; // + the probe
    const rows = (await pool.query(`SELECT count(*)::int AS n, count(DISTINCT delivery_key)::int AS keys, count(queued_at)::int AS queued FROM deliveries WHERE provider = 'gitlab'`)).rows[0];
    const sc = (await pool.query(`SELECT current_setting('synchronous_commit') AS sc`)).rows[0].sc;
    const strip = ({ ids: _ids, ...rest }) => rest;
    const result = {
      bench: 'webhook-ingest',
      payloadBytes: Buffer.byteLength(body),
      connections: CONNECTIONS,
      durationS,
      pacedRate,
      worker: 'none (deliveries are stored and queued; no worker consumes the queue)',
      api: 'createApiApp in a child process as apps/api main wires it: Prisma pool 10, plus the webhook intake\'s own pg pool (5 connections, group commit), Node ' + process.version,
      postgres: { synchronousCommit: sc },
      floor: { max: strip(floorMax), paced: strip(floorPaced), even: strip(floorEven) },
      slipway: { max: strip(apiMax), paced: strip(apiPaced), even: strip(apiEven) },
      ratios: {
        throughput: apiMax.deliveriesPerS / floorMax.deliveriesPerS,
        throughputTarget: TARGET_RATIO,
        p99Max: apiMax.latencyMs.p99 / Math.max(floorMax.latencyMs.p99, 1),
        p99Paced: apiPaced.latencyMs.p99 / Math.max(floorPaced.latencyMs.p99, 1),
      },
      targets: {
        throughputMet: apiMax.deliveriesPerS >= floorMax.deliveriesPerS * TARGET_RATIO,
        pacedP99Met: apiPaced.latencyMs.p99 <= TARGET_P99_MS,
        evenP99Met: apiEven.latencyMs.p99 <= TARGET_P99_MS,
        pacedRateReached: apiPaced.deliveriesPerS >= pacedRate * 0.95,
      },
      durability: {
        answered2xx,
        idsReturned: idsReturned.length + 1,
        presentInPostgres: present,
        duplicatesAnswered: warm.duplicates + apiMax.duplicates + apiPaced.duplicates + apiEven.duplicates,
        rowsTotal: rows.n,
        distinctKeys: rows.keys,
        rowsQueued: rows.queued,
        allPresent: present === answered2xx,
      },
      commands: {
        floor: `autocannon -c ${CONNECTIONS} -d ${durationS} -m POST (setupRequest: unique idempotency-key/x-gitlab-event-uuid) ${floorUrl}`,
        slipway: `autocannon -c ${CONNECTIONS} -d ${durationS} -m POST -H x-gitlab-event='Push Hook' -H x-gitlab-token=<hook secret> (unique keys per request) ${apiUrl}`,
        paced: `same with overallRate ${pacedRate} (-R ${pacedRate})`,
      },
    };
    return result;
  } finally {
    await Promise.all([floor.stop(), api.stop()]);
    await pool.end().catch(() => undefined);
    const redis = new Redis(TEST_REDIS_URL);
    await deleteKeys(redis, prefix).catch(() => undefined);
    redis.disconnect();
    await db.drop().catch((err) => console.error(`could not drop ${db.url}: ${err.message}`));
  }
}

async function deleteKeys(redis, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

function log(msg) {
  process.stderr.write(`[webhook-ingest] ${msg}\n`);
}

export function webhookIngestTable(r) {
  const header = ['server', 'phase', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'server CPU ms/delivery', 'PG commits/delivery', 'server loop delay p99/max ms'];
  const row = (server, phase, m) => [server, phase, fmt(m.deliveriesPerS, 0), fmt(m.latencyMs.p50, 0), fmt(m.latencyMs.p99, 0), fmt(m.latencyMs.max, 0), m.non2xx, m.errors + m.timeouts, fmt(m.serverCpuMsPerDelivery, 3), m.pgCommitsPerDelivery === undefined ? '-' : fmt(m.pgCommitsPerDelivery, 2), `${fmt(m.serverLoopDelayMs.p99, 0)} / ${fmt(m.serverLoopDelayMs.max, 0)}`];
  const rows = [
    row('node:http floor', `max, c${r.connections}`, r.floor.max),
    row('slipway api', `max, c${r.connections}`, r.slipway.max),
    row('node:http floor', `paced ${r.pacedRate}/s`, r.floor.paced),
    row('slipway api', `paced ${r.pacedRate}/s`, r.slipway.paced),
    row('node:http floor', `even ${r.pacedRate}/s`, r.floor.even),
    row('slipway api', `even ${r.pacedRate}/s`, r.slipway.even),
  ];
  const d = r.durability;
  const t = r.targets;
  const summary = [
    `throughput: slipway / floor = ${fmt(r.ratios.throughput, 3)} = 1/${fmt(1 / r.ratios.throughput, 1)} (target ≥ 1/15 = 0.067): ${t.throughputMet ? 'met' : 'MISSED'}`,
    `paced ${r.pacedRate}/s: slipway p99 ${fmt(r.slipway.paced.latencyMs.p99, 0)} ms (target ≤ ${TARGET_P99_MS} ms): ${t.pacedP99Met ? 'met' : 'MISSED'}; rate reached ${fmt(r.slipway.paced.deliveriesPerS, 0)}/s${t.pacedRateReached ? '' : ' (BELOW the pacing rate)'}; floor p99 ${fmt(r.floor.paced.latencyMs.p99, 0)} ms`,
    `even ${r.pacedRate}/s (open loop, latency from the scheduled send): slipway p99 ${fmt(r.slipway.even.latencyMs.p99, 0)} ms (target ≤ ${TARGET_P99_MS} ms): ${t.evenP99Met ? 'met' : 'MISSED'}; floor p99 ${fmt(r.floor.even.latencyMs.p99, 0)} ms`,
    `durability: ${d.answered2xx} deliveries answered 2xx, ${d.presentInPostgres} of their ids in PostgreSQL (${d.allPresent ? 'all present' : 'MISSING ROWS'}); ${d.rowsTotal} gitlab rows in all (${d.distinctKeys} distinct keys, ${d.rowsQueued} marked queued), ${d.duplicatesAnswered} answered as duplicates`,
    `payload ${r.payloadBytes} B; worker: ${r.worker}; PostgreSQL synchronous_commit=${r.postgres.synchronousCommit}`,
  ].join('\n');
  return { header, rows, summary };
}

if (!role && process.argv[1] === SELF) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--duration');
  const result = await webhookIngestBench({ durationS: at >= 0 ? Number(args[at + 1]) : 10, profile: args.includes('--profile') });
  const t = webhookIngestTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${t.summary}`);
  console.log(`→ ${writeResult('webhook-ingest', { ...environment(), ...result })}`);
}
