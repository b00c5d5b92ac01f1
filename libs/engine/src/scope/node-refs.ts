/**
 * `steps.NAME.*` and `tasks.NAME.*` variables (operator.go buildLocalScope,
 * processAggregateNodeOutputs, addSkippedNodeOutputsToScope).
 */
import { goJsonSyntaxError, NIL, type NodeStatus, type Resolved } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import { resolveTemplate, LOCAL_SCOPE } from '../templates/resolve.js';

/** The attempt that stands for a Retry node in references: its last non-hook child. */
export function effectiveNode(ctx: EngineContext, node: NodeStatus): NodeStatus {
  if (node.type !== 'Retry' || !node.children) return node;
  for (let i = node.children.length - 1; i >= 0; i--) {
    const child = ctx.store.get(node.children[i]);
    if (child && !child.nodeFlag?.hooked) return child;
  }
  return node;
}

/** Flat variables describing one node, keyed without the `steps.NAME.` / `tasks.NAME.` prefix. */
export function nodeRefEntries(ctx: EngineContext, original: NodeStatus): Map<string, string | typeof NIL> {
  const out = new Map<string, string | typeof NIL>();
  const node = effectiveNode(ctx, original);
  out.set('id', node.id);
  if (node.startedAt) out.set('startedAt', node.startedAt);
  if (node.finishedAt) out.set('finishedAt', node.finishedAt);
  if (node.podIP) out.set('ip', node.podIP);
  out.set('status', node.phase);
  if (node.hostNodeName) out.set('hostNodeName', node.hostNodeName);
  const outputs = node.outputs;
  if (outputs?.result !== undefined) out.set('outputs.result', outputs.result);
  if (outputs?.exitCode !== undefined) out.set('exitCode', outputs.exitCode);
  for (const p of outputs?.parameters ?? []) {
    if (p.value !== undefined) out.set(`outputs.parameters.${p.name}`, p.value);
  }
  if (original.phase === 'Skipped' || original.phase === 'Omitted') addSkippedDefaults(ctx, original, out);
  return out;
}

/** A skipped node exposes its template's declared output defaults; the rest are present but empty. */
function addSkippedDefaults(ctx: EngineContext, node: NodeStatus, out: Map<string, string | typeof NIL>): void {
  if (!node.templateName && !node.templateRef) return;
  let outputs;
  try {
    const holder = node.templateRef ? { templateRef: node.templateRef } : { template: node.templateName };
    outputs = resolveTemplate(ctx, holder, node.templateScope ?? LOCAL_SCOPE).template.outputs;
  } catch {
    return;
  }
  for (const p of outputs?.parameters ?? []) {
    const key = `outputs.parameters.${p.name}`;
    if (out.has(key)) continue;
    const fallback = p.valueFrom?.default;
    out.set(key, fallback !== undefined ? String(fallback) : NIL);
  }
  if (!out.has('outputs.result')) out.set('outputs.result', NIL);
}

/** Outputs of the expanded children of a loop, as Argo aggregates them. */
export function aggregateEntries(children: NodeStatus[]): Map<string, string> {
  const sorted = children
    .filter((c) => !c.nodeFlag?.hooked && !c.nodeFlag?.retried)
    .sort((a, b) => loopIndex(a.name) - loopIndex(b.name));
  const paramList: Record<string, string>[] = [];
  const byName = new Map<string, string[]>();
  const results: unknown[] = [];
  for (const child of sorted) {
    if (!child.outputs || child.phase !== 'Succeeded') continue;
    if (child.outputs.parameters && child.outputs.parameters.length > 0) {
      const entry: Record<string, string> = {};
      for (const p of child.outputs.parameters) {
        const value = p.value ?? '';
        entry[p.name] = value;
        const list = byName.get(p.name) ?? [];
        list.push(value);
        byName.set(p.name, list);
      }
      paramList.push(entry);
    }
    if (child.outputs.result !== undefined) results.push(parseJsonOrString(child.outputs.result));
  }
  const out = new Map<string, string>();
  out.set('outputs.result', JSON.stringify(results));
  out.set('outputs.parameters', JSON.stringify(paramList));
  for (const [name, values] of byName) out.set(`outputs.parameters.${name}`, aggregatedValueList(values));
  return out;
}

/**
 * Argo aggregates a finished loop's outputs eagerly and fails when a counted child's result is not
 * JSON (processAggregateNodeOutputs): Go's json.Unmarshal error, or undefined when all parse.
 */
export function loopResultError(children: NodeStatus[]): string | undefined {
  const counted = children
    .filter((c) => c.type !== 'Skipped' && !c.nodeFlag?.hooked && !c.nodeFlag?.retried)
    .sort((a, b) => loopIndex(a.name) - loopIndex(b.name));
  for (const child of counted) {
    if (child.phase !== 'Succeeded' || child.outputs?.result === undefined) continue;
    const error = goJsonSyntaxError(child.outputs.result);
    if (error) return error;
  }
  return undefined;
}

function parseJsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A JSON list of the values, parsed when every value is a JSON list or object (Argo's rule). */
function aggregatedValueList(values: string[]): string {
  const parsed: unknown[] = [];
  for (const v of values) {
    try {
      const p: unknown = JSON.parse(v);
      if (typeof p !== 'object' || p === null) return JSON.stringify(values);
      parsed.push(p);
    } catch {
      return JSON.stringify(values);
    }
  }
  return JSON.stringify(parsed);
}

/** The index in a loop child's name suffix `(i:value)`. */
export function loopIndex(name: string): number {
  const m = /\((\d+):[^()]*\)$/.exec(name) ?? /\((\d+):/.exec(name.slice(name.lastIndexOf('(')));
  return m ? Number(m[1]) : 0;
}

/** Look up `rest` (e.g. `outputs.result`) for a referenced node or loop. */
export function lookupNodeRef(ctx: EngineContext, nodeName: string, rest: string, loopChildren?: () => NodeStatus[]): Resolved {
  const node = ctx.store.byNodeName(nodeName);
  if (node && node.type !== 'TaskGroup') {
    return nodeRefEntries(ctx, node).get(rest);
  }
  const children = node ? childrenOf(ctx, node) : (loopChildren?.() ?? []);
  if (!node && children.length === 0) return undefined;
  const agg = aggregateEntries(children);
  const value = agg.get(rest);
  if (value !== undefined) return value;
  if (node) return nodeRefEntries(ctx, node).get(rest);
  if (rest === 'status') return aggregatePhase(children);
  return undefined;
}

function aggregatePhase(children: NodeStatus[]): string {
  let phase = 'Succeeded';
  for (const c of children) if (c.phase === 'Failed' || c.phase === 'Error') phase = c.phase;
  return phase;
}

export function childrenOf(ctx: EngineContext, node: NodeStatus): NodeStatus[] {
  const out: NodeStatus[] = [];
  for (const id of node.children ?? []) {
    const c = ctx.store.get(id);
    if (c) out.push(c);
  }
  return out;
}
