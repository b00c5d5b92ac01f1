/** Steps templates: groups run in order, the steps of a group in parallel (Argo's steps.go). */
import { isFulfilled, MapScope, type NodeStatus, type Resolved, type Scope, type Template } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { Invocation } from '../state/runtime.js';
import { aggregateEntries, childrenOf, lookupNodeRef, loopResultError, nodeRefEntries } from '../scope/node-refs.js';
import {
  exitHookOf,
  expandStep,
  hooksFulfilled,
  outboundNodes,
  resolveStep,
  setOutbound,
  startExitHook,
  templateOutputs,
  type Expanded,
  type Step,
} from './children.js';
import { invoke } from './invoke.js';
import { hookParentName } from './lifecycle-hooks.js';
import { capacityBlocked, shutdownMessage } from './capacity.js';
import { adoptChild } from './adopt.js';

const FAIL_FAST = 'template has failed or errored children and failFast enabled';
const UNRESOLVED = 'failed to resolve references: ';

/** Run the steps node's controller: start the next group or finish. */
export function advanceSteps(ctx: EngineContext, steps: NodeStatus): void {
  const rt = ctx.store.rt(steps.id);
  const tmpl = rt.template!;
  const groups = tmpl.steps ?? [];
  while (steps.phase === 'Running') {
    const g = rt.group ?? 0;
    if (g >= groups.length) {
      finishSteps(ctx, steps, tmpl);
      return;
    }
    const groupName = `${steps.name}[${g}]`;
    const group = ctx.store.byNodeName(groupName);
    if (!group) {
      if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !rt.onExitTree)) {
        ctx.store.setPhase(steps.id, 'Failed', shutdownMessage(ctx));
        return;
      }
      ctx.store.create(
        { name: groupName, type: 'StepGroup', phase: 'Running', boundaryID: steps.id, templateScope: rt.innerScope },
        { owner: steps.id, onExitTree: rt.onExitTree },
      );
      linkGroup(ctx, steps, g, groupName);
      startGroup(ctx, steps, ctx.store.byNodeName(groupName)!, g);
      return;
    }
    if (!isFulfilled(group.phase)) return;
    if (group.phase === 'Failed' || group.phase === 'Error') {
      setOutbound(ctx, steps, lastGroupOutbound(ctx, steps, g));
      ctx.store.setPhase(steps.id, 'Failed', group.message ?? '');
      return;
    }
    const aggregateError = loopsResultError(ctx, group, groups[g]);
    if (aggregateError) {
      ctx.store.setPhase(steps.id, 'Error', aggregateError);
      return;
    }
    rt.group = g + 1;
  }
}

function linkGroup(ctx: EngineContext, steps: NodeStatus, g: number, groupName: string): void {
  if (g === 0) {
    ctx.store.addChild(steps.name, groupName);
    return;
  }
  const prev = ctx.store.byNodeName(`${steps.name}[${g - 1}]`);
  if (!prev || !prev.children || prev.children.length === 0) {
    ctx.store.addChild(`${steps.name}[${g - 1}]`, groupName);
    return;
  }
  for (const id of prev.children) {
    const child = ctx.store.get(id);
    if (!child) continue;
    for (const out of outboundNodes(ctx, child)) {
      const outNode = ctx.store.get(out);
      if (outNode) ctx.store.addChild(outNode.name, groupName);
    }
  }
}

/** The group's looped steps whose results cannot be aggregated (see loopResultError). */
function loopsResultError(ctx: EngineContext, group: NodeStatus, steps: { name: string }[]): string | undefined {
  for (const step of steps) {
    const base = `${group.name}.${step.name}`;
    if (ctx.store.byNodeName(base)) continue;
    const error = loopResultError(childrenOf(ctx, group).filter((c) => c.name.startsWith(`${base}(`)));
    if (error) return error;
  }
  return undefined;
}

function lastGroupOutbound(ctx: EngineContext, steps: NodeStatus, g: number): string[] {
  const group = ctx.store.byNodeName(`${steps.name}[${g}]`);
  const out: string[] = [];
  for (const child of group ? childrenOf(ctx, group) : []) out.push(...outboundNodes(ctx, child));
  return out;
}

/** Variables visible to steps of group `g`: globals, plus `steps.X.*` of earlier groups. */
export function stepsScope(ctx: EngineContext, steps: NodeStatus, g: number): Scope {
  const tmpl = ctx.store.rt(steps.id).template!;
  const groupOf = new Map<string, number>();
  (tmpl.steps ?? []).forEach((group, i) => {
    for (const s of group) groupOf.set(s.name, i);
  });
  const loopChildren = (gi: number, name: string) => () => {
    const group = ctx.store.byNodeName(`${steps.name}[${gi}]`);
    const prefix = `${steps.name}[${gi}].${name}(`;
    return group ? childrenOf(ctx, group).filter((c) => c.name.startsWith(prefix)) : [];
  };
  const dynamic = (tag: string): Resolved => {
    if (!tag.startsWith('steps.')) return undefined;
    const rest = tag.slice('steps.'.length);
    const dot = rest.indexOf('.');
    if (dot < 0) return undefined;
    const name = rest.slice(0, dot);
    const gi = groupOf.get(name);
    if (gi === undefined || gi >= g) return undefined;
    return lookupNodeRef(ctx, `${steps.name}[${gi}].${name}`, rest.slice(dot + 1), loopChildren(gi, name));
  };
  const scope = new MapScope(new Map(), ctx.globals, dynamic);
  const entries = scope.entries.bind(scope);
  scope.entries = function* () {
    yield* entries();
    for (const [name, gi] of groupOf) {
      if (gi >= g) continue;
      const node = ctx.store.byNodeName(`${steps.name}[${gi}].${name}`);
      const values = node ? nodeRefEntries(ctx, node) : aggregateEntries(loopChildren(gi, name)());
      for (const [k, v] of values) if (typeof v === 'string') yield [`steps.${name}.${k}`, v];
    }
  };
  return scope;
}

