/**
 * `slipway get`: a workflow's summary and node tree in the layout of `argo get`
 * (cmd/argo/commands/common/get.go): steps and DAG tasks under their boundary, step groups folded
 * into `├─`/`└─` branches, single-attempt retries and omitted nodes hidden, ordered by start time.
 */
import { nodeId, podName, type NodeStatus, type Workflow } from '@slipway/workflow';
import { longDuration, shortDuration, timestamp } from './humanize.js';
import { formatTable } from './table.js';

const ICON: Record<string, string> = { Pending: '◷', Running: '●', Succeeded: '✔', Skipped: '○', Failed: '✖', Error: '⚠', Omitted: '○' };
const ACTIVE_SUSPEND_ICON = 'ǁ';

/** The status Argo's printer shows: `Running (Suspended)`, `Failed (Terminated)`, … */
export function workflowStatus(wf: Workflow): string {
  const phase = wf.status?.phase;
  if (phase === 'Running' && isSuspended(wf)) return 'Running (Suspended)';
  if (phase === 'Failed' && wf.spec?.shutdown) return 'Failed (Terminated)';
  if (!phase || phase === 'Pending') return wf.metadata.creationTimestamp ? 'Pending' : 'Unknown';
  return phase;
}

function isSuspended(wf: Workflow): boolean {
  if (wf.spec?.suspend) return true;
  return Object.values(wf.status?.nodes ?? {}).some((n) => n.type === 'Suspend' && n.phase === 'Running');
}

/** The summary lines above the tree (`Name:`, `Status:`, `Duration:`, `Parameters:` …). */
export function workflowHeader(wf: Workflow, now: number): string {
  const line = (key: string, value: string) => `${key.padEnd(20)} ${value}`.trimEnd() + '\n';
  const s = wf.status ?? {};
  let out = line('Name:', wf.metadata.name ?? '');
  out += line('Namespace:', wf.metadata.namespace ?? '');
  out += line('Status:', workflowStatus(wf));
  if (s.message) out += line('Message:', s.message);
  if (s.conditions && s.conditions.length > 0) {
    out += line('Conditions:', '');
    for (const c of s.conditions) out += line(` ${c.type}`, c.message || c.status);
  }
  if (wf.metadata.creationTimestamp) out += line('Created:', timestamp(wf.metadata.creationTimestamp, now));
  if (s.startedAt) out += line('Started:', timestamp(s.startedAt, now));
  if (s.finishedAt) out += line('Finished:', timestamp(s.finishedAt, now));
  if (s.startedAt) {
    const end = s.finishedAt ? Date.parse(s.finishedAt) : now;
    out += line('Duration:', longDuration(end - Date.parse(s.startedAt)));
  }
  if (s.progress) out += line('Progress:', s.progress);
  const params = (wf.spec?.arguments?.parameters ?? []).filter((p) => p.value !== undefined);
  if (params.length > 0) {
    out += line('Parameters:', '');
    for (const p of params) out += line(`  ${p.name}:`, String(p.value));
  }
  const outputs = (s.outputs?.parameters ?? []).filter((p) => p.value !== undefined);
  if (outputs.length > 0) {
    out += line('Output Parameters:', '');
    for (const p of outputs) out += line(`  ${p.name}:`, String(p.value));
  }
  return out;
}

/** Header, a blank line and the node table — the whole `argo get` text. */
export function renderWorkflowGet(wf: Workflow, now: number): string {
  const tree = workflowTreeRows(wf, now);
  return tree.length > 0 ? `${workflowHeader(wf, now)}\n${formatTable(tree, 2)}` : workflowHeader(wf, now);
}

interface RenderNode {
  id: string;
  /** Boundary nodes (Steps, DAG) and non-boundary parents (StepGroup, Retry) have children. */
  children: RenderNode[];
}

type Kind = 'boundary' | 'parent' | 'execution' | 'none';

function kindOf(type: NodeStatus['type']): Kind {
  switch (type) {
    case 'DAG':
    case 'Steps':
      return 'boundary';
    case 'StepGroup':
    case 'Retry':
      return 'parent';
    case 'Pod':
    case 'Skipped':
    case 'Suspend':
    case 'HTTP':
    case 'Plugin':
      return 'execution';
    default:
      return 'none';
  }
}

/** The rows of the node table, header first; empty when the workflow has no root node yet. */
export function workflowTreeRows(wf: Workflow, now: number): string[][] {
  const nodes = wf.status?.nodes ?? {};
  const name = wf.metadata.name ?? '';
  const roots = renderTrees(nodes);
  const main = roots.get(name);
  if (!main) return [];
  const rows: string[][] = [['STEP', 'TEMPLATE', 'PODNAME', 'DURATION', 'MESSAGE', '']];
  const ctx = { wf, nodes, now, rows };
  renderNode(ctx, main, ' ', ' ');
  const exit = roots.get(nodeId(name, `${name}.onExit`));
  if (exit) {
    rows.push(['', '', '', '', '', '']);
    renderNode(ctx, exit, ' ', ' ');
  }
  return rows;
}

