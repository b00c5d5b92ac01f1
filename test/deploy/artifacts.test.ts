/**
 * deploy/: the Dockerfiles (parsed: multi-stage, pinned base, non-root USER, HEALTHCHECK; hadolint
 * is not available here), compose.yaml, the Grafana dashboard and the Prometheus rules, whose
 * expressions may only use metrics Slipway's registry actually exports.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SlipwayMetrics } from '@slipway/observability';

const root = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');

/** Instructions of a Dockerfile: continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe.each(['api', 'worker'])('deploy/docker/%s.Dockerfile', (name) => {
  const ins = instructions(read(`deploy/docker/${name}.Dockerfile`));
  it('is multi-stage on a pinned Node 24 image', () => {
    const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) {
      expect(image).toMatch(/^node:24\.\d+\.\d+(-[a-z0-9-]+)?(@sha256:[0-9a-f]{64})?$/);
      expect(image).not.toMatch(/latest/);
    }
    expect(ins.some((i) => i.op === 'COPY' && i.args.includes('--from=build'))).toBe(true);
  });
  it('runs as a non-root user with a HEALTHCHECK and a CMD', () => {
    const last = ins.slice(ins.map((i) => i.op).lastIndexOf('FROM'));
    const users = last.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const hc = last.find((i) => i.op === 'HEALTHCHECK');
    expect(hc?.args).toMatch(/CMD .*healthz/);
    expect(last.find((i) => i.op === 'CMD')?.args).toContain(`apps/${name}/dist/main.js`);
  });
});

it('compose.yaml parses and names postgres, redis, api, worker and a mail catcher', () => {
  const compose = parse(read('deploy/compose.yaml')) as { services: Record<string, { image?: string; build?: { dockerfile: string } }> };
  expect(Object.keys(compose.services).sort()).toEqual(['api', 'mailpit', 'postgres', 'redis', 'worker']);
  for (const s of Object.values(compose.services)) expect(s.image).toMatch(/:[\w.-]+$/);
  expect(compose.services.api.build?.dockerfile).toBe('deploy/docker/api.Dockerfile');
  expect(compose.services.worker.build?.dockerfile).toBe('deploy/docker/worker.Dockerfile');
});

const PROMQL_WORDS = new Set(
  'sum max min avg count rate irate increase histogram_quantile clamp_min clamp_max by without on ignoring and or unless le humanize bool offset topk bottomk abs label_values'.split(' '),
);
let known: Set<string>;

beforeAll(async () => {
  const metrics = new SlipwayMetrics({ component: 'test' });
  known = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    known.add(m.name);
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) known.add(m.name + suffix);
  }
});

/** The metric names an expression uses (labels, strings, durations, functions removed). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\b\d+(\.\d+)?(e-?\d+)?\b/g, '');
  return (stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []).filter((t) => !PROMQL_WORDS.has(t));
}

it('the Grafana dashboard parses and every expr uses exported metrics', () => {
  const dash = JSON.parse(read('deploy/grafana/slipway.json')) as { uid: string; panels: { type: string; targets?: { expr: string }[] }[] };
  expect(dash.uid).toBe('slipway');
  const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  expect(exprs.length).toBeGreaterThanOrEqual(10);
  for (const e of exprs) {
    const names = metricNames(e);
    expect(names.length, e).toBeGreaterThan(0);
    for (const n of names) expect(known, `${n} in ${e}`).toContain(n);
  }
  // Every Slipway metric appears on the dashboard.
  const used = new Set(exprs.flatMap(metricNames).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
  for (const n of known) if (n.startsWith('slipway_') && !/_(bucket|sum|count)$/.test(n)) expect(used, n).toContain(n);
});

it('the Prometheus rules parse and alert on failure rate, queue backlog and webhook errors', () => {
  const rules = parse(read('deploy/prometheus/rules.yaml')) as { groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[] };
  const all = rules.groups.flatMap((g) => g.rules);
  expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['SlipwayWorkflowFailureRateHigh', 'SlipwayQueueBacklog', 'SlipwayWebhookErrorRate']));
  for (const r of all) {
    expect(r.labels.severity).toBeTruthy();
    expect(r.annotations.summary).toBeTruthy();
    const names = metricNames(r.expr);
    expect(names.length, r.alert).toBeGreaterThan(0);
    for (const n of names) expect(known, `${n} in ${r.alert}`).toContain(n);
  }
});
