/**
 * Which nodes a workflow retry removes and which it sets back to Running: Argo's
 * FormulateRetryWorkflow graph walk (workflow/util/util.go: getNodeIDsToReset,
 * isDescendantNodeSucceeded, newWorkflowsDag, dagSortedNodes, resetPath, resetBoundaries,
 * resetPod), over `children` links. Iteration is over sorted ids, so the plan is deterministic.
 */
import type { NodeStatus } from '@slipway/workflow';
import { OperationError } from './errors.js';
import type { NodeSelector } from './field-selector.js';

export interface RetryPlan {
  /** Nodes removed so that the engine runs them again. */
  remove: Set<string>;
  /** Nodes kept but set back to Running (their subtree lost nodes); never also in `remove`. */
  reset: Set<string>;
}

const EXECUTION_TYPES = new Set<NodeStatus['type']>(['Container', 'Pod', 'HTTP', 'Plugin']);
const GROUP_TYPES = new Set<NodeStatus['type']>(['DAG', 'TaskGroup', 'StepGroup', 'Steps']);

const failedOrError = (n: NodeStatus) => n.phase === 'Failed' || n.phase === 'Error';

export function planRetry(
  nodes: Record<string, NodeStatus>,
  workflowName: string,
  opts: { selector?: NodeSelector; parametersChanged: boolean },
): RetryPlan {
  const graph = new NodeGraph(nodes);
  const ids = Object.keys(nodes).sort();
  // Nodes the user asked to run again (restartSuccessful + nodeFieldSelector), whatever their phase.
  const selected = new Set(opts.selector ? ids.filter((id) => opts.selector!(nodes[id])) : []);
  // Failed pods (or the Retry node of a failed attempt) that nothing successful came after.
  const retryOf = new Map<string, string>();
  for (const id of ids) if (nodes[id].type === 'Retry') for (const c of nodes[id].children ?? []) retryOf.set(c, id);
  const toRun = new Set(selected);
  for (const id of ids) {
    const n = nodes[id];
    if (!failedOrError(n) || !EXECUTION_TYPES.has(n.type)) continue;
    const check = (n.nodeFlag?.retried && retryOf.get(id)) || id;
    if (!graph.descendantSucceeded(check, selected)) toRun.add(id);
  }

  const remove = new Set<string>();
  const reset = new Set<string>();
  const root = ids.find((id) => nodes[id].name === workflowName);
  // Breadth-first from the root, so an ancestor's removal takes precedence; the exit handler
  // (not reachable from the root) is removed separately.
  for (const id of root === undefined ? [] : graph.breadthFirst(root)) {
    if (toRun.has(id) && !remove.has(id)) resetPath(graph, root!, id, remove, reset);
  }
  if (opts.parametersChanged) {
    // Groups re-expand their items with the new parameter values (Argo #15802).
    for (const id of [...reset].sort()) {
      if (remove.has(id)) continue;
      if (nodes[id].type === 'TaskGroup' || nodes[id].type === 'StepGroup') for (const d of graph.descendants(id)) remove.add(d);
    }
  }
  const exitName = `${workflowName}.onExit`;
  for (const id of ids) {
    const name = nodes[id].name;
    // Argo matches the prefix; requiring a separator keeps a root DAG task named `onExitX` apart.
    if (name === exitName || (name.startsWith(exitName) && '.[('.includes(name.charAt(exitName.length)))) {
      remove.add(id);
      for (const d of graph.descendants(id)) remove.add(d);
    }
  }
  for (const id of remove) reset.delete(id);
  return { remove, reset };
}

