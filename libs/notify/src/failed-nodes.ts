/** Which nodes of a failed workflow an alert describes, and the pod whose log shows why. */
import { podName, type NodeStatus, type NodeType, type Workflow } from '@slipway/workflow';

export interface FailedNode {
  node: NodeStatus;
  /** `templateRef` as `name/template`, else the template name. */
  template?: string;
  exitCode?: string;
  /** The pod whose log to show (a containerSet container's pod is its parent's). */
  podName?: string;
  /** For a containerSet container node: its container. */
  container?: string;
  /** For the last attempt of a retried step: its number and the number of attempts. */
  attempt?: { index: number; of: number };
}

/** Nodes that do the work (everything else only aggregates its children's failures). */
const WORK_NODE_TYPES = new Set<NodeType>(['Pod', 'Container', 'HTTP', 'Plugin', 'Suspend']);

const isFailed = (n: NodeStatus) => n.phase === 'Failed' || n.phase === 'Error';

/**
 * The failed or errored work nodes, in the order they finished. Of a retried step only the last
 * attempt is listed; a pod whose containerSet containers are listed is not listed again. When no
 * work node failed (e.g. an invalid spec), the failed nodes with a message other than the root.
 */
export function failedNodes(workflow: Workflow): FailedNode[] {
  const nodes = Object.values(workflow.status?.nodes ?? {});
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const workflowName = workflow.metadata.name ?? '';
  const retryOf = new Map<string, NodeStatus>();
  const podOf = new Map<string, NodeStatus>();
  for (const n of nodes) {
    for (const child of n.children ?? []) {
      if (n.type === 'Retry') retryOf.set(child, n);
      if (n.type === 'Pod' && byId.get(child)?.type === 'Container') podOf.set(child, n);
    }
  }
  const picked: FailedNode[] = [];
  for (const node of nodes) {
    if (!isFailed(node) || !WORK_NODE_TYPES.has(node.type)) continue;
    const retry = retryOf.get(node.id);
    const attempts = retry?.children ?? [];
    if (retry && attempts.at(-1) !== node.id) continue;
    const entry: FailedNode = { node, template: templateOf(node), exitCode: node.outputs?.exitCode };
    if (node.type === 'Pod') entry.podName = podNameOf(workflowName, node);
    const pod = podOf.get(node.id);
    if (node.type === 'Container' && pod) {
      entry.podName = podNameOf(workflowName, pod);
      entry.container = node.displayName;
      entry.template ??= templateOf(pod);
    }
    if (retry && attempts.length > 1) entry.attempt = { index: attempts.length, of: attempts.length };
    picked.push(entry);
  }
  const listedPods = new Set(picked.filter((p) => p.container !== undefined).map((p) => podOf.get(p.node.id)?.id));
  const result = picked.filter((p) => !(p.node.type === 'Pod' && listedPods.has(p.node.id)));
  if (result.length === 0) {
    for (const node of nodes) {
      if (isFailed(node) && node.id !== workflowName && node.type !== 'Retry' && node.message) {
        result.push({ node, template: templateOf(node) });
      }
    }
  }
  return result.sort(byFinish);
}

function templateOf(node: NodeStatus): string | undefined {
  if (node.templateRef) return `${node.templateRef.name}/${node.templateRef.template}`;
  return node.templateName;
}

function podNameOf(workflowName: string, node: NodeStatus): string {
  return podName(workflowName, node.name, node.templateRef?.template ?? node.templateName ?? '');
}

function byFinish(a: FailedNode, b: FailedNode): number {
  const fa = a.node.finishedAt ?? a.node.startedAt ?? '';
  const fb = b.node.finishedAt ?? b.node.startedAt ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0;
}
