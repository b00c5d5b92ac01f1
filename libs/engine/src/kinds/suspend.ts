/** Suspend nodes: wait for a duration, or until resumed (Argo's executeSuspend and `argo resume`). */
import { parseDuration, type NodeStatus, type Template } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import { createNode, type InvokeRequest } from './invoke.js';

export function startSuspendNode(ctx: EngineContext, req: InvokeRequest, tmpl: Template): NodeStatus {
  const node = createNode(ctx, req, 'Suspend', 'Running', tmpl);
  const rt = ctx.store.rt(node.id);
  rt.template = tmpl;
  const supplied = (tmpl.outputs?.parameters ?? []).filter((p) => p.valueFrom?.supplied !== undefined);
  if (supplied.length > 0) {
    node.outputs = {
      parameters: supplied.map((p) => {
        const inputDefault = tmpl.inputs?.parameters?.find((i) => i.name === p.name)?.default;
        const fallback = p.valueFrom?.default ?? inputDefault;
        return { name: p.name, valueFrom: { ...p.valueFrom, ...(fallback !== undefined ? { default: String(fallback) } : {}) } };
      }),
    };
  }
  if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !req.onExitTree)) {
    ctx.store.setPhase(node.id, 'Failed', `Stopped with strategy '${ctx.shutdown}'`);
    return node;
  }
  const duration = tmpl.suspend?.duration;
  if (duration) {
    let ms: number;
    try {
      ms = parseDuration(duration);
    } catch {
      ctx.store.setPhase(node.id, 'Error', `invalid suspend duration "${duration}"`);
      return node;
    }
    rt.resumeAt = ctx.now() + ms;
    ctx.emit({ type: 'WakeAt', key: `resume:${node.id}`, at: rt.resumeAt });
  }
  return node;
}

/** Resume a running suspend node: supplied outputs without a value take their defaults. */
export function resumeSuspendNode(ctx: EngineContext, node: NodeStatus, phase: 'Succeeded' | 'Failed' = 'Succeeded', message?: string): void {
  if (node.type !== 'Suspend' || node.phase !== 'Running') return;
  for (const p of node.outputs?.parameters ?? []) {
    if (p.value === undefined) {
      const d = (p.valueFrom as { default?: string } | undefined)?.default;
      if (d !== undefined) p.value = d;
    }
    if (p.globalName && p.value !== undefined) ctx.globals.exportParameter(p.globalName, p.value);
  }
  ctx.store.setPhase(node.id, phase, message ?? '');
}

/** `argo node set`: supply output parameter values to a suspend node. */
export function setSuspendOutputs(ctx: EngineContext, node: NodeStatus, values: Record<string, string>): string[] {
  const unknown: string[] = [];
  const params = node.outputs?.parameters ?? [];
  for (const [name, value] of Object.entries(values)) {
    const p = params.find((x) => x.name === name);
    if (!p) unknown.push(name);
    else p.value = value;
  }
  ctx.store.touch(node.id);
  return unknown;
}

export function suspendTimerFired(ctx: EngineContext, nodeId: string): void {
  const node = ctx.store.get(nodeId);
  const rt = ctx.store.rt(nodeId);
  if (!node || node.phase !== 'Running' || rt.resumeAt === undefined) return;
  if (ctx.now() < rt.resumeAt) {
    ctx.emit({ type: 'WakeAt', key: `resume:${nodeId}`, at: rt.resumeAt });
    return;
  }
  resumeSuspendNode(ctx, node);
}
