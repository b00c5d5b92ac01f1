/** A workflow's nodes as an indented tree, like `argo get` (used by `run` and `watch`). */
import type { NodeStatus, Workflow } from '@slipway/workflow';

const ICON: Record<NodeStatus['phase'], string> = {
  Pending: '◷',
  Running: '●',
  Succeeded: '✔',
  Skipped: '○',
  Omitted: '○',
  Failed: '✖',
  Error: '⚠',
};

export function phaseIcon(phase: NodeStatus['phase']): string {
  return ICON[phase];
}

/** Node types that only group others; `argo get` hides StepGroup and TaskGroup-less rows the same way. */
function hidden(node: NodeStatus): boolean {
  return node.type === 'StepGroup';
}

/** Durations like `argo get`: `0s`, `12s`, `3m4s`, `1h2m` (timestamps have second precision). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export function nodeDuration(node: NodeStatus, now: number): string {
  if (!node.startedAt) return '';
  const start = Date.parse(node.startedAt);
  const end = node.finishedAt ? Date.parse(node.finishedAt) : now;
  return formatDuration(end - start);
}

/** Render the tree: one line per node, children indented under their parent. */
export function renderTree(workflow: Workflow, now: number): string[] {
  const nodes = workflow.status?.nodes ?? {};
  const name = workflow.metadata.name ?? '';
  const lines: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, depth: number, parentBoundary?: string) => {
    const node = nodes[id];
    if (!node || seen.has(id)) return;
    seen.add(id);
    let nextDepth = depth;
    if (!hidden(node)) {
      const indent = '  '.repeat(depth);
      const tmpl = node.templateName ?? node.templateRef?.template ?? '';
      const message = node.message ? `  ${node.message}` : '';
      const dur = nodeDuration(node, now);
      lines.push(`${indent}${ICON[node.phase]} ${node.displayName}${tmpl ? `  (${tmpl})` : ''}  ${node.phase}${dur ? `  ${dur}` : ''}${message}`);
      nextDepth = depth + 1;
    }
    for (const child of node.children ?? []) {
      const c = nodes[child];
      // DAG children links point to dependents; keep them at the level of their boundary.
      if (c && c.boundaryID && c.boundaryID === node.boundaryID && node.type !== 'StepGroup' && node.type !== 'TaskGroup' && node.type !== 'Retry') {
        visit(child, depth, parentBoundary);
      } else visit(child, nextDepth, node.id);
    }
  };
  const root = Object.values(nodes).find((n) => n.name === name);
  if (root) visit(root.id, 0);
  const exit = Object.values(nodes).find((n) => n.name === `${name}.onExit`);
  if (exit) visit(exit.id, 0);
  for (const node of Object.values(nodes)) if (!seen.has(node.id)) visit(node.id, 0);
  return lines;
}
