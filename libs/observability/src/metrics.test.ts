import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, SlipwayMetrics } from './metrics.js';
import { parseMetrics, sumOf } from './parse-metrics.js';
import { startMetricsServer } from './metrics-server.js';
import { WorkflowObserver } from './workflow-observer.js';

describe('SlipwayMetrics', () => {
  it('registers every Slipway metric and the Node process metrics', async () => {
    const m = new SlipwayMetrics({ component: 'test' });
    const text = (await m.scrape()).body;
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
  });

  it('counts webhook deliveries, alert e-mails, pod operations and errors with their labels', async () => {
    const m = new SlipwayMetrics({ component: 'test', processMetrics: false });
    m.webhookDeliveries.inc({ source: 'gitlab', outcome: 'accepted' });
    m.alertEmails.inc({ outcome: 'sent' });
    await m.podOperation('local', 'run', () => Promise.resolve('ran'));
    await expect(m.podOperation('local', 'run', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const s = parseMetrics((await m.scrape()).body);
    expect(sumOf(s, METRIC_NAMES.webhookDeliveries, { source: 'gitlab', outcome: 'accepted', component: 'test' })).toBe(1);
    expect(sumOf(s, METRIC_NAMES.alertEmails, { outcome: 'sent' })).toBe(1);
    expect(sumOf(s, METRIC_NAMES.podOperations, { executor: 'local', operation: 'ran' })).toBe(1);
    expect(sumOf(s, METRIC_NAMES.podErrors, { executor: 'local', operation: 'run' })).toBe(1);
  });

  it('reads workflows by phase and namespace and queue depths on scrape', async () => {
    let rows = [{ namespace: 'ci', phase: 'Running', count: 2 }];
    const m = new SlipwayMetrics({ component: 'test', processMetrics: false })
      .workflowsFrom(() => Promise.resolve(rows), 0)
      .watchQueues([{ name: 'pods', getJobCounts: () => Promise.resolve({ waiting: 3, active: 1 }) }]);
    let s = parseMetrics((await m.scrape()).body);
    expect(sumOf(s, METRIC_NAMES.workflows, { namespace: 'ci', phase: 'Running' })).toBe(2);
    expect(sumOf(s, METRIC_NAMES.queueDepth, { queue: 'pods', state: 'waiting' })).toBe(3);
    rows = [{ namespace: 'ci', phase: 'Succeeded', count: 2 }];
    s = parseMetrics((await m.scrape()).body);
    expect(sumOf(s, METRIC_NAMES.workflows, { namespace: 'ci', phase: 'Running' })).toBe(0);
    expect(sumOf(s, METRIC_NAMES.workflows, { namespace: 'ci', phase: 'Succeeded' })).toBe(2);
  });

  it('observes a finished workflow and its nodes once', async () => {
    const m = new SlipwayMetrics({ component: 'test', processMetrics: false });
    const o = new WorkflowObserver(m);
    const wf = {
      metadata: { namespace: 'ci' },
      status: {
        phase: 'Succeeded',
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:00:03Z',
        nodes: { n1: { id: 'n1', type: 'Pod', phase: 'Succeeded', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:02Z' } },
      },
    };
    o.observe('w1', wf);
    o.observe('w1', wf, ['n1']);
    const s = parseMetrics((await m.scrape()).body);
    expect(sumOf(s, `${METRIC_NAMES.workflowDuration}_count`, { namespace: 'ci', phase: 'Succeeded' })).toBe(1);
    expect(sumOf(s, `${METRIC_NAMES.workflowDuration}_sum`, { namespace: 'ci' })).toBe(3);
    expect(sumOf(s, `${METRIC_NAMES.nodeDuration}_count`, { type: 'Pod', phase: 'Succeeded' })).toBe(1);
    expect(sumOf(s, METRIC_NAMES.workflowsCompleted, { namespace: 'ci', phase: 'Succeeded' })).toBe(1);
  });

  it('serves GET /metrics over node:http', async () => {
    const server = await startMetricsServer(new SlipwayMetrics({ component: 'test', processMetrics: false }), 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain(METRIC_NAMES.reconcileDuration);
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