/** Argo's convertToRenderTrees: attach each node to its non-boundary parent or its boundary. */
function renderTrees(nodes: Record<string, NodeStatus>): Map<string, RenderNode> {
  const made = new Map<string, RenderNode>();
  const renderOf = (id: string) => {
    let r = made.get(id);
    if (!r) made.set(id, (r = { id, children: [] }));
    return r;
  };
  const parentOfChild = new Map<string, string>();
  for (const [id, n] of Object.entries(nodes)) {
    if (kindOf(n.type) === 'parent') for (const c of n.children ?? []) parentOfChild.set(c, id);
  }
  const roots = new Map<string, RenderNode>();
  const attached = new Map<string, string[]>();
  for (const [id, n] of Object.entries(nodes)) {
    if (kindOf(n.type) === 'none') continue;
    const parent = parentOfChild.get(id) ?? n.boundaryID;
    if (!parent) roots.set(id, renderOf(id));
    else (attached.get(parent) ?? attached.set(parent, []).get(parent)!).push(id);
  }
  for (const [parent, ids] of attached) {
    if (!nodes[parent]) continue;
    const r = renderOf(parent);
    for (const id of ids) r.children.push(renderOf(id));
    r.children.sort((a, b) => compareNodes(nodes[a.id], nodes[b.id]));
  }
  return roots;
}

/** Argo's insertSorted: by start time, then list index `(i:…)`, then display name. */
function compareNodes(a: NodeStatus, b: NodeStatus): number {
  const ta = a.startedAt ? Date.parse(a.startedAt) : 0;
  const tb = b.startedAt ? Date.parse(b.startedAt) : 0;
  if (ta !== tb) return ta - tb;
  const ia = indexOf(a.displayName);
  const ib = indexOf(b.displayName);
  if (ia >= 0 && ib >= 0) return ia - ib;
  return a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0;
}

function indexOf(displayName: string): number {
  const m = /\((\d+):/.exec(displayName);
  return m ? Number(m[1]) : -1;
}

interface Ctx {
  wf: Workflow;
  nodes: Record<string, NodeStatus>;
  now: number;
  rows: string[][];
}

/** [hidden, children need the special indent] like Argo's filterNode. */
function filtered(node: NodeStatus): [boolean, boolean] {
  if (node.type === 'Retry' && (node.children ?? []).length === 1) return [true, false];
  if (node.type === 'StepGroup') return [true, true];
  if (node.type === 'Skipped' && node.phase === 'Omitted') return [true, false];
  return [false, false];
}

function renderNode(ctx: Ctx, r: RenderNode, nodePrefix: string, childPrefix: string): void {
  const node = ctx.nodes[r.id];
  const [hidden, childIndent] = filtered(node);
  if (!hidden) ctx.rows.push(nodeRow(ctx, node, nodePrefix));
  const last = r.children.length - 1;
  r.children.forEach((child, i) => {
    let part = '';
    let sub = '';
    if (hidden && childIndent) {
      [part, sub] = last === 0 ? ['──', '  '] : i === 0 ? ['┬─', '│ '] : i === last ? ['└─', '  '] : ['├─', '│ '];
    } else if (!hidden) {
      [part, sub] = i === last ? ['└─', '  '] : ['├─', '│ '];
    }
    const childNodePrefix = !hidden || i !== 0 ? childPrefix + part : nodePrefix + part;
    renderNode(ctx, child, childNodePrefix, childPrefix + sub);
  });
}

function nodeRow(ctx: Ctx, node: NodeStatus, prefix: string): string[] {
  const icon = node.type === 'Suspend' && node.phase === 'Running' ? ACTIVE_SUSPEND_ICON : (ICON[node.phase] ?? '?');
  const template = node.templateRef ? `${node.templateRef.name}/${node.templateRef.template}` : (node.templateName ?? '');
  const msg = node.message ?? '';
  if (node.type !== 'Pod') return [`${prefix}${icon} ${node.displayName}`, template, '', '', msg, ''];
  const pod = podNameOf(ctx.wf, node);
  return [`${prefix}${icon} ${node.displayName}`, template, pod, shortDuration(node.startedAt, node.finishedAt, ctx.now), msg, ''];
}

/** The pod a Pod node runs in (Argo's pod name v2, or the node id under the v1 annotation). */
export function podNameOf(wf: Workflow, node: NodeStatus): string {
  if (wf.metadata.annotations?.['workflows.argoproj.io/pod-name-format'] === 'v1') return node.id;
  const template = node.templateRef?.template ?? node.templateName ?? '';
  return podName(wf.metadata.name ?? '', node.name, template);
}
