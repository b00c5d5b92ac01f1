/**
 * Argo's custom metrics (`metrics.prometheus` on templates and `spec.metrics` on the workflow),
 * evaluated purely: a saved workflow and the nodes that changed in → the samples to record and
 * the errors of invalid definitions out. The host records them (prefixed `argo_workflows_`, as
 * Argo emits them) and reports the errors; a bad definition never stops the workflow.
 *
 * Semantics (Argo's workflow-telemetry docs): a metric is emitted when its node (or the workflow)
 * completes, after `{{…}}` substitution with `status`, `duration`, `exitCode`,
 * `inputs.parameters.X`, `outputs.parameters.X`, `outputs.result`, `resourcesDuration.{cpu,memory}`
 * and the `workflow.*` globals, if its `when` holds. A `realtime` gauge (value `{{duration}}` or
 * `{{workflow.duration}}` only) is live while its node runs, its value the time since the start.
 */
import { evaluateWhen, MapScope, replaceTags, UnresolvedError, type NodeStatus, type Template, type Workflow, type WorkflowSpec } from '@slipway/workflow';
import { evaluateInScope } from '../scope/expressions.js';
import { LOCAL_SCOPE } from '../templates/resolve.js';
import { estimatedResourcesDuration } from './resources-duration.js';

export type CustomMetricKind = 'gauge' | 'counter' | 'histogram';

export interface CustomMetricSample {
  /** The metric name as written (the recorder adds `argo_workflows_`). */
  name: string;
  help: string;
  kind: CustomMetricKind;
  labels: Record<string, string>;
  value: number;
  /** Histograms: the bucket upper bounds. */
  buckets?: number[];
  /** Gauges: Set (default), Add or Sub. */
  operation?: 'Set' | 'Add' | 'Sub';
  /** A realtime gauge of a running node or workflow: its value is (now - startedAt) / 1000 until the source's final batch. */
  realtime?: { key: string; startedAt: number };
}

/** What one node (or the workflow) emits after a save. */
export interface CustomMetricsBatch {
  /** `<workflow uid>/<node id>`, or the workflow uid for `spec.metrics`. */
  source: string;
  /** The node or workflow completed: its samples are emitted once (the host skips a source it already emitted). */
  final: boolean;
  /** Its definitions include a realtime gauge: when final, every live series of the source ends (in every process). */
  realtime: boolean;
  samples: CustomMetricSample[];
  /** Invalid definitions, each naming the field (`spec.templates[name=x].metrics.prometheus[0].histogram.buckets: …`). */
  errors: string[];
}

interface PrometheusDef {
  name?: unknown;
  help?: unknown;
  labels?: unknown;
  when?: unknown;
  gauge?: { value?: unknown; realtime?: unknown; operation?: unknown };
  counter?: { value?: unknown };
  histogram?: { value?: unknown; buckets?: unknown };
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FINISHED = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted']);
const WORKFLOW_FINISHED = new Set(['Succeeded', 'Failed', 'Error']);
const STRICT = ['inputs.', 'outputs.', 'workflow.', 'status', 'duration', 'exitCode', 'resourcesDuration.'];

const seconds = (start?: string, end?: string, now?: number): number => {
  const s = start ? Date.parse(start) : NaN;
  const e = end ? Date.parse(end) : (now ?? NaN);
  return Number.isFinite(s) && Number.isFinite(e) ? Math.max(0, (e - s) / 1000) : 0;
};

function definitions(metrics: unknown): PrometheusDef[] | string {
  if (metrics === undefined || metrics === null) return [];
  const list = (metrics as { prometheus?: unknown }).prometheus;
  if (!Array.isArray(list)) return 'prometheus: must be a list';
  return list as PrometheusDef[];
}

/** The workflow's global variables as Argo's metrics see them. */
function workflowScope(wf: Workflow, spec: WorkflowSpec, now: number): MapScope {
  const scope = new MapScope();
  const meta = wf.metadata;
  scope.set('workflow.name', meta.name ?? '').set('workflow.namespace', meta.namespace ?? 'default').set('workflow.uid', meta.uid ?? '');
  scope.set('workflow.status', wf.status?.phase ?? 'Pending');
  scope.set('workflow.duration', String(seconds(wf.status?.startedAt, wf.status?.finishedAt, now)));
  scope.set('workflow.serviceAccountName', spec.serviceAccountName ?? '');
  if (meta.creationTimestamp) scope.set('workflow.creationTimestamp', meta.creationTimestamp);
  for (const [k, v] of Object.entries(meta.labels ?? {})) scope.set(`workflow.labels.${k}`, v);
  for (const [k, v] of Object.entries(meta.annotations ?? {})) scope.set(`workflow.annotations.${k}`, v);
  for (const p of spec.arguments?.parameters ?? []) if (p.value !== undefined) scope.set(`workflow.parameters.${p.name}`, String(p.value));
  for (const p of wf.status?.outputs?.parameters ?? []) if (p.value !== undefined) scope.set(`workflow.outputs.parameters.${p.name}`, p.value);
  return scope;
}

/** A node's local variables over the workflow's. */
function nodeScope(node: NodeStatus, template: Template, parent: MapScope, now: number): MapScope {
  const scope = new MapScope(new Map(), parent);
  const duration = seconds(node.startedAt, node.finishedAt, now);
  scope.set('status', node.phase).set('duration', String(duration));
  const estimated = node.type === 'Pod' && !node.resourcesDuration ? estimatedResourcesDuration(template, duration) : undefined;
  if (estimated) scope.set('resourcesDuration.cpu', String(estimated.cpu)).set('resourcesDuration.memory', String(estimated.memory));
  if (node.outputs?.exitCode !== undefined) scope.set('exitCode', node.outputs.exitCode);
  if (node.outputs?.result !== undefined) scope.set('outputs.result', node.outputs.result);
  for (const p of node.inputs?.parameters ?? []) if (p.value !== undefined) scope.set(`inputs.parameters.${p.name}`, p.value);
  for (const p of node.outputs?.parameters ?? []) if (p.value !== undefined) scope.set(`outputs.parameters.${p.name}`, p.value);
  for (const [k, v] of Object.entries(node.resourcesDuration ?? {})) scope.set(`resourcesDuration.${k}`, String(v));
  return scope;
}

function substitute(text: string, scope: MapScope): string {
  return replaceTags(text, scope, { strictPrefixes: STRICT, evaluateExpression: (e, s) => evaluateInScope(e, s) });
}

function number(text: string, field: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`${field}: "${text}" is not a number`);
  return n;
}

