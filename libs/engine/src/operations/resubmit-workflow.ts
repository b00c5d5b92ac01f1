/**
 * Resubmitting a workflow as a brand-new one (Argo's `argo resubmit` / PUT .../resubmit,
 * FormulateResubmitWorkflow): same spec, user labels and annotations, a fresh status.
 */
import type { Workflow } from '@slipway/workflow';
import { rfc3339 } from '../state/time.js';
import { OperationError } from './errors.js';
import { overrideParameters, parseParameterOverrides } from './parameters.js';

export interface ResubmitOptions {
  /** `NAME=VALUE` overrides of `spec.arguments.parameters`. */
  parameters?: string[];
  /** Argo's memoized resubmit (reuse the succeeded pods); not supported by Slipway yet. */
  memoized?: boolean;
}

export interface ResubmitIds {
  /** Appended to `generateName` to name the new workflow (like a submission's). */
  nameSuffix: string;
  uid: string;
  /** Creation time (epoch ms). */
  now: number;
}

/** The label Argo puts on a resubmitted workflow: the name of the one it came from. */
export const RESUBMITTED_FROM_LABEL = 'workflows.argoproj.io/resubmitted-from-workflow';

/** Labels describing the old run (or its creator) that a resubmitted workflow does not inherit. */
const DROPPED_LABELS = new Set([
  'workflows.argoproj.io/creator',
  'workflows.argoproj.io/creator-email',
  'workflows.argoproj.io/creator-preferred-username',
  'workflows.argoproj.io/phase',
  'workflows.argoproj.io/completed',
  'workflows.argoproj.io/workflow-archiving-status',
]);

/** A new Workflow to submit in place of `workflow`. Pure: `workflow` is not modified. */
export function resubmitWorkflow(workflow: Workflow, opts: ResubmitOptions, ids: ResubmitIds): Workflow {
  const name = workflow.metadata.name ?? '';
  if (opts.memoized) {
    const phase = workflow.status?.phase;
    if (phase !== 'Failed' && phase !== 'Error') throw new OperationError('workflow must be Failed/Error to resubmit in memoized mode');
    throw new OperationError('memoized resubmit is not supported: resubmit without memoized, or retry the workflow');
  }
  const overrides = parseParameterOverrides(opts.parameters ?? []);
  const generateName = workflow.metadata.generateName || `${name}-`;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(workflow.metadata.labels ?? {})) if (!DROPPED_LABELS.has(k)) labels[k] = v;
  labels[RESUBMITTED_FROM_LABEL] = name;
  const spec = structuredClone(workflow.spec);
  if (spec.activeDeadlineSeconds !== undefined && Number(spec.activeDeadlineSeconds) === 0) delete spec.activeDeadlineSeconds;
  delete spec.shutdown;
  overrideParameters(spec, overrides);
  const metadata: Workflow['metadata'] = {
    name: `${generateName}${ids.nameSuffix}`,
    generateName,
    namespace: workflow.metadata.namespace ?? 'default',
    uid: ids.uid,
    creationTimestamp: rfc3339(ids.now),
    labels,
    annotations: { ...(workflow.metadata.annotations ?? {}) },
  };
  const owners = workflow.metadata.ownerReferences;
  if (Array.isArray(owners) && owners.length > 0) metadata.ownerReferences = structuredClone(owners);
  return { apiVersion: workflow.apiVersion, kind: 'Workflow', metadata, spec };
}
