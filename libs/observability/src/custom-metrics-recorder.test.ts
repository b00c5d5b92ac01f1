/** Recording Argo custom metrics in a prom-client registry: kinds, realtime gauges, one emission per source, conflicts reported. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CustomMetricsRecorder, type CustomBatch, type CustomSample } from './custom-metrics-recorder.js';
import { parseMetrics, sumOf } from './parse-metrics.js';

function setup() {
  const registry = new Registry();
  const errors: string[] = [];
  let now = 0;
  const recorder = new CustomMetricsRecorder(registry, (m) => errors.push(m), () => now);
  const samples = async () => parseMetrics(await registry.metrics());
  return { registry, errors, recorder, samples, setNow: (t: number) => (now = t) };
}

const batch = (source: string, final: boolean, ...samples: CustomSample[]): CustomBatch => ({ source, final, samples, errors: [] });
const counter = (name: string, value: number, labels: Record<string, string> = {}): CustomSample => ({ name, help: 'h', kind: 'counter', labels, value });

describe('CustomMetricsRecorder', () => {
  it('records counters, gauges (Set, Add, Sub) and histograms under argo_workflows_, once per final source', async () => {
    const { recorder, samples } = setup();
    recorder.record([batch('wf/n1', true, counter('runs', 1, { status: 'Succeeded' }), { name: 'g', help: 'h', kind: 'gauge', labels: {}, value: 5 })]);
    recorder.record([batch('wf/n1', true, counter('runs', 1, { status: 'Succeeded' }))]);
    recorder.record([batch('wf/n2', true, counter('runs', 2, { status: 'Succeeded' }), { name: 'g', help: 'h', kind: 'gauge', labels: {}, value: 2, operation: 'Sub' })]);
    recorder.record([batch('wf/n3', true, { name: 'g', help: 'h', kind: 'gauge', labels: {}, value: 10, operation: 'Add' }, { name: 'h', help: 'h', kind: 'histogram', labels: {}, value: 3, buckets: [1, 5] })]);
    const s = await samples();
    expect(sumOf(s, 'argo_workflows_runs', { status: 'Succeeded' })).toBe(3);
    expect(sumOf(s, 'argo_workflows_g')).toBe(13);
    expect(sumOf(s, 'argo_workflows_h_bucket', { le: '1' })).toBe(0);
    expect(sumOf(s, 'argo_workflows_h_bucket', { le: '5' })).toBe(1);
  });

  it('a realtime gauge reads the time since the start on scrape, until its final value', async () => {
    const { recorder, samples, setNow } = setup();
    recorder.record([batch('wf/n1', false, { name: 'live', help: 'h', kind: 'gauge', labels: { step: 'a' }, value: 0, realtime: { key: 'wf/n1', startedAt: 1000 } })]);
    setNow(4000);
    expect(sumOf(await samples(), 'argo_workflows_live', { step: 'a' })).toBe(3);
    setNow(9000);
    expect(sumOf(await samples(), 'argo_workflows_live', { step: 'a' })).toBe(8);
    expect(recorder.record([{ ...batch('wf/n1', true, { name: 'live', help: 'h', kind: 'gauge', labels: { step: 'a' }, value: 6.5 }), realtime: true }])).toEqual(['wf/n1']);
    setNow(20_000);
    expect(sumOf(await samples(), 'argo_workflows_live', { step: 'a' })).toBe(6.5);
    // A late live sample of a completed source is ignored.
    recorder.record([batch('wf/n1', false, { name: 'live', help: 'h', kind: 'gauge', labels: { step: 'a' }, value: 0, realtime: { key: 'wf/n1', startedAt: 1000 } })]);
    expect(sumOf(await samples(), 'argo_workflows_live', { step: 'a' })).toBe(6.5);
  });

  it('endLive drops the live series another process finished; a final batch without a sample (when false) ends them too', async () => {
    const { recorder, samples, setNow } = setup();
    const live = (source: string, step: string): CustomBatch => batch(source, false, { name: 'live', help: 'h', kind: 'gauge', labels: { step }, value: 0, realtime: { key: source, startedAt: 0 } });
    recorder.record([live('wf/a', 'a'), live('wf/b', 'b'), live('wf', 'workflow')]);
    setNow(5000);
    expect(sumOf(await samples(), 'argo_workflows_live')).toBe(15);
    recorder.endLive('wf/a');
    recorder.record([{ source: 'wf/b', final: true, realtime: true, samples: [], errors: [] }]);
    const left = (await samples()).filter((s) => s.name === 'argo_workflows_live');
    expect(left.map((s) => s.labels.step)).toEqual(['workflow']);
  });

  it('reports a sample whose type, help or labels differ from the first of its name, and the batch errors', async () => {
    const { recorder, errors, samples } = setup();
    recorder.record([
      { source: 'a', final: true, errors: ['spec.metrics.prometheus[0].help: required'], samples: [counter('x', 1)] },
      batch('b', true, { name: 'x', help: 'h', kind: 'gauge', labels: {}, value: 1 }),
      batch('c', true, { ...counter('x', 1), help: 'other' }),
      batch('d', true, counter('x', 1, { extra: 'y' })),
      batch('e', true, counter('x', -1)),
    ]);
    expect(errors).toEqual([
      'spec.metrics.prometheus[0].help: required',
      'argo_workflows_x: already a counter, not a gauge (metrics with one name keep one type)',
      'argo_workflows_x: help "other" differs from "h" (metrics with one name keep one help)',
      'argo_workflows_x: labels [extra] differ from []',
      'argo_workflows_x: It is not possible to decrease a counter',
    ]);
    expect(sumOf(await samples(), 'argo_workflows_x')).toBe(1);
  });
});