/** Remove `start` and its descendants; set the groups, boundaries and failed Retry nodes above it back to Running. */
function resetPath(graph: NodeGraph, root: string, start: string, remove: Set<string>, reset: Set<string>): void {
  let steps = 0;
  for (let at: string | undefined = start; at !== root; at = graph.parent.get(at)) {
    if (at === undefined || ++steps > graph.size) throw new OperationError(`cannot retry: node ${start} is not connected to the workflow's root node`);
  }
  remove.add(start);
  for (const d of graph.descendants(start)) remove.add(d);
  if (start === root) return;
  const nodes = graph.nodes;
  let curr: string | undefined = start;
  while (curr !== undefined) {
    const n: NodeStatus = nodes[curr];
    if (GROUP_TYPES.has(n.type)) {
      reset.add(curr);
      curr = resetBoundaries(graph, curr, reset);
      continue;
    }
    if (n.type === 'Retry' && failedOrError(n)) reset.add(curr);
    else if (n.type === 'Container') {
      // A container's pod runs again as a whole.
      const pod = resetUntil(graph, curr, (id) => nodes[id].type === 'Pod', reset);
      remove.add(pod);
      for (const d of graph.descendants(pod)) remove.add(d);
      curr = pod;
      continue;
    }
    curr = graph.parent.get(curr);
  }
}

/** From a group node up through its boundaries: reset Retry/StepGroup/TaskGroup parents and each boundary node. */
function resetBoundaries(graph: NodeGraph, start: string, reset: Set<string>): string | undefined {
  const nodes = graph.nodes;
  let curr = start;
  for (;;) {
    let parent = graph.parent.get(curr);
    if (parent !== undefined && nodes[parent].type === 'Retry') {
      reset.add(parent);
      curr = parent;
      parent = graph.parent.get(curr);
    }
    if (parent !== undefined && (nodes[parent].type === 'StepGroup' || nodes[parent].type === 'TaskGroup')) reset.add(parent);
    const boundary = nodes[curr].boundaryID;
    if (!boundary) return parent;
    curr = resetUntil(graph, curr, (id) => id === boundary, reset);
  }
}

/** Walk up from `start` to the first node that matches and reset it. */
function resetUntil(graph: NodeGraph, start: string, match: (id: string) => boolean, reset: Set<string>): string {
  for (let curr: string | undefined = start; curr !== undefined; curr = graph.parent.get(curr)) {
    if (match(curr)) {
      reset.add(curr);
      return curr;
    }
  }
  throw new OperationError(`cannot retry: no boundary node found above node ${start}`);
}

/** The node tree as Argo's retry sees it: `children` links, one parent per node. */
class NodeGraph {
  /** A node listed as a child by several nodes (a DAG task with several dependencies) gets the one with the greatest id. */
  readonly parent = new Map<string, string>();

  readonly size: number;

  constructor(readonly nodes: Record<string, NodeStatus>) {
    this.size = Object.keys(nodes).length;
    for (const id of Object.keys(nodes).sort()) {
      for (const c of nodes[id].children ?? []) if (nodes[c]) this.parent.set(c, id);
    }
  }

  children(id: string): string[] {
    return (this.nodes[id]?.children ?? []).filter((c) => this.nodes[c] !== undefined);
  }

  /** Every node below `id` (not `id` itself). */
  descendants(id: string): Set<string> {
    const out = new Set<string>();
    const queue = [id];
    for (let i = 0; i < queue.length; i++) {
      for (const c of this.children(queue[i])) {
        if (out.has(c) || c === id) continue;
        out.add(c);
        queue.push(c);
      }
    }
    return out;
  }

  breadthFirst(root: string): string[] {
    const order = [root];
    const seen = new Set(order);
    for (let i = 0; i < order.length; i++) {
      for (const c of this.children(order[i])) {
        if (seen.has(c)) continue;
        seen.add(c);
        order.push(c);
      }
    }
    return order;
  }

  /** Some node below `id`, not in `ignore`, Succeeded (Argo's isDescendantNodeSucceeded). */
  descendantSucceeded(id: string, ignore: Set<string>): boolean {
    const seen = new Set<string>([id]);
    const queue = [id];
    for (let i = 0; i < queue.length; i++) {
      for (const c of this.children(queue[i])) {
        if (seen.has(c)) continue;
        if (!ignore.has(c) && this.nodes[c].phase === 'Succeeded') return true;
        seen.add(c);
        queue.push(c);
      }
    }
    return false;
  }
}
