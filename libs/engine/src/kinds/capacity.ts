/** Parallelism and suspension: whether another child may start now. */
import type { Template } from '@slipway/workflow';
import type { EngineContext } from '../context.js';

export function capacityBlocked(ctx: EngineContext, boundaryTemplate: Template | undefined, boundaryId: string | undefined): boolean {
  if (ctx.spec.suspend === true) return true;
  const wfLimit = ctx.spec.parallelism;
  if (typeof wfLimit === 'number' && wfLimit > 0 && ctx.store.activePods >= wfLimit) return true;
  const p = boundaryTemplate?.parallelism;
  if (boundaryId && p !== undefined && p !== null && p !== '') {
    const limit = Number.parseInt(String(p), 10);
    if (Number.isFinite(limit) && limit > 0 && ctx.store.activeIn(boundaryId) >= limit) return true;
  }
  return false;
}

export function shutdownMessage(ctx: EngineContext): string {
  return `Stopped with strategy '${ctx.shutdown ?? 'Stop'}'`;
}
