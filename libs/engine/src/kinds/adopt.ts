/** Groups that a workflow retry set back to Running keep the children it did not remove. */
import type { EngineContext } from '../context.js';
import type { NodeRuntime } from '../state/runtime.js';

/**
 * Resuming a group after a retry: when `nodeName` already has a node, keep it instead of starting
 * it again, and await it (`open`) unless the group already accounted for it. True if it exists.
 */
export function adoptChild(ctx: EngineContext, groupRt: NodeRuntime, nodeName: string): boolean {
  const node = ctx.store.byNodeName(nodeName);
  if (!node) return false;
  if (!ctx.store.rt(node.id).counted) groupRt.open = (groupRt.open ?? 0) + 1;
  return true;
}