/** A step group a workflow retry set back to Running: start its removed steps again, await the others. */
export function resumeStepGroup(ctx: EngineContext, group: NodeStatus): void {
  const steps = ctx.store.get(group.boundaryID ?? '');
  if (!steps) return;
  ctx.store.rt(group.id).failFastStop = undefined;
  startGroup(ctx, steps, group, Number(/\[(\d+)\]$/.exec(group.name)?.[1] ?? 0), true);
}

/**
 * Start a group like Argo's executeStepGroup: first resolve and expand every step (any error there
 * fails the group with no child nodes), then create the children in order ("Skipped, empty params"
 * ones first, as expandStepGroup makes those).
 */
function startGroup(ctx: EngineContext, steps: NodeStatus, group: NodeStatus, g: number, resume = false): void {
  const stepsRt = ctx.store.rt(steps.id);
  const rt = ctx.store.rt(group.id);
  rt.open = 0;
  rt.pending = [];
  const scope = stepsScope(ctx, steps, g);
  const prepared: { step: Step; invocation: Invocation; expanded: Expanded[] | { emptyLoop: true } }[] = [];
  for (const step of stepsRt.template!.steps![g]) {
    if (resume && adoptChild(ctx, rt, `${group.name}.${step.name}`)) continue;
    const invocation: Invocation = { name: step.name, continueOn: step.continueOn, hooks: step.hooks, onExit: step.onExit };
    const resolution = resolveStep(step, scope);
    if (resolution.kind === 'error') {
      const message = resolution.message.startsWith(UNRESOLVED) ? resolution.message : `${UNRESOLVED}${resolution.message}`;
      ctx.store.setPhase(group.id, 'Error', message);
      return;
    }
    let expanded;
    try {
      expanded = expandStep(`${group.name}.${step.name}`, resolution, scope);
    } catch (err) {
      ctx.store.setPhase(group.id, 'Error', (err as Error).message);
      return;
    }
    const itemError = 'emptyLoop' in expanded ? undefined : expanded.find((c) => c.error && !c.whenFailed);
    if (itemError) {
      ctx.store.setPhase(group.id, 'Error', itemError.error);
      return;
    }
    prepared.push({ step, invocation, expanded });
  }
  for (const { step, invocation, expanded } of prepared) {
    if ('emptyLoop' in expanded) addLeaf(ctx, steps, group, `${group.name}.${step.name}`, 'Skipped', 'Skipped, empty params', step, invocation);
  }
  for (const { invocation, expanded } of prepared) {
    if ('emptyLoop' in expanded) continue;
    for (const child of expanded) {
      if (resume && adoptChild(ctx, rt, child.nodeName)) continue;
      if (child.error) {
        addLeaf(ctx, steps, group, child.nodeName, 'Error', child.error, child.step, invocation);
        ctx.store.setPhase(group.id, 'Error', child.error);
        return;
      }
      if (child.skipped) addLeaf(ctx, steps, group, child.nodeName, 'Skipped', child.skipped, child.step, invocation);
      else {
        // Started at once (parallelism allowing), so the group's children keep Argo's step order.
        rt.pending.push({ nodeName: child.nodeName, invocation, step: child.step as unknown as Record<string, unknown> });
        launchReady(ctx, group);
      }
    }
  }
  launchPending(ctx, group);
}

function addLeaf(
  ctx: EngineContext,
  steps: NodeStatus,
  group: NodeStatus,
  name: string,
  phase: 'Skipped' | 'Error',
  message: string,
  step: Step,
  invocation: Invocation,
): void {
  const rt = ctx.store.rt(group.id);
  rt.open = (rt.open ?? 0) + 1;
  ctx.store.create(
    {
      name,
      type: 'Skipped',
      phase,
      boundaryID: steps.id,
      templateName: step.template,
      templateRef: step.templateRef,
      templateScope: ctx.store.rt(steps.id).innerScope,
      message,
    },
    { owner: group.id, invocation },
  );
  ctx.store.addChild(group.name, name);
}

/** Start the group's waiting children while parallelism allows. */
export function launchPending(ctx: EngineContext, group: NodeStatus): void {
  if (launchReady(ctx, group)) checkGroupDone(ctx, group);
}

