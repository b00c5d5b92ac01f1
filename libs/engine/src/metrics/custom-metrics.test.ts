/** Argo custom metrics, evaluated purely from a saved workflow: variables, when, kinds, realtime gauges, retries, errors. */
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { describe, expect, it } from 'vitest';
import { customMetricsOf } from './custom-metrics.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function workflow(metrics: unknown, nodes: Record<string, Partial<NodeStatus>>, extra: { phase?: string; workflowMetrics?: unknown } = {}): Workflow {
  const full: Record<string, NodeStatus> = {};
  for (const [id, n] of Object.entries(nodes)) full[id] = { id, name: id, displayName: id, type: 'Pod', phase: 'Succeeded', templateName: 'step', ...n };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'wf', namespace: 'ci', uid: 'uid-1', labels: { team: 'shop' } },
    spec: { entrypoint: 'step', templates: [{ name: 'step', container: { image: 'alpine' }, metrics }], ...(extra.workflowMetrics ? { metrics: extra.workflowMetrics } : {}) },
    status: { phase: (extra.phase ?? 'Running') as 'Running', startedAt: '2026-01-01T00:00:00Z', nodes: full },
  };
}

const done = { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:04Z' };
const run = (wf: Workflow, changed: string[], now = T0 + 10_000) => customMetricsOf(wf, wf.spec, changed, now);

describe('custom metrics', () => {
  it('substitutes status, duration, exitCode, inputs, outputs, result and workflow variables; `when` filters', () => {
    const wf = workflow(
      {
        prometheus: [
          { name: 'result', help: 'h', labels: [{ key: 'status', value: '{{status}}' }, { key: 'in', value: '{{inputs.parameters.x}}' }, { key: 'wf', value: '{{workflow.name}}' }], gauge: { value: '{{outputs.parameters.score}}' } },
          { name: 'took', help: 'h', histogram: { value: '{{duration}}', buckets: [1, 10] } },
          { name: 'codes', help: 'h', labels: [{ key: 'code', value: '{{exitCode}}' }, { key: 'r', value: '{{outputs.result}}' }], counter: { value: '2' } },
          { name: 'failures', help: 'h', when: '{{status}} == Failed', counter: { value: '1' } },
          { name: 'cpu', help: 'h', gauge: { value: '{{resourcesDuration.cpu}}' } },
        ],
      },
      { n1: { ...done, inputs: { parameters: [{ name: 'x', value: 'a' }] }, outputs: { exitCode: '0', result: 'ok', parameters: [{ name: 'score', value: '0.5' }] }, resourcesDuration: { cpu: 3 } } },
    );
    const [batch] = run(wf, ['n1']);
    expect(batch).toMatchObject({ source: 'uid-1/n1', final: true, realtime: false, errors: [] });
    expect(batch.samples).toEqual([
      { name: 'result', help: 'h', kind: 'gauge', labels: { status: 'Succeeded', in: 'a', wf: 'wf' }, value: 0.5 },
      { name: 'took', help: 'h', kind: 'histogram', labels: {}, value: 4, buckets: [1, 10] },
      { name: 'codes', help: 'h', kind: 'counter', labels: { code: '0', r: 'ok' }, value: 2 },
      { name: 'cpu', help: 'h', kind: 'gauge', labels: {}, value: 3 },
    ]);
  });

  it('estimates resourcesDuration like Argo when the node has none (requests, else limits, else 100m / 100Mi)', () => {
    const metrics = { prometheus: [{ name: 'res', help: 'h', labels: [{ key: 'cpu', value: '{{resourcesDuration.cpu}}' }, { key: 'mem', value: '{{resourcesDuration.memory}}' }], counter: { value: '1' } }] };
    const wf = workflow(metrics, { n1: { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:40Z' }, n2: { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:40Z' } });
    wf.spec.templates![0].container = { image: 'alpine', resources: { requests: { cpu: '500m' }, limits: { memory: '1Gi' } } };
    expect(run(wf, ['n1'])[0].samples[0].labels).toEqual({ cpu: '20', mem: '409' });
    wf.spec.templates![0].container = { image: 'alpine' };
    expect(run(wf, ['n2'])[0].samples[0].labels).toEqual({ cpu: '4', mem: '40' });
  });

  it('reports invalid definitions naming the field, and emits the valid ones', () => {
    const wf = workflow(
      {
        prometheus: [
          { name: 'bad-name', help: 'h', counter: { value: '1' } },
          { name: 'nohelp', counter: { value: '1' } },
          { name: 'two', help: 'h', counter: { value: '1' }, gauge: { value: '1' } },
          { name: 'h', help: 'h', histogram: { value: '1' } },
          { name: 'nan', help: 'h', gauge: { value: '{{outputs.result}}' } },
          { name: 'missing', help: 'h', gauge: { value: '{{outputs.parameters.nope}}' } },
          { name: 'rt', help: 'h', gauge: { value: '{{status}}', realtime: true } },
          { name: 'ok', help: 'h', counter: { value: '1' } },
        ],
      },
      { n1: { ...done, outputs: { result: 'not a number' } } },
    );
    const [batch] = run(wf, ['n1']);
    expect(batch.samples.map((s) => s.name)).toEqual(['ok']);
    const p = 'spec.templates[name=step].metrics.prometheus';
    expect(batch.errors).toEqual([
      `${p}[0].name: "bad-name" is not a valid metric name (letters, digits and _)`,
      `${p}[1].help: required`,
      `${p}[2]: exactly one of gauge, counter or histogram is required`,
      `${p}[3].histogram.buckets: required (a list of numbers)`,
      `${p}[4].gauge.value: "not a number" is not a number`,
      `${p}[5].gauge.value: failed to resolve {{outputs.parameters.nope}}`,
      `${p}[6].gauge.value: a realtime gauge may only use {{duration}} or {{workflow.duration}}`,
    ]);
  });

  it('a realtime gauge is live while its node runs and final when it completes', () => {
    const metrics = { prometheus: [{ name: 'live', help: 'h', gauge: { value: '{{duration}}', realtime: true } }, { name: 'later', help: 'h', counter: { value: '1' } }] };
    const running = workflow(metrics, { n1: { phase: 'Running', startedAt: '2026-01-01T00:00:00Z' } });
    expect(run(running, ['n1'])).toEqual([{ source: 'uid-1/n1', final: false, realtime: true, errors: [], samples: [{ name: 'live', help: 'h', kind: 'gauge', labels: {}, value: 0, realtime: { key: 'uid-1/n1', startedAt: T0 } }] }]);
    const finished = workflow(metrics, { n1: done });
    expect(run(finished, ['n1'])[0].samples).toEqual([
      { name: 'live', help: 'h', kind: 'gauge', labels: {}, value: 4 },
      { name: 'later', help: 'h', kind: 'counter', labels: {}, value: 1 },
    ]);
  });

  it('a retried template emits once, from its Retry node; unchanged nodes and templates without metrics emit nothing', () => {
    const metrics = { prometheus: [{ name: 'attempts', help: 'h', counter: { value: '1' } }] };
    const wf = workflow(metrics, { r: { ...done, type: 'Retry', children: ['a1', 'a2'] }, a1: { ...done, phase: 'Failed' }, a2: done });
    expect(run(wf, ['a1', 'a2', 'r']).map((b) => b.source)).toEqual(['uid-1/r']);
    expect(run(wf, [])).toEqual([]);
    expect(run(workflow(undefined, { n1: done }), ['n1'])).toEqual([]);
  });

  it('finds the metrics of a template from a referenced WorkflowTemplate (templateRef, or its scope)', () => {
    const metrics = { prometheus: [{ name: 'shared', help: 'h', labels: [{ key: 'status', value: '{{status}}' }], counter: { value: '1' } }] };
    const wf = workflow(undefined, {
      ref: { ...done, templateName: undefined, templateRef: { name: 'lib', template: 'build' } },
      inner: { ...done, templateName: 'build', templateScope: 'namespaced/lib' },
    });
    wf.status!.storedTemplates = { 'namespaced/lib': { templates: [{ name: 'build', container: { image: 'alpine' }, metrics }] } };
    expect(run(wf, ['ref', 'inner']).map((b) => [b.source, b.samples.map((s) => s.labels.status)])).toEqual([
      ['uid-1/ref', ['Succeeded']],
      ['uid-1/inner', ['Succeeded']],
    ]);
  });

  it('workflow-level metrics use workflow.status and workflow.duration when the workflow completes', () => {
    const workflowMetrics = { prometheus: [{ name: 'wf_runs', help: 'h', labels: [{ key: 'status', value: '{{workflow.status}}' }, { key: 'team', value: '{{workflow.labels.team}}' }], gauge: { value: '{{workflow.duration}}' } }] };
    const wf = workflow(undefined, { n1: done }, { phase: 'Failed', workflowMetrics });
    wf.status!.finishedAt = '2026-01-01T00:00:07Z';
    expect(run(wf, ['n1'])).toEqual([{ source: 'uid-1', final: true, realtime: false, errors: [], samples: [{ name: 'wf_runs', help: 'h', kind: 'gauge', labels: { status: 'Failed', team: 'shop' }, value: 7 }] }]);
    expect(run(workflow(undefined, { n1: done }, { phase: 'Running', workflowMetrics }), ['n1'])).toEqual([]);
  });
});
