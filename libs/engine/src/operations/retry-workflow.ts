/**
 * Retrying a finished workflow in place (Argo's `argo retry` / PUT .../retry, FormulateRetryWorkflow).
 *
 * Failed pods (and whatever ran after them), the nodes picked by `restartSuccessful` +
 * `nodeFieldSelector`, and the workflow's exit handler are removed; the groups, boundaries and
 * Retry nodes above them go back to Running; everything else keeps its phase and outputs. The
 * next reconcile (of a new WorkflowReconciler built from the result) creates the removed nodes
 * again; see `NodeRuntime.resume`. The attempt that was replaced is appended to
 * `status.history` (a Slipway extension: Argo keeps no trace of it).
 */
import { podName, type NodeStatus, type Workflow, type WorkflowAttempt } from '@slipway/workflow';
import type { NodeRuntime, RuntimeMap } from '../state/runtime.js';
import { rfc3339 } from '../state/time.js';
import { OperationError } from './errors.js';
import { parseNodeFieldSelector } from './field-selector.js';
import { overrideParameters, parseParameterOverrides } from './parameters.js';
import { planRetry } from './retry-plan.js';

export interface RetryOptions {
  /** Kubernetes field selector over node fields (`displayName=`, `name=`, `templateName=`, `id=`, `phase=`, …). */
  nodeFieldSelector?: string;
  /** Also run again the nodes `nodeFieldSelector` matches (and what came after them), even if they succeeded. */
  restartSuccessful?: boolean;
  /** `NAME=VALUE` overrides of `spec.arguments.parameters`. */
  parameters?: string[];
}

export interface RetryResult {
  workflow: Workflow;
  runtime: RuntimeMap;
  /** Nodes removed from `status.nodes` and from the runtime (a host deletes their rows). */
  deletedNodeIds: string[];
  /** Nodes kept whose status or runtime changed. */
  changedNodeIds: string[];
  /** Pods of removed Pod nodes, to delete before they are created again under the same name. */
  deletedPodNames: string[];
}

const COMPLETED_LABEL = 'workflows.argoproj.io/completed';
const ARCHIVING_LABEL = 'workflows.argoproj.io/workflow-archiving-status';
const PHASE_LABEL = 'workflows.argoproj.io/phase';

/**
 * Retry `workflow` at time `now` (epoch ms). Pure: the inputs are not modified. Throws
 * OperationError when the workflow cannot be retried or an option is malformed.
 */
export function retryWorkflow(workflow: Workflow, runtime: RuntimeMap, opts: RetryOptions, now: number): RetryResult {
  const phase = workflow.status?.phase;
  const restart = opts.restartSuccessful === true;
  const selectorText = opts.nodeFieldSelector ?? '';
  if (phase === 'Succeeded') {
    if (!restart || selectorText === '') {
      throw new OperationError('To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector');
    }
  } else if (phase !== 'Failed' && phase !== 'Error') {
    throw new OperationError(`Cannot retry a workflow in phase ${phase ?? 'Unknown'}: only a Failed or Error workflow can be retried`);
  }
  const overrides = parseParameterOverrides(opts.parameters ?? []);
  const selector = restart && selectorText !== '' ? parseNodeFieldSelector(selectorText) : undefined;
  const wfName = workflow.metadata.name ?? '';
  const oldNodes = workflow.status?.nodes ?? {};
  const plan = planRetry(oldNodes, wfName, { selector, parametersChanged: overrides.length > 0 });

  const wf = structuredClone(workflow);
  const status = (wf.status ??= {});
  const at = rfc3339(now);
  const changed = new Set<string>();
  const nodes: Record<string, NodeStatus> = {};
  for (const [id, old] of Object.entries(status.nodes ?? {})) {
    if (plan.remove.has(id)) continue;
    const node = old;
    if (plan.reset.has(id)) {
      resetNode(node, at);
      changed.add(id);
    }
    const children = node.children?.filter((c) => !plan.remove.has(c));
    if (children && children.length !== node.children!.length) {
      node.children = children;
      changed.add(id);
    }
    const outbound = node.outboundNodes?.filter((c) => !plan.remove.has(c));
    if (outbound && outbound.length !== node.outboundNodes!.length) {
      node.outboundNodes = outbound;
      changed.add(id);
    }
    nodes[id] = node;
  }

  status.history = [...(status.history ?? []), previousAttempt(workflow, plan.remove, plan.reset, overrides.length > 0, at)];
  status.nodes = nodes;
  status.phase = 'Running';
  delete status.message;
  status.startedAt = at;
  delete status.finishedAt;
  const completed = status.conditions?.find((c) => c.type === 'Completed');
  if (completed) completed.status = 'False';
  const labels = wf.metadata.labels;
  if (labels) {
    delete labels[COMPLETED_LABEL];
    delete labels[ARCHIVING_LABEL];
    if (labels[PHASE_LABEL] !== undefined) labels[PHASE_LABEL] = 'Running';
  }
  delete wf.spec.shutdown;
  if (wf.spec.activeDeadlineSeconds !== undefined && Number(wf.spec.activeDeadlineSeconds) === 0) delete wf.spec.activeDeadlineSeconds;
  overrideParameters(wf.spec, overrides);

  const rt = retryRuntime(runtime, nodes, plan, now, overrides.length > 0 ? 'refresh' : 'keep', changed);
  const deletedNodeIds = [...plan.remove].filter((id) => oldNodes[id] !== undefined).sort();
  const deletedPodNames = deletedNodeIds
    .map((id) => oldNodes[id])
    .filter((n) => n.type === 'Pod')
    .map((n) => podName(wfName, n.name, n.templateRef?.template ?? n.templateName ?? ''));
  return { workflow: wf, runtime: rt, deletedNodeIds, changedNodeIds: [...changed].sort(), deletedPodNames };
}

