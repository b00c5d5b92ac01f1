/**
 * Picking a workflow up after a retry (operations/retry-workflow.ts): controller nodes the retry
 * set back to Running (`runtime.resume`) start the children it removed and await the ones it kept.
 */
import { isFulfilled, type NodeStatus } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { DagController } from './dag.js';
import { advanceSteps, resumeStepGroup } from './steps.js';
import { resumeRetry } from './retry.js';
import { resolveTemplate, withTemplateDefaults, type TemplateHolder } from '../templates/resolve.js';
import { processArgs } from '../templates/process-args.js';

/**
 * Resume the controllers `ids` (ancestors first). Returns the kept, fulfilled children that their
 * group or DAG has not accounted for yet (e.g. a step whose exit hook the retry removed): the
 * caller notifies the owners of them after this, as if they had just finished.
 */
export function resumeNodes(ctx: EngineContext, dags: DagController, ids: string[]): { owner: string; child: string }[] {
  const counting = new Set<string>();
  const resumed: NodeStatus[] = [];
  for (const id of ids) {
    const node = ctx.store.get(id);
    const rt = ctx.store.runtime[id];
    if (!node || !rt?.resume) continue;
    if (rt.resume === 'refresh') refreshTemplate(ctx, node);
    rt.resume = undefined;
    ctx.store.touch(id);
    if (node.phase !== 'Running') continue;
    resumed.push(node);
    if (node.type === 'StepGroup' || node.type === 'TaskGroup' || node.type === 'DAG') counting.add(id);
  }
  const notify: { owner: string; child: string }[] = [];
  if (counting.size > 0) {
    for (const node of ctx.store.all()) {
      const rt = ctx.store.runtime[node.id];
      if (rt && counting.has(rt.owner) && !rt.counted && isFulfilled(node.phase) && !node.nodeFlag?.hooked) {
        notify.push({ owner: rt.owner, child: node.id });
      }
    }
  }
  for (const node of resumed) {
    switch (node.type) {
      case 'Steps':
        advanceSteps(ctx, node);
        break;
      case 'StepGroup':
        resumeStepGroup(ctx, node);
        break;
      case 'DAG':
        dags.resume(ctx, node);
        break;
      case 'TaskGroup':
        dags.resumeGroup(ctx, node);
        break;
      case 'Retry':
        resumeRetry(ctx, node);
        break;
      default:
        break;
    }
  }
  return notify;
}

/**
 * The retry overrode workflow parameters, which the node's template had substituted when it
 * started: resolve and bind it again (its recorded inputs stay as they were). Attempts of a
 * Retry node and inline templates keep theirs.
 */
function refreshTemplate(ctx: EngineContext, node: NodeStatus): void {
  const rt = ctx.store.rt(node.id);
  if (!rt.template || node.nodeFlag?.retried) return;
  if (node.type !== 'Steps' && node.type !== 'DAG' && node.type !== 'Retry') return;
  const holder: TemplateHolder = rt.holder ?? { template: node.templateName, templateRef: node.templateRef };
  if (!holder.template && !holder.templateRef && !holder.inline) return;
  const args = rt.args ?? (node.inputs?.parameters ? { parameters: node.inputs.parameters } : undefined);
  const local = new Map<string, string>([['node.name', node.name]]);
  const owner = ctx.store.get(rt.owner);
  if (rt.invocation && owner) {
    if (owner.type === 'StepGroup') local.set('steps.name', rt.invocation.name);
    else if (owner.type === 'DAG' || owner.type === 'TaskGroup') local.set('tasks.name', rt.invocation.name);
  }
  try {
    const scope = !node.templateScope || node.templateScope.startsWith('local/') ? 'local/' : node.templateScope;
    const resolved = resolveTemplate(ctx, holder, scope);
    rt.template = processArgs(withTemplateDefaults(resolved.template, ctx.spec.templateDefaults), args, ctx.globals, local);
    rt.innerScope = resolved.innerScope;
  } catch {
    // Keep the template it ran with: the retry only re-runs what it can resolve.
  }
}
