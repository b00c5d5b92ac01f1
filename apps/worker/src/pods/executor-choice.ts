/**
 * Which executor runs a workflow's pods: the worker's default (SLIPWAY_EXECUTOR), or the
 * workflow's own choice, label or annotation `workflows.slipway.dev/executor: kubernetes|local`.
 * The choice and the workflow-level pod fields travel in the stored pod request, so the pod job
 * needs no second read of the workflow.
 */
import { randomUUID } from 'node:crypto';
import type { PodRequest } from '@slipway/engine';
import { workflowPodDefaults, type KubePodRequest } from '@slipway/executors';
import { EXECUTOR_KEY, type ObjectMeta, type WorkflowSpec } from '@slipway/workflow';

/** The label (or annotation) key; `slipway lint` checks its value too. */
export const EXECUTOR_LABEL = EXECUTOR_KEY;
export const EXECUTOR_NAMES = ['local', 'kubernetes'] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

/** The request a worker stores for a pod: the engine's, plus what the executors need from the workflow. */
export type WorkerPodRequest = KubePodRequest & {
  /** The workflow's label/annotation value as written (validated when the pod runs). */
  executor?: string;
  /** Where `executor` came from, for the error message. */
  executorField?: string;
};

export class InvalidExecutorError extends Error {}

/** The workflow's explicit choice (label first, then annotation), unvalidated. */
function explicitChoice(metadata: ObjectMeta): { value: string; field: string } | undefined {
  const label = metadata.labels?.[EXECUTOR_LABEL];
  if (label !== undefined) return { value: label, field: `metadata.labels["${EXECUTOR_LABEL}"]` };
  const annotation = metadata.annotations?.[EXECUTOR_LABEL];
  if (annotation !== undefined) return { value: annotation, field: `metadata.annotations["${EXECUTOR_LABEL}"]` };
  return undefined;
}

/**
 * Attach the workflow's executor choice, volumeClaimTemplates and pod-level fields to a pod
 * request (`spec`: the executed spec, merged over a workflowTemplateRef).
 */
export function withWorkflowPodFields(pod: PodRequest, metadata: ObjectMeta, spec: WorkflowSpec): WorkerPodRequest {
  // The stored request keeps this id (a re-emitted StartPod does not replace the row): a pod that
  // carries another id was made for an earlier execution of the node (before a workflow retry).
  const out: WorkerPodRequest = { ...pod, executionId: randomUUID() };
  const choice = explicitChoice(metadata);
  if (choice) {
    out.executor = choice.value;
    out.executorField = choice.field;
  }
  const claims = spec.volumeClaimTemplates;
  if (claims && claims.length > 0) out.volumeClaimTemplates = claims;
  const defaults = workflowPodDefaults(spec);
  if (defaults) out.podDefaults = defaults;
  return out;
}

/** The executor for a stored request; throws InvalidExecutorError naming the field for a bad value. */
export function executorFor(request: WorkerPodRequest, fallback: ExecutorName): ExecutorName {
  const value = request.executor;
  if (value === undefined) return fallback;
  if ((EXECUTOR_NAMES as readonly string[]).includes(value)) return value as ExecutorName;
  throw new InvalidExecutorError(`${request.executorField ?? EXECUTOR_LABEL}: "${value}" is not an executor (use ${EXECUTOR_NAMES.join(' or ')})`);
}
