/**
 * The workflow-level fields that shape every pod of a workflow (Argo's `spec.serviceAccountName`,
 * `spec.nodeSelector`, `spec.podSpecPatch`, …): the PodRequest the engine emits does not carry
 * them, so the host attaches them to the request it stores (`KubePodRequest.podDefaults`).
 */
import type { WorkflowSpec } from '@slipway/workflow';

type Json = Record<string, unknown>;

export interface PodDefaults {
  serviceAccountName?: string;
  imagePullSecrets?: { name: string }[];
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  tolerations?: unknown[];
  securityContext?: unknown;
  /** Workflow-level podSpecPatch, applied before the template's. */
  podSpecPatch?: string;
  priorityClassName?: string;
  schedulerName?: string;
  hostAliases?: unknown[];
  hostNetwork?: boolean;
  dnsPolicy?: string;
  dnsConfig?: unknown;
  /** Workflow-level `podMetadata`: labels/annotations under the template's. */
  podMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `spec.<field>` as PodDefaults; undefined when the workflow sets none of them. */
export function workflowPodDefaults(spec: WorkflowSpec): PodDefaults | undefined {
  const s = spec as WorkflowSpec & Json;
  const d: PodDefaults = {};
  if (typeof s.serviceAccountName === 'string') d.serviceAccountName = s.serviceAccountName;
  if (Array.isArray(s.imagePullSecrets)) d.imagePullSecrets = s.imagePullSecrets as { name: string }[];
  if (isObject(s.nodeSelector)) d.nodeSelector = s.nodeSelector as Record<string, string>;
  if (isObject(s.affinity)) d.affinity = s.affinity;
  if (Array.isArray(s.tolerations)) d.tolerations = s.tolerations;
  if (isObject(s.securityContext)) d.securityContext = s.securityContext;
  if (typeof s.podSpecPatch === 'string') d.podSpecPatch = s.podSpecPatch;
  if (typeof s.priorityClassName === 'string') d.priorityClassName = s.priorityClassName;
  if (typeof s.podPriorityClassName === 'string') d.priorityClassName ??= s.podPriorityClassName;
  if (typeof s.schedulerName === 'string') d.schedulerName = s.schedulerName;
  if (Array.isArray(s.hostAliases)) d.hostAliases = s.hostAliases;
  if (typeof s.hostNetwork === 'boolean') d.hostNetwork = s.hostNetwork;
  if (typeof s.dnsPolicy === 'string') d.dnsPolicy = s.dnsPolicy;
  if (isObject(s.dnsConfig)) d.dnsConfig = s.dnsConfig;
  if (isObject(s.podMetadata)) d.podMetadata = s.podMetadata;
  return Object.keys(d).length > 0 ? d : undefined;
}

/** Executor-wide defaults under the workflow's own (the workflow wins field by field). */
export function mergePodDefaults(executorWide: PodDefaults | undefined, workflow: PodDefaults | undefined): PodDefaults {
  const merged: PodDefaults = { ...(executorWide ?? {}), ...(workflow ?? {}) };
  if (executorWide?.podMetadata || workflow?.podMetadata) {
    merged.podMetadata = {
      labels: { ...(executorWide?.podMetadata?.labels ?? {}), ...(workflow?.podMetadata?.labels ?? {}) },
      annotations: { ...(executorWide?.podMetadata?.annotations ?? {}), ...(workflow?.podMetadata?.annotations ?? {}) },
    };
  }
  // podSpecPatch is not merged here: buildPodManifest applies the executor's, the workflow's, then the template's.
  return merged;
}
