/**
 * Slipway-private bookkeeping per node, kept beside Argo's NodeStatus (which stays exactly Argo's
 * shape). It is plain JSON so a host can persist it with the node row.
 */
import type { Arguments, ContinueOn, LifecycleHooks, Template } from '@slipway/workflow';

/** Owner id of nodes driven by the workflow itself (the entry node, the workflow exit handler). */
export const WORKFLOW_OWNER = '';

/** How a step or task was written, needed by its group/DAG once the child finishes. */
export interface Invocation {
  /** Step or task name as written (without loop suffix). */
  name: string;
  continueOn?: ContinueOn;
  hooks?: LifecycleHooks;
  onExit?: string;
}

/** A child that could not start yet (parallelism), resolved and ready to invoke. */
export interface PendingLaunch {
  nodeName: string;
  invocation: Invocation;
  step: Record<string, unknown>;
}

export interface NodeRuntime {
  /** Id of the node whose controller reacts when this node is fulfilled. */
  owner: string;
  /** Counts against its boundary template's `parallelism`. */
  unit?: boolean;
  /** The template after argument binding and substitution (controllers: steps, dag, retry, pods). */
  template?: Template;
  /** Where plain template names inside `template` resolve: `local/`, `namespaced/NAME`, `cluster/NAME`. */
  innerScope?: string;
  /** How this node was invoked: needed by retries to start the next attempt. */
  holder?: { template?: string; templateRef?: { name: string; template: string; clusterScope?: boolean }; inline?: Template };
  args?: Arguments;
  invocation?: Invocation;
  startedMs?: number;
  finishedMs?: number;
  /** Pod and suspend nodes: when the node must be failed for exceeding its timeout (epoch ms). */
  deadlineMs?: number;
  /** Steps nodes: index of the group being run. */
  group?: number;
  /** StepGroup / TaskGroup / DAG: children not started yet because of parallelism. */
  pending?: PendingLaunch[];
  /** StepGroup / TaskGroup: children started whose completion (incl. hooks) is still awaited. */
  open?: number;
  /** StepGroup: a failFast stop happened. */
  failFastStop?: boolean;
  /** Retry nodes: the next attempt waits until this time (backoff). */
  retryAt?: number;
  /** Suspend nodes: resume at this time. */
  resumeAt?: number;
  /** Pod nodes: the StartPod action was emitted. */
  podStarted?: boolean;
  /** Children (group/DAG) that have been fully accounted for, by id. */
  counted?: boolean;
  /** Lifecycle hook nodes started for this node (exit hook and named hooks), by hook name. */
  hookNodes?: Record<string, string>;
  /** DAG nodes: the resolved `dag.target`, if any. */
  targets?: string[];
  /** A node that was created as part of an exit handler (onExit) tree. */
  onExitTree?: boolean;
  /** Pod nodes of `daemon: true` templates. */
  daemon?: boolean;
  /** The engine killed this daemon because its scope completed: it ends Succeeded. */
  daemonStopped?: boolean;
  /** Waiting for synchronization locks: how to start once all are granted. */
  lockWait?: { req: unknown; template: Template; innerScope: string; keys: string[]; granted: string[] };
  /** Lock keys this node holds (released when it is fulfilled). */
  locksHeld?: string[];
  /**
   * Set by a workflow retry on controller nodes it reset to Running: the next reconcile starts
   * their missing children again and awaits the kept ones. `refresh` also re-resolves the node's
   * template, because the retry changed the workflow parameters baked into it.
   */
  resume?: 'keep' | 'refresh';
}

export type RuntimeMap = Record<string, NodeRuntime>;