interface Target {
  /** Field path of the definitions, for errors. */
  path: string;
  defs: unknown;
  scope: MapScope;
  finished: boolean;
  startedAt?: string;
  /** Identity of the node or workflow (realtime series). */
  key: string;
}

/** Evaluate one definition; undefined when `when` is false or a realtime gauge is not due. */
function evaluate(def: PrometheusDef, field: string, t: Target): CustomMetricSample | undefined {
  if (typeof def !== 'object' || def === null) throw new Error(`${field}: must be an object`);
  const realtime = def.gauge?.realtime === true;
  // Only realtime gauges exist before their node completes.
  if (!realtime && !t.finished) return undefined;
  const kinds = (['gauge', 'counter', 'histogram'] as const).filter((k) => def[k] !== undefined && def[k] !== null);
  if (kinds.length !== 1) throw new Error(`${field}: exactly one of gauge, counter or histogram is required`);
  const kind = kinds[0];
  const sub = (value: unknown, at: string): string => {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${at}: required`);
    try {
      return substitute(String(value), t.scope);
    } catch (err) {
      throw new Error(`${at}: ${err instanceof UnresolvedError ? err.message : (err as Error).message}`);
    }
  };
  const name = sub(def.name, `${field}.name`);
  if (!NAME.test(name)) throw new Error(`${field}.name: "${name}" is not a valid metric name (letters, digits and _)`);
  const help = sub(def.help, `${field}.help`);
  if (help.trim() === '') throw new Error(`${field}.help: required`);
  const labels: Record<string, string> = {};
  if (def.labels !== undefined && !Array.isArray(def.labels)) throw new Error(`${field}.labels: must be a list of {key, value}`);
  for (const [i, l] of ((def.labels as { key?: unknown; value?: unknown }[] | undefined) ?? []).entries()) {
    const key = sub(l?.key, `${field}.labels[${i}].key`);
    if (!NAME.test(key)) throw new Error(`${field}.labels[${i}].key: "${key}" is not a valid label name`);
    const value = sub(l?.value, `${field}.labels[${i}].value`);
    if (value === '') throw new Error(`${field}.labels[${i}].value: must not be empty`);
    labels[key] = value;
  }
  if (def.when !== undefined && def.when !== '') {
    const when = sub(def.when, `${field}.when`);
    try {
      if (!evaluateWhen(when)) return undefined;
    } catch (err) {
      throw new Error(`${field}.when: ${(err as Error).message}`);
    }
  }
  const base = { name, help, kind, labels };
  if (kind === 'histogram') {
    const buckets = def.histogram?.buckets;
    if (!Array.isArray(buckets) || buckets.length === 0) throw new Error(`${field}.histogram.buckets: required (a list of numbers)`);
    const bounds = buckets.map((b, i) => number(String(b), `${field}.histogram.buckets[${i}]`));
    return { ...base, value: number(sub(def.histogram?.value, `${field}.histogram.value`), `${field}.histogram.value`), buckets: bounds };
  }
  if (kind === 'counter') return { ...base, value: number(sub(def.counter?.value, `${field}.counter.value`), `${field}.counter.value`) };
  const operation = def.gauge?.operation;
  if (operation !== undefined && operation !== 'Set' && operation !== 'Add' && operation !== 'Sub') throw new Error(`${field}.gauge.operation: must be Set, Add or Sub`);
  if (realtime) {
    const raw = String(def.gauge?.value ?? '').replace(/\s+/g, '');
    if (raw !== '{{duration}}' && raw !== '{{workflow.duration}}') throw new Error(`${field}.gauge.value: a realtime gauge may only use {{duration}} or {{workflow.duration}}`);
    if (!t.finished) {
      const startedAt = t.startedAt ? Date.parse(t.startedAt) : NaN;
      return Number.isFinite(startedAt) ? { ...base, value: 0, realtime: { key: t.key, startedAt } } : undefined;
    }
  }
  const value = number(sub(def.gauge?.value, `${field}.gauge.value`), `${field}.gauge.value`);
  return { ...base, value, ...(operation ? { operation } : {}) };
}

/** The specs of referenced (Cluster)WorkflowTemplates, stored in the status by scope (`namespaced/<name>`, `cluster/<name>`). */
const storedSpecs = (wf: Workflow) => (wf.status?.storedTemplates ?? {}) as Record<string, WorkflowSpec | undefined>;

/** The template a node ran: by templateRef, in its (referenced) template scope, or in the workflow's spec. */
function templateOf(wf: Workflow, spec: WorkflowSpec, node: NodeStatus): { template?: Template; path: string } {
  if (node.templateRef) {
    const { name, template, clusterScope } = node.templateRef;
    const scope = `${clusterScope ? 'cluster' : 'namespaced'}/${name}`;
    return { template: storedSpecs(wf)[scope]?.templates?.find((t) => t.name === template), path: `${scope}: spec.templates[name=${template}].metrics` };
  }
  const name = node.templateName;
  const scope = node.templateScope;
  if (scope && !scope.startsWith(LOCAL_SCOPE) && storedSpecs(wf)[scope]) {
    return { template: storedSpecs(wf)[scope]?.templates?.find((t) => t.name === name), path: `${scope}: spec.templates[name=${name}].metrics` };
  }
  return { template: name === undefined ? undefined : spec.templates?.find((t) => t.name === name), path: `spec.templates[name=${name}].metrics` };
}

/**
 * The custom metric samples due after a save: for each changed node that completed (or runs, for
 * realtime gauges) its template's metrics, and the workflow's own when it completed (or started).
 */
export function customMetricsOf(wf: Workflow, spec: WorkflowSpec, changedNodeIds: Iterable<string>, now: number): CustomMetricsBatch[] {
  const out: CustomMetricsBatch[] = [];
  // Most workflows define none: no per-save cost beyond this scan of the templates.
  const specs = [spec, ...Object.values(storedSpecs(wf))];
  if (!spec.metrics && !specs.some((s) => (s?.templates ?? []).some((t) => t.metrics))) return out;
  const globals = workflowScope(wf, spec, now);
  const nodes = wf.status?.nodes ?? {};
  let attempts: Set<string> | undefined;
  const targets: Target[] = [];
  for (const id of changedNodeIds) {
    const node = nodes[id];
    if (!node || (node.phase !== 'Running' && !FINISHED.has(node.phase))) continue;
    const { template, path } = templateOf(wf, spec, node);
    if (!template?.metrics) continue;
    // A Retry node's attempts run its template too: the metric is the Retry node's, emitted once.
    if (!attempts) {
      attempts = new Set<string>();
      for (const n of Object.values(nodes)) if (n.type === 'Retry') for (const c of n.children ?? []) attempts.add(c);
    }
    if (attempts.has(id)) continue;
    targets.push({ path, defs: template.metrics, scope: nodeScope(node, template, globals, now), finished: FINISHED.has(node.phase), startedAt: node.startedAt, key: `${wf.metadata.uid ?? ''}/${id}` });
  }
  const phase = wf.status?.phase;
  if (spec.metrics && (phase === 'Running' || WORKFLOW_FINISHED.has(phase ?? ''))) {
    targets.push({ path: 'spec.metrics', defs: spec.metrics, scope: globals, finished: WORKFLOW_FINISHED.has(phase ?? ''), startedAt: wf.status?.startedAt, key: wf.metadata.uid ?? '' });
  }
  for (const t of targets) {
    const defs = definitions(t.defs);
    const realtime = typeof defs !== 'string' && defs.some((d) => d?.gauge?.realtime === true);
    const batch: CustomMetricsBatch = { source: t.key, final: t.finished, realtime, samples: [], errors: [] };
    if (typeof defs === 'string') batch.errors.push(`${t.path}.${defs}`);
    else {
      defs.forEach((def, i) => {
        try {
          const sample = evaluate(def, `${t.path}.prometheus[${i}]`, t);
          if (sample) batch.samples.push(sample);
        } catch (err) {
          batch.errors.push((err as Error).message);
        }
      });
    }
    if (batch.samples.length > 0 || batch.errors.length > 0 || (batch.final && realtime)) out.push(batch);
  }
  return out;
}
