/**
 * Turning a submitted document into a Workflow ready to run: a name from `generateName`, a uid,
 * a creation time, parameter overrides, and `workflowMetadata` labels. Randomness and time are
 * passed in, so this stays pure.
 */
import type {
  CronWorkflow,
  Parameter,
  Workflow,
  WorkflowSpec,
  WorkflowTemplate,
} from '../model/spec.js';
import { API_VERSION } from '../model/spec.js';

export interface InstantiateOptions {
  /** Five lowercase alphanumerics appended to `generateName` (Kubernetes style). */
  nameSuffix: string;
  uid: string;
  /** Epoch ms. */
  now: number;
  namespace?: string;
  /** `-p NAME=VALUE` overrides (added when the workflow does not declare them). */
  parameters?: Record<string, string>;
  labels?: Record<string, string>;
}

export class SubmitError extends Error {}

/** A Workflow from a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow document. */
export function instantiateWorkflow(source: Workflow | WorkflowTemplate | CronWorkflow, opts: InstantiateOptions): Workflow {
  let wf: Workflow;
  switch (source.kind) {
    case 'Workflow':
      wf = structuredClone(source);
      break;
    case 'WorkflowTemplate':
    case 'ClusterWorkflowTemplate': {
      const name = source.metadata.name ?? '';
      wf = {
        apiVersion: API_VERSION,
        kind: 'Workflow',
        metadata: { generateName: `${name}-`, labels: { 'workflows.argoproj.io/workflow-template': name } },
        spec: { workflowTemplateRef: { name, ...(source.kind === 'ClusterWorkflowTemplate' ? { clusterScope: true } : {}) } },
      };
      break;
    }
    case 'CronWorkflow': {
      const name = source.metadata.name ?? '';
      wf = {
        apiVersion: API_VERSION,
        kind: 'Workflow',
        metadata: {
          generateName: `${name}-`,
          labels: { ...(source.spec.workflowMetadata?.labels ?? {}), 'workflows.argoproj.io/cron-workflow': name },
          annotations: { ...(source.spec.workflowMetadata?.annotations ?? {}) },
        },
        spec: structuredClone(source.spec.workflowSpec),
      };
      break;
    }
  }
  const meta = wf.metadata;
  if (!meta.name) {
    if (!meta.generateName) throw new SubmitError('metadata.name or metadata.generateName is required');
    meta.name = `${meta.generateName}${opts.nameSuffix}`;
  }
  meta.namespace ??= opts.namespace ?? 'default';
  meta.uid = opts.uid;
  meta.creationTimestamp = new Date(Math.floor(opts.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  if (opts.labels) meta.labels = { ...(meta.labels ?? {}), ...opts.labels };
  applyParameters(wf.spec, opts.parameters ?? {});
  applyWorkflowMetadata(wf);
  delete wf.status;
  return wf;
}

function applyParameters(spec: WorkflowSpec, overrides: Record<string, string>): void {
  const names = Object.keys(overrides);
  if (names.length === 0) return;
  spec.arguments ??= {};
  const params: Parameter[] = (spec.arguments.parameters ??= []);
  for (const name of names) {
    const existing = params.find((p) => p.name === name);
    if (existing) {
      existing.value = overrides[name];
      delete existing.valueFrom;
    } else params.push({ name, value: overrides[name] });
  }
}

/** Static `spec.workflowMetadata` labels and annotations (labelsFrom is evaluated by the engine). */
function applyWorkflowMetadata(wf: Workflow): void {
  const md = wf.spec.workflowMetadata;
  if (!md) return;
  if (md.labels) wf.metadata.labels = { ...(wf.metadata.labels ?? {}), ...md.labels };
  if (md.annotations) wf.metadata.annotations = { ...(wf.metadata.annotations ?? {}), ...md.annotations };
}

/** `NAME=VALUE` pairs from the command line; the value may contain `=`. */
export function parseParameterFlags(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const i = flag.indexOf('=');
    if (i <= 0) throw new SubmitError(`parameter "${flag}" must be NAME=VALUE`);
    out[flag.slice(0, i)] = flag.slice(i + 1);
  }
  return out;
}