/** Start waiting children in order while allowed; false when parallelism holds them back. */
function launchReady(ctx: EngineContext, group: NodeStatus): boolean {
  const rt = ctx.store.rt(group.id);
  const steps = ctx.store.get(group.boundaryID!)!;
  const stepsRt = ctx.store.rt(steps.id);
  const tmpl = stepsRt.template!;
  while (rt.pending && rt.pending.length > 0 && group.phase === 'Running') {
    if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !stepsRt.onExitTree)) break;
    if (tmpl.failFast === true && ctx.store.failedIn(steps.id) > 0) {
      rt.failFastStop = true;
      break;
    }
    if (capacityBlocked(ctx, tmpl, steps.id)) {
      ctx.blocked(group.id);
      return false;
    }
    const next = rt.pending.shift()!;
    const step = next.step as unknown as Step;
    rt.open = (rt.open ?? 0) + 1;
    invoke(ctx, {
      nodeName: next.nodeName,
      holder: { template: step.template, templateRef: step.templateRef, inline: step.inline },
      scope: stepsRt.innerScope ?? 'local/',
      args: step.arguments,
      ownerId: group.id,
      boundaryId: steps.id,
      invocation: next.invocation,
      via: 'steps',
      unit: true,
      onExitTree: stepsRt.onExitTree,
    });
    ctx.store.addChild(group.name, next.nodeName);
  }
  return true;
}

/** A child of the group (or a child's exit hook) is fulfilled. */
export function groupChildFulfilled(ctx: EngineContext, group: NodeStatus, child: NodeStatus): void {
  const hooked = child.nodeFlag?.hooked ? hookParentName(child.name) : undefined;
  if (hooked !== undefined) {
    const parent = ctx.store.byNodeName(hooked);
    if (parent && ctx.store.rt(parent.id).owner === group.id && isFulfilled(parent.phase) && hooksFulfilled(ctx, parent)) {
      childComplete(ctx, group, parent);
    }
    return;
  }
  const inv = ctx.store.rt(child.id).invocation;
  const hook = inv ? exitHookOf(inv) : undefined;
  if (hook && (child.phase === 'Succeeded' || child.phase === 'Failed' || child.phase === 'Error') && !ctx.store.rt(child.id).hookNodes?.exit) {
    const steps = ctx.store.get(group.boundaryID!)!;
    const stepsRt = ctx.store.rt(steps.id);
    const g = Number(/\[(\d+)\]$/.exec(group.name)?.[1] ?? 0);
    const hookNode = startExitHook(ctx, child, hook, {
      ownerId: group.id,
      boundaryId: steps.id,
      scope: stepsRt.innerScope ?? 'local/',
      refPrefix: 'steps',
      refName: inv!.name,
      parentScope: stepsScope(ctx, steps, g),
    });
    // A started hook notifies the group when it is fulfilled; the step is complete only then.
    if (hookNode) return;
  }
  if (!hooksFulfilled(ctx, child)) return;
  childComplete(ctx, group, child);
}

function childComplete(ctx: EngineContext, group: NodeStatus, child: NodeStatus): void {
  const crt = ctx.store.rt(child.id);
  if (crt.counted) return;
  crt.counted = true;
  const rt = ctx.store.rt(group.id);
  rt.open = (rt.open ?? 1) - 1;
  launchPending(ctx, group);
}

function checkGroupDone(ctx: EngineContext, group: NodeStatus): void {
  const rt = ctx.store.rt(group.id);
  if (group.phase !== 'Running' || (rt.open ?? 0) > 0) return;
  const steps = ctx.store.get(group.boundaryID!)!;
  const stopped = ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !ctx.store.rt(steps.id).onExitTree);
  if (rt.pending && rt.pending.length > 0 && !rt.failFastStop && !stopped) return;
  if (rt.failFastStop) {
    ctx.store.setPhase(group.id, 'Failed', FAIL_FAST);
    return;
  }
  for (const child of childrenOf(ctx, group)) {
    const inv = ctx.store.rt(child.id).invocation;
    if ((child.phase === 'Failed' && !inv?.continueOn?.failed) || (child.phase === 'Error' && !inv?.continueOn?.error)) {
      ctx.store.setPhase(group.id, 'Failed', `child '${child.id}' failed`);
      return;
    }
  }
  if (stopped && rt.pending && rt.pending.length > 0) {
    ctx.store.setPhase(group.id, 'Failed', shutdownMessage(ctx));
    return;
  }
  ctx.store.setPhase(group.id, 'Succeeded');
}

function finishSteps(ctx: EngineContext, steps: NodeStatus, tmpl: Template): void {
  const groups = tmpl.steps ?? [];
  setOutbound(ctx, steps, groups.length > 0 ? lastGroupOutbound(ctx, steps, groups.length - 1) : []);
  try {
    const outputs = templateOutputs(ctx, tmpl, stepsScope(ctx, steps, groups.length));
    if (outputs) steps.outputs = outputs;
  } catch (err) {
    ctx.store.setPhase(steps.id, 'Error', (err as Error).message);
    return;
  }
  ctx.store.setPhase(steps.id, 'Succeeded');
}
