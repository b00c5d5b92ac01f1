/**
 * The `workflow.*` variables (Argo's global scope: util/variables, operator.go setGlobalParameters).
 */
import {
  MapScope,
  NIL,
  strftimeChar,
  type Parameter,
  type Resolved,
  type Workflow,
  type WorkflowSpec,
} from '@slipway/workflow';
import { rfc3339 } from '../state/time.js';

export class GlobalScope extends MapScope {
  /** Set once the entry node is fulfilled (for exit handlers). */
  status?: string;
  failures?: string;

  constructor(
    private readonly workflow: Workflow,
    spec: WorkflowSpec,
    private readonly clock: () => number,
  ) {
    super(new Map(), undefined, (tag) => this.dynamicValue(tag));
    const meta = workflow.metadata;
    this.set('workflow.name', meta.name ?? '');
    this.set('workflow.namespace', meta.namespace ?? 'default');
    this.set('workflow.uid', meta.uid ?? '');
    this.set('workflow.mainEntrypoint', spec.entrypoint ?? '');
    this.set('workflow.serviceAccountName', spec.serviceAccountName ?? '');
    if (typeof spec.priority === 'number') this.set('workflow.priority', String(spec.priority));
    const created = meta.creationTimestamp ?? rfc3339(clock());
    this.set('workflow.creationTimestamp', created);
    this.set('workflow.creationTimestamp.RFC3339', created);
    this.set('workflow.creationTimestamp.s', String(Math.floor(Date.parse(created) / 1000)));
    const scheduled = meta.annotations?.['workflows.argoproj.io/scheduled-time'];
    if (scheduled) this.set('workflow.scheduledTime', scheduled);
    for (const [k, v] of Object.entries(meta.labels ?? {})) this.set(`workflow.labels.${k}`, v);
    for (const [k, v] of Object.entries(meta.annotations ?? {})) this.set(`workflow.annotations.${k}`, v);
    this.set('workflow.labels.json', JSON.stringify(meta.labels ?? {}));
    this.set('workflow.annotations.json', JSON.stringify(meta.annotations ?? {}));
    const params = workflowParameters(spec);
    for (const p of params) this.set(`workflow.parameters.${p.name}`, p.value ?? '');
    this.set('workflow.parameters.json', JSON.stringify(params));
    for (const p of workflow.status?.outputs?.parameters ?? []) {
      if (p.value !== undefined) this.set(`workflow.outputs.parameters.${p.name}`, p.value);
    }
  }

  /** Export an output parameter with `globalName` (also recorded in status.outputs). */
  exportParameter(name: string, value: string): void {
    this.set(`workflow.outputs.parameters.${name}`, value);
    const status = (this.workflow.status ??= {});
    status.outputs ??= {};
    const list = (status.outputs.parameters ??= []);
    const existing = list.find((p) => p.name === name);
    if (existing) existing.value = value;
    else list.push({ name, value });
  }

  private dynamicValue(tag: string): Resolved {
    if (tag === 'workflow.status') return this.status;
    if (tag === 'workflow.failures') return this.failures;
    if (tag === 'workflow.duration') {
      const started = this.workflow.status?.startedAt;
      // Go's fmt.Sprintf("%f", seconds): six decimals.
      if (!started) return (0).toFixed(6);
      return ((this.clock() - Date.parse(started)) / 1000).toFixed(6);
    }
    if (tag.startsWith('workflow.creationTimestamp.') && tag.length === 'workflow.creationTimestamp.'.length + 1) {
      const created = this.get('workflow.creationTimestamp');
      if (typeof created !== 'string') return undefined;
      return strftimeChar(tag.slice(-1), new Date(created));
    }
    if (tag.startsWith('workflow.outputs.parameters.')) return undefined;
    return undefined;
  }

  override *entries(): Iterable<[string, string]> {
    // Expressions see `workflow.creationTimestamp` as the timestamp string (so `sprig.date` can use
    // it); its `.RFC3339`/`.s`/strftime forms stay available to plain `{{…}}` tags.
    for (const [k, v] of super.entries()) if (!k.startsWith('workflow.creationTimestamp.')) yield [k, v];
    if (this.status !== undefined) yield ['workflow.status', this.status];
    if (this.failures !== undefined) yield ['workflow.failures', this.failures];
    const d = this.dynamicValue('workflow.duration');
    if (typeof d === 'string') yield ['workflow.duration', d];
  }
}

/** Workflow parameters with their effective values (value, else default, else first enum). */
export function workflowParameters(spec: WorkflowSpec): Parameter[] {
  return (spec.arguments?.parameters ?? []).map((p) => {
    const value = p.value ?? p.default ?? (p.enum && p.enum.length > 0 ? p.enum[0] : undefined);
    return value === undefined ? { ...p } : { ...p, value: String(value) };
  });
}

export { NIL };
