#!/usr/bin/env node
/**
 * `npm run bench` — builds, then runs the benchmarks and prints a table for each; results go to
 * bench/results/<name>.json. Usage: node --expose-gc bench/run.mjs [reconciler] [cli] [--rounds N]
 * (no names: both). The machine is shared and noisy: compare ratios measured in the same run.
 */
import { reconcilerBench, reconcilerTable } from './reconciler.mjs';
import { cliVsMakeBench, cliVsMakeTable } from './cli-vs-make.mjs';
import { environment, fmt, table, writeResult } from './lib/stats.mjs';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : undefined;
const names = args.filter((a, i) => !a.startsWith('--') && (roundsAt < 0 || i !== roundsAt + 1));
const wanted = (name) => names.length === 0 || names.includes(name);
const env = () => environment();

if (wanted('reconciler')) {
  console.log('\n## Reconciler alone (simulate, instant pods, one event per reconcile)\n');
  const result = reconcilerBench({ rounds: rounds ?? 5 });
  const t = reconcilerTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${t.summary}`);
  console.log(`→ ${writeResult('reconciler', { ...env(), ...result })}`);
}

if (wanted('cli')) {
  console.log('\n## slipway run vs make -j2 (1,000-node DAG, seed 42, one process per node)\n');
  const result = cliVsMakeBench({ rounds: rounds ?? 5 });
  const t = cliVsMakeTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${table(t.startupHeader, t.startupRows)}\n\n${t.summary}`);
  for (const [mode, m] of Object.entries(result.modes)) {
    console.log(`\nper-node command, sandbox ${mode} (make runs it directly: ${m.makeExecsDirectly ?? 'unknown'}):\n  ${m.exampleCommand}`);
  }
  const s = result.startup;
  const perNode = Object.entries(result.modes).map(([mode, m]) => `${mode} ${fmt((m.slipway.medianMs - s.cliOneNode.medianMs) / result.nodes, 2)} ms`);
  console.log(`\nslipway time per node beyond a 1-node run: ${perNode.join(', ')}`);
  console.log(`load average at the end: ${env().loadAverage.join(', ')} (2 cores)`);
  console.log(`→ ${writeResult('cli-vs-make', { ...env(), ...result })}`);
}

// Service benchmarks (bench/service-*.mjs): the API and worker processes started by the bench
// (child processes) against a fresh PostgreSQL database and a Redis prefix of their own, all
// removed afterwards. `service` runs the three; `service-throughput`, `service-dag` and
// `service-scale` one each. See bench/README.md, "Service".
const wantedService = (name) => wanted('service') || names.includes(name);

if (wantedService('service-throughput')) {
  const { serviceThroughputBench, serviceThroughputTable } = await import('./service-throughput.mjs');
  console.log('\n## Service (a): 1,000 one-step workflows through the HTTP API\n');
  const result = await serviceThroughputBench({});
  const t = serviceThroughputTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${t.summary}`);
  console.log(`load average at the end: ${env().loadAverage.join(', ')} (2 cores)`);
  console.log(`→ ${writeResult('service-throughput', { ...env(), ...result })}`);
}

if (wantedService('service-dag')) {
  const { serviceDagBench, serviceDagTable } = await import('./service-dag.mjs');
  console.log('\n## Service (b): the 1,000-node DAG through the service vs make -j2\n');
  const result = await serviceDagBench({ rounds: rounds ?? 3 });
  const t = serviceDagTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${t.summary}`);
  console.log(`load average at the end: ${env().loadAverage.join(', ')} (2 cores)`);
  console.log(`→ ${writeResult('service-dag', { ...env(), ...result })}`);
}

if (wantedService('service-scale')) {
  const { serviceScaleBench, serviceScaleTable } = await import('./service-scale.mjs');
  console.log('\n## Service (c): time per node event at 10,000 vs 1,000 nodes\n');
  const result = await serviceScaleBench({ rounds: rounds ?? 1 });
  const t = serviceScaleTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${t.summary}`);
  console.log(`load average at the end: ${env().loadAverage.join(', ')} (2 cores)`);
  console.log(`→ ${writeResult('service-scale', { ...env(), ...result })}`);
}

// Webhook ingest (bench/webhook-ingest.mjs): GitLab Push Hook deliveries through the API vs a
// minimal node:http floor, full speed and paced at 1,000/s, then every 2xx'd delivery looked up in
// PostgreSQL. See bench/README.md, "Webhook ingest".
if (wanted('webhook')) {
  const { webhookIngestBench, webhookIngestTable } = await import('./webhook-ingest.mjs');
  console.log('\n## Webhook ingest: GitLab push deliveries, Slipway API vs a node:http floor\n');
  const result = await webhookIngestBench({});
  const t = webhookIngestTable(result);
  console.log(`\n${table(t.header, t.rows)}\n\n${t.summary}`);
  console.log(`load average at the end: ${env().loadAverage.join(', ')} (2 cores)`);
  console.log(`→ ${writeResult('webhook-ingest', { ...env(), ...result })}`);
}