/** Argo's resetNode: Running again (a Skipped node stays Skipped), no message, started now. */
function resetNode(node: NodeStatus, at: string): void {
  if (node.type === 'Suspend') {
    for (const p of node.outputs?.parameters ?? []) {
      delete p.value;
      p.valueFrom = { supplied: {} };
    }
  }
  if (node.phase !== 'Skipped') node.phase = 'Running';
  delete node.message;
  node.startedAt = at;
  delete node.finishedAt;
}

function previousAttempt(workflow: Workflow, removed: Set<string>, reset: Set<string>, parametersChanged: boolean, at: string): WorkflowAttempt {
  const status = workflow.status ?? {};
  const attempt: WorkflowAttempt = { retriedAt: at, nodes: {}, resetNodes: {} };
  if (status.phase) attempt.phase = status.phase;
  if (status.message) attempt.message = status.message;
  if (status.startedAt) attempt.startedAt = status.startedAt;
  if (status.finishedAt) attempt.finishedAt = status.finishedAt;
  for (const [id, node] of Object.entries(status.nodes ?? {})) {
    if (removed.has(id)) attempt.nodes[id] = structuredClone(node);
    else if (reset.has(id)) attempt.resetNodes[id] = structuredClone(node);
  }
  if (parametersChanged) attempt.parameters = structuredClone(workflow.spec.arguments?.parameters ?? []);
  return attempt;
}

/**
 * The engine runtime after the retry: removed nodes dropped; reset controllers flagged to resume
 * with their progress counters rewound; kept nodes whose exit hook was removed no longer counted
 * as complete, so their group or DAG runs the hook again.
 */
function retryRuntime(
  runtime: RuntimeMap,
  nodes: Record<string, NodeStatus>,
  plan: { remove: Set<string>; reset: Set<string> },
  now: number,
  mode: 'keep' | 'refresh',
  changed: Set<string>,
): RuntimeMap {
  const out: RuntimeMap = {};
  for (const [id, rt] of Object.entries(runtime)) if (!plan.remove.has(id)) out[id] = structuredClone(rt);
  for (const [id, rt] of Object.entries(out)) {
    if (!rt.hookNodes || !nodes[id]) continue;
    const hooks = Object.entries(rt.hookNodes).filter(([, hookId]) => !plan.remove.has(hookId));
    if (hooks.length === Object.keys(rt.hookNodes).length) continue;
    if (hooks.length > 0) rt.hookNodes = Object.fromEntries(hooks);
    else delete rt.hookNodes;
    delete rt.counted;
    changed.add(id);
  }
  const byName = new Map(Object.values(nodes).map((n) => [n.name, n]));
  for (const id of [...plan.reset].sort()) {
    const node = nodes[id];
    const rt = out[id];
    if (!rt) throw new OperationError(`cannot retry: no engine state for node ${node.name}`);
    rewind(rt, node, byName, now);
    if (node.phase === 'Running') rt.resume = mode;
  }
  return out;
}

function rewind(rt: NodeRuntime, node: NodeStatus, byName: Map<string, NodeStatus>, now: number): void {
  rt.startedMs = now;
  delete rt.finishedMs;
  delete rt.counted;
  delete rt.retryAt;
  switch (node.type) {
    case 'Steps': {
      // The first group that did not succeed runs again (later ones were removed with it).
      let g = 0;
      while (byName.get(`${node.name}[${g}]`)?.phase === 'Succeeded') g++;
      rt.group = g;
      break;
    }
    case 'StepGroup':
    case 'TaskGroup':
      rt.open = 0;
      rt.pending = [];
      delete rt.failFastStop;
      break;
    default:
      break;
  }
}
