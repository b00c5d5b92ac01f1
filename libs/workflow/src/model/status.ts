/** Workflow and node status, in the shape Argo's `status` has (so `-o json` matches Argo). */

export type NodePhase =
  | 'Pending'
  | 'Running'
  | 'Succeeded'
  | 'Skipped'
  | 'Failed'
  | 'Error'
  | 'Omitted';

export type WorkflowPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';

export type NodeType =
  | 'Pod'
  | 'Container'
  | 'Steps'
  | 'StepGroup'
  | 'DAG'
  | 'TaskGroup'
  | 'Retry'
  | 'Skipped'
  | 'Suspend'
  | 'HTTP'
  | 'Plugin';

export interface NodeOutputs {
  parameters?: { name: string; value?: string; valueFrom?: unknown; globalName?: string }[];
  artifacts?: { name: string; path?: string }[];
  result?: string;
  exitCode?: string;
}

export interface NodeStatus {
  id: string;
  name: string;
  displayName: string;
  type: NodeType;
  templateName?: string;
  templateRef?: { name: string; template: string; clusterScope?: boolean };
  templateScope?: string;
  phase: NodePhase;
  boundaryID?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  estimatedDuration?: number;
  progress?: string;
  inputs?: { parameters?: { name: string; value?: string }[]; artifacts?: unknown[] };
  outputs?: NodeOutputs;
  children?: string[];
  outboundNodes?: string[];
  hostNodeName?: string;
  daemoned?: boolean;
  nodeFlag?: { hooked?: boolean; retried?: boolean };
  podIP?: string;
  resourcesDuration?: Record<string, number>;
}

export interface WorkflowStatus {
  phase?: WorkflowPhase;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  progress?: string;
  nodes?: Record<string, NodeStatus>;
  outputs?: { parameters?: { name: string; value?: string }[]; artifacts?: unknown[] };
  storedTemplates?: Record<string, unknown>;
  conditions?: { type: string; status: string; message?: string }[];
  estimatedDuration?: number;
  resourcesDuration?: Record<string, number>;
  /**
   * Slipway extension (Argo has no such field): one entry per retry of this workflow, oldest
   * first, recording the attempt the retry replaced.
   */
  history?: WorkflowAttempt[];
}

/** What a workflow looked like just before a retry (`status.history[]`). */
export interface WorkflowAttempt {
  /** When the retry happened (RFC 3339). */
  retriedAt: string;
  phase?: WorkflowPhase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Nodes the retry removed so that they run again, as they were (by id). */
  nodes: Record<string, NodeStatus>;
  /** Nodes the retry set back to Running because their subtree lost nodes, as they were (by id). */
  resetNodes: Record<string, NodeStatus>;
  /** The workflow's `spec.arguments.parameters` before the retry overrode them. */
  parameters?: import('./spec.js').Parameter[];
}

/** Fulfilled = will not change any more (Argo's `Fulfilled()`). */
export function isFulfilled(phase: NodePhase): boolean {
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Error' ||
    phase === 'Skipped' ||
    phase === 'Omitted'
  );
}

/** Completed excludes Skipped and Omitted (Argo's `Completed()`). */
export function isCompleted(phase: NodePhase): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
}

export function isWorkflowDone(phase: WorkflowPhase | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
}
