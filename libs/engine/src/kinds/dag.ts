/** DAG templates: tasks start when their `depends` logic allows (Argo's dag.go). */
import {
  evaluateDepends,
  legacyDependenciesToDepends,
  isFulfilled,
  MapScope,
  type NodePhase,
  type NodeStatus,
  type Resolved,
  type Scope,
  type Template,
} from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { Invocation } from '../state/runtime.js';
import { childrenOf, effectiveNode, lookupNodeRef, loopResultError, nodeRefEntries } from '../scope/node-refs.js';
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
import { adoptChild } from './adopt.js';
import { invoke } from './invoke.js';
import { hookParentName } from './lifecycle-hooks.js';
import { capacityBlocked, shutdownMessage } from './capacity.js';
import { DagIndex } from './dag-index.js';
import { substituteText } from '../scope/expressions.js';

const FAIL_FAST = 'template has failed or errored children and failFast enabled';

export class DagController {
  private readonly indexes = new Map<string, DagIndex>();

  index(ctx: EngineContext, dag: NodeStatus): DagIndex {
    let idx = this.indexes.get(dag.id);
    if (!idx) {
      const rt = ctx.store.rt(dag.id);
      const tmpl = rt.template!;
      let target = rt.targets?.join(' ');
      if (target === undefined && tmpl.dag?.target) {
        try {
          target = substituteText(tmpl.dag.target, ctx.globals, []);
        } catch {
          target = tmpl.dag.target;
        }
        rt.targets = target.split(' ').filter((t) => t !== '');
      }
      idx = new DagIndex(ctx, dag, tmpl, target);
      this.indexes.set(dag.id, idx);
    }
    return idx;
  }

  /** First run (or a retry after capacity freed up): start ready tasks, then see whether the DAG is done. */
  advance(ctx: EngineContext, dag: NodeStatus): void {
    if (dag.phase !== 'Running') return;
    const idx = this.index(ctx, dag);
    const waiting = idx.pending;
    idx.pending = [];
    for (const t of waiting) this.tryStart(ctx, dag, idx, t);
    if (idx.started.size === 0) for (const t of idx.readyRoots()) this.tryStart(ctx, dag, idx, t);
    this.checkDone(ctx, dag, idx, false);
  }

  /** A DAG a workflow retry set back to Running: start every ready task that has no node. */
  resume(ctx: EngineContext, dag: NodeStatus): void {
    if (dag.phase !== 'Running') return;
    const idx = this.index(ctx, dag);
    for (const t of idx.readyRoots()) this.tryStart(ctx, dag, idx, t);
    this.checkDone(ctx, dag, idx, false);
  }

  /** A TaskGroup a workflow retry set back to Running: expand its task again, start the removed items. */
  resumeGroup(ctx: EngineContext, group: NodeStatus): void {
    const dag = ctx.store.get(group.boundaryID ?? '');
    if (!dag || group.phase !== 'Running') return;
    const def = this.index(ctx, dag).tasks.get(group.name.slice(dag.name.length + 1));
    const grt = ctx.store.rt(group.id);
    grt.open = 0;
    grt.pending = [];
    if (!def) return this.launchGroupPending(ctx, dag, group);
    const invocation: Invocation = { name: def.name, continueOn: def.continueOn, hooks: def.hooks, onExit: def.onExit };
    const scope = this.scope(ctx, dag);
    const resolution = resolveStep(def, scope);
    let expanded: Expanded[] = [];
    try {
      if (resolution.kind === 'error') throw new Error(resolution.message);
      const out = expandStep(group.name, resolution, scope);
      if (!('emptyLoop' in out)) expanded = out;
    } catch (err) {
      ctx.store.setPhase(group.id, 'Error', (err as Error).message);
      return;
    }
    this.fillGroup(ctx, dag, group, expanded, def, invocation, true);
  }

  /** A task node (or its exit hook, or a TaskGroup) is fulfilled. */
  childFulfilled(ctx: EngineContext, dag: NodeStatus, child: NodeStatus): void {
    const idx = this.index(ctx, dag);
    const hooked = child.nodeFlag?.hooked ? hookParentName(child.name) : undefined;
    if (hooked !== undefined) {
      const parent = ctx.store.byNodeName(hooked);
      if (parent && ctx.store.rt(parent.id).owner === dag.id && isFulfilled(parent.phase) && hooksFulfilled(ctx, parent)) {
        this.taskComplete(ctx, dag, idx, parent);
      }
      return;
    }
    const inv = ctx.store.rt(child.id).invocation;
    const hook = inv ? exitHookOf(inv) : undefined;
    if (hook && (child.phase === 'Succeeded' || child.phase === 'Failed' || child.phase === 'Error') && !ctx.store.rt(child.id).hookNodes?.exit) {
      const rt = ctx.store.rt(dag.id);
      const hookNode = startExitHook(ctx, child, hook, {
        ownerId: dag.id,
        boundaryId: dag.id,
        scope: rt.innerScope ?? 'local/',
        refPrefix: 'tasks',
        refName: inv!.name,
        parentScope: this.scope(ctx, dag),
      });
      if (hookNode) return;
    }
    if (!hooksFulfilled(ctx, child)) return;
    this.taskComplete(ctx, dag, idx, child);
  }

  private taskComplete(ctx: EngineContext, dag: NodeStatus, idx: DagIndex, node: NodeStatus): void {
    const rt = ctx.store.rt(node.id);
    if (rt.counted) return;
    rt.counted = true;
    const task = node.name.slice(dag.name.length + 1);
    if (!idx.tasks.has(task)) return;
    idx.done.add(task);
    idx.open.delete(task);
    for (const u of idx.dependents.get(task) ?? []) {
      if (!idx.relevant.has(u)) continue;
      const left = (idx.remaining.get(u) ?? 1) - 1;
      idx.remaining.set(u, left);
      if (left === 0 && !idx.started.has(u)) this.tryStart(ctx, dag, idx, u);
    }
    const waiting = idx.pending;
    idx.pending = [];
    for (const t of waiting) this.tryStart(ctx, dag, idx, t);
    const failed = node.phase === 'Failed' || node.phase === 'Error';
    this.checkDone(ctx, dag, idx, failed);
  }

  /** Variables visible to tasks: globals plus `tasks.X.*` of (ancestor) tasks. */
  scope(ctx: EngineContext, dag: NodeStatus): Scope {
    const dynamic = (tag: string): Resolved => {
      if (!tag.startsWith('tasks.')) return undefined;
      const rest = tag.slice('tasks.'.length);
      const dot = rest.indexOf('.');
      if (dot < 0) return undefined;
      return lookupNodeRef(ctx, `${dag.name}.${rest.slice(0, dot)}`, rest.slice(dot + 1));
    };
    const scope = new MapScope(new Map(), ctx.globals, dynamic);
    const entries = scope.entries.bind(scope);
    const idx = this.index(ctx, dag);
    scope.entries = function* () {
      yield* entries();
      for (const task of idx.started) {
        const node = idx.nodeOf(ctx, task);
        if (!node) continue;
        for (const [k, v] of nodeRefEntries(ctx, node)) if (typeof v === 'string') yield [`tasks.${task}.${k}`, v];
        if (node.type === 'TaskGroup') {
          for (const prefix of ['outputs.result', 'outputs.parameters']) {
            const v = lookupNodeRef(ctx, node.name, prefix);
            if (typeof v === 'string') yield [`tasks.${task}.${prefix}`, v];
          }
        }
      }
    };
    return scope;
  }

  private tryStart(ctx: EngineContext, dag: NodeStatus, idx: DagIndex, task: string): void {
    if (idx.started.has(task) || dag.phase !== 'Running') return;
    const rt = ctx.store.rt(dag.id);
    const def = idx.tasks.get(task)!;
    const nodeName = idx.nodeName(task);
    const invocation: Invocation = { name: task, continueOn: def.continueOn, hooks: def.hooks, onExit: def.onExit };
    const logic = idx.logic.get(task);
    if (logic instanceof Error) {
      this.leaf(ctx, dag, idx, task, nodeName, 'Error', `unable to evaluate expression '${def.depends ?? legacyDependenciesToDepends(def.dependencies ?? [])}': ${logic.message}`, def, invocation);
      return;
    }
    if (logic) {
      const go = evaluateDepends(logic, (name, result) => dependsResult(ctx, idx, name, result));
      if (!go) {
        this.leaf(ctx, dag, idx, task, nodeName, 'Omitted', 'omitted: depends condition not met', def, invocation);
        return;
      }
    }
    // Argo aggregates the outputs of looped ancestors first, failing on a result that is not JSON.
    const loopError = this.loopsResultError(ctx, idx, idx.loopAncestorsOf(task));
    if (loopError) return this.leaf(ctx, dag, idx, task, nodeName, 'Error', loopError, def, invocation);
    if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !rt.onExitTree)) return;
    const tmpl = rt.template!;
    if (tmpl.failFast === true && ctx.store.failedIn(dag.id) > 0) {
      idx.failFastStop = true;
      return;
    }
    if (capacityBlocked(ctx, tmpl, dag.id)) {
      if (!idx.pending.includes(task)) idx.pending.push(task);
      ctx.blocked(dag.id);
      return;
    }
    const scope = this.scope(ctx, dag);
    const resolution = resolveStep(def, scope);
    if (resolution.kind === 'error') {
      this.leaf(ctx, dag, idx, task, nodeName, 'Error', resolution.message, def, invocation);
      return;
    }
    let expanded;
    try {
      expanded = expandStep(nodeName, resolution, scope);
    } catch (err) {
      this.leaf(ctx, dag, idx, task, nodeName, 'Error', (err as Error).message, def, invocation);
      return;
    }
    if ('emptyLoop' in expanded) {
      this.leaf(ctx, dag, idx, task, nodeName, 'Skipped', 'Skipped, empty params', def, invocation);
      return;
    }
    const loop = resolution.step.withItems !== undefined || resolution.step.withParam !== undefined || resolution.step.withSequence !== undefined;
    idx.started.add(task);
    idx.open.add(task);
    if (!loop) {
      const only = expanded[0];
      if (only.error || only.skipped) {
        idx.started.delete(task);
        idx.open.delete(task);
        this.leaf(ctx, dag, idx, task, nodeName, only.error ? 'Error' : 'Skipped', (only.error ?? only.skipped)!, def, invocation);
        return;
      }
      this.connect(ctx, dag, idx, task, nodeName, undefined);
      this.invokeTask(ctx, dag, nodeName, only.step, invocation, dag.id);
      return;
    }
    this.connect(ctx, dag, idx, task, nodeName, undefined);
    const group = ctx.store.create(
      { name: nodeName, type: 'TaskGroup', phase: 'Running', boundaryID: dag.id, templateName: def.template, templateRef: def.templateRef, templateScope: rt.innerScope },
      { owner: dag.id, invocation, open: 0, pending: [], onExitTree: rt.onExitTree },
    );
    this.fillGroup(ctx, dag, group, expanded, def, invocation, false);
  }

  /** Create (or, resuming after a retry, adopt) a TaskGroup's item nodes and start them. */
  private fillGroup(ctx: EngineContext, dag: NodeStatus, group: NodeStatus, expanded: Expanded[], def: Step, invocation: Invocation, resume: boolean): void {
    const rt = ctx.store.rt(dag.id);
    const grt = ctx.store.rt(group.id);
    for (const child of expanded) {
      if (resume && adoptChild(ctx, grt, child.nodeName)) continue;
      if (child.error || child.skipped) {
        grt.open = (grt.open ?? 0) + 1;
        ctx.store.create(
          {
            name: child.nodeName, type: 'Skipped', phase: child.error ? 'Error' : 'Skipped', boundaryID: dag.id,
            templateName: def.template, templateRef: def.templateRef, templateScope: rt.innerScope, message: child.error ?? child.skipped,
          },
          { owner: group.id, invocation },
        );
        ctx.store.addChild(group.name, child.nodeName);
      } else {
        // Started at once (parallelism allowing), so the group's children keep Argo's item order.
        grt.pending!.push({ nodeName: child.nodeName, invocation, step: child.step as unknown as Record<string, unknown> });
        this.launchGroupReady(ctx, dag, group);
      }
    }
    this.launchGroupPending(ctx, dag, group);
  }

  private invokeTask(ctx: EngineContext, dag: NodeStatus, nodeName: string, step: Step, invocation: Invocation, ownerId: string): void {
    const rt = ctx.store.rt(dag.id);
    invoke(ctx, {
      nodeName,
      holder: { template: step.template, templateRef: step.templateRef, inline: step.inline },
      scope: rt.innerScope ?? 'local/',
      args: step.arguments,
      ownerId,
      boundaryId: dag.id,
      invocation,
      via: 'tasks',
      unit: true,
      onExitTree: rt.onExitTree,
    });
  }

  /** Loop children of a TaskGroup, started while parallelism allows. */
  launchGroupPending(ctx: EngineContext, dag: NodeStatus, group: NodeStatus): void {
    if (this.launchGroupReady(ctx, dag, group)) this.checkGroupDone(ctx, group);
  }

  /** Start waiting loop children in order while allowed; false when parallelism holds them back. */
  private launchGroupReady(ctx: EngineContext, dag: NodeStatus, group: NodeStatus): boolean {
    const grt = ctx.store.rt(group.id);
    const tmpl = ctx.store.rt(dag.id).template!;
    while (grt.pending && grt.pending.length > 0 && group.phase === 'Running') {
      if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !grt.onExitTree)) break;
      if (capacityBlocked(ctx, tmpl, dag.id)) {
        ctx.blocked(group.id);
        return false;
      }
      const next = grt.pending.shift()!;
      grt.open = (grt.open ?? 0) + 1;
      this.invokeTask(ctx, dag, next.nodeName, next.step as unknown as Step, next.invocation, group.id);
      ctx.store.addChild(group.name, next.nodeName);
    }
    return true;
  }

  groupChildFulfilled(ctx: EngineContext, group: NodeStatus, child: NodeStatus): void {
    const dag = ctx.store.get(group.boundaryID!)!;
    const hooked = child.nodeFlag?.hooked ? hookParentName(child.name) : undefined;
    if (hooked !== undefined) {
      const parent = ctx.store.byNodeName(hooked);
      if (parent && isFulfilled(parent.phase) && hooksFulfilled(ctx, parent)) this.groupItemComplete(ctx, dag, group, parent);
      return;
    }
    const inv = ctx.store.rt(child.id).invocation;
    const hook = inv ? exitHookOf(inv) : undefined;
    if (hook && (child.phase === 'Succeeded' || child.phase === 'Failed' || child.phase === 'Error') && !ctx.store.rt(child.id).hookNodes?.exit) {
      const rt = ctx.store.rt(dag.id);
      const hookNode = startExitHook(ctx, child, hook, {
        ownerId: group.id,
        boundaryId: dag.id,
        scope: rt.innerScope ?? 'local/',
        refPrefix: 'tasks',
        refName: inv!.name,
        parentScope: this.scope(ctx, dag),
      });
      if (hookNode) return;
    }
    if (!hooksFulfilled(ctx, child)) return;
    this.groupItemComplete(ctx, dag, group, child);
  }

  private groupItemComplete(ctx: EngineContext, dag: NodeStatus, group: NodeStatus, child: NodeStatus): void {
    const crt = ctx.store.rt(child.id);
    if (crt.counted) return;
    crt.counted = true;
    const grt = ctx.store.rt(group.id);
    grt.open = (grt.open ?? 1) - 1;
    this.launchGroupPending(ctx, dag, group);
  }

  private checkGroupDone(ctx: EngineContext, group: NodeStatus): void {
    const grt = ctx.store.rt(group.id);
    if (group.phase !== 'Running' || (grt.open ?? 0) > 0) return;
    const stopped = ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !grt.onExitTree);
    if (grt.pending && grt.pending.length > 0 && !stopped) return;
    let phase: NodePhase = 'Succeeded';
    for (const c of childrenOf(ctx, group)) if (c.phase === 'Failed' || c.phase === 'Error') phase = c.phase;
    if (stopped && grt.pending && grt.pending.length > 0) phase = 'Failed';
    ctx.store.setPhase(group.id, phase);
  }

  /** Link a task under its dependencies' outbound nodes (or under the DAG for roots). */
  private connect(ctx: EngineContext, dag: NodeStatus, idx: DagIndex, task: string, nodeName: string, groupName: string | undefined): void {
    const deps = idx.deps.get(task) ?? [];
    if (deps.length === 0 || groupName) {
      ctx.store.addChild(groupName ?? dag.name, nodeName);
      return;
    }
    for (const d of deps) {
      const depNode = idx.nodeOf(ctx, d);
      if (!depNode) continue;
      for (const out of outboundNodes(ctx, depNode)) {
        const outNode = ctx.store.get(out);
        if (outNode) ctx.store.addChild(outNode.name, nodeName);
      }
    }
  }

  private leaf(
    ctx: EngineContext, dag: NodeStatus, idx: DagIndex, task: string, nodeName: string,
    phase: 'Error' | 'Omitted' | 'Skipped', message: string, def: Step, invocation: Invocation,
  ): void {
    idx.started.add(task);
    idx.open.add(task);
    this.connect(ctx, dag, idx, task, nodeName, undefined);
    ctx.store.create(
      {
        name: nodeName, type: 'Skipped', phase, boundaryID: dag.id, templateName: def.template, templateRef: def.templateRef,
        templateScope: ctx.store.rt(dag.id).innerScope, message,
      },
      { owner: dag.id, invocation },
    );
  }

  /** Decide the DAG's phase once nothing is running, or early on a failure (failFast). */
  private loopsResultError(ctx: EngineContext, idx: DagIndex, tasks: string[]): string | undefined {
    for (const task of tasks) {
      const node = idx.nodeOf(ctx, task);
      const error = node?.type === 'TaskGroup' ? loopResultError(childrenOf(ctx, node)) : undefined;
      if (error) return error;
    }
    return undefined;
  }

  private checkDone(ctx: EngineContext, dag: NodeStatus, idx: DagIndex, afterFailure: boolean): void {
    if (dag.phase !== 'Running') return;
    const idle = idx.inFlight() === 0;
    if (!idle && !afterFailure) return;
    // After a failure, decide early only once every task that has ended has been taken into
    // account: one whose end comes later in this batch of events may still start a dependent that
    // Argo, which starts every ready task before it assesses the DAG, would run (a `depends` on
    // `X.Failed`, say).
    if (!idle && idx.endPending(ctx)) return;
    const tmpl = ctx.store.rt(dag.id).template!;
    let phase = assessDagPhase(ctx, dag, idx, tmpl);
    if (phase === 'Running') {
      if (!idle) return;
      phase = 'Failed';
    }
    const outbound: string[] = [];
    for (const t of idx.targets) {
      const n = idx.nodeOf(ctx, t);
      if (n) outbound.push(...outboundNodes(ctx, n));
    }
    setOutbound(ctx, dag, outbound);
    if (phase === 'Failed' || phase === 'Error') {
      const stopped = ctx.shutdown && !ctx.store.rt(dag.id).onExitTree;
      ctx.store.setPhase(dag.id, phase, idx.failFastStop ? FAIL_FAST : stopped ? shutdownMessage(ctx) : '');
      return;
    }
    const loopError = this.loopsResultError(ctx, idx, idx.order);
    if (loopError) {
      ctx.store.setPhase(dag.id, 'Error', loopError);
      return;
    }
    try {
      const outputs = templateOutputs(ctx, tmpl, this.scope(ctx, dag));
      if (outputs) dag.outputs = outputs;
    } catch (err) {
      ctx.store.setPhase(dag.id, 'Error', (err as Error).message);
      return;
    }
    ctx.store.setPhase(dag.id, 'Succeeded');
  }
}

function dependsResult(ctx: EngineContext, idx: DagIndex, name: string, result: string | undefined): boolean {
  const node = idx.nodeOf(ctx, name);
  if (!node) return false;
  const def = idx.tasks.get(name);
  const phase = node.phase;
  const daemoned = node.daemoned === true && phase !== 'Pending';
  switch (result) {
    case undefined: {
      let ok = phase === 'Succeeded' || phase === 'Skipped' || daemoned;
      if (def?.continueOn?.failed) ok ||= phase === 'Failed';
      if (def?.continueOn?.error) ok ||= phase === 'Error';
      return ok;
    }
    case 'Succeeded':
      return phase === 'Succeeded';
    case 'Failed':
      return phase === 'Failed';
    case 'Errored':
      return phase === 'Error';
    case 'Skipped':
      return phase === 'Skipped';
    case 'Omitted':
      return phase === 'Omitted';
    case 'Daemoned':
      return daemoned;
    case 'AnySucceeded':
      return node.type === 'TaskGroup' && childrenOf(ctx, node).some((c) => c.phase === 'Succeeded');
    case 'AllFailed': {
      if (node.type !== 'TaskGroup') return false;
      const kids = childrenOf(ctx, node);
      return kids.length > 0 && kids.every((c) => c.phase === 'Failed');
    }
    default:
      return false;
  }
}

/** Argo's assessDAGPhase: walk from the DAG's children, branches inheriting failures. */
function assessDagPhase(ctx: EngineContext, dag: NodeStatus, idx: DagIndex, tmpl: Template): NodePhase {
  const targetPhases = new Map<string, NodePhase | ''>();
  for (const t of idx.targets) targetPhases.set(ctx.store.id(idx.nodeName(t)), '');
  const seen = new Set<string>();
  const queue: { id: string; phase: NodePhase }[] = [];
  const add = (ids: string[] | undefined, phase: NodePhase) => {
    for (const id of ids ?? []) {
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push({ id, phase });
    }
  };
  add(dag.children, 'Succeeded');
  for (let i = 0; i < queue.length; i++) {
    const curr = queue[i];
    const node = ctx.store.get(curr.id);
    if (!node) return 'Running';
    let branch = curr.phase;
    if (!isFulfilled(node.phase)) {
      if (node.type !== 'TaskGroup' || !node.children || node.children.length === 0) return 'Running';
      let groupPhase: NodePhase = 'Succeeded';
      for (const c of childrenOf(ctx, node)) {
        if (!isFulfilled(c.phase)) return 'Running';
        if (c.phase === 'Failed' || c.phase === 'Error') groupPhase = c.phase;
      }
      branch = groupPhase;
    } else if (node.phase === 'Succeeded' || node.phase === 'Failed' || node.phase === 'Error') {
      branch = node.phase;
    }
    if (targetPhases.has(node.id)) {
      const prev = targetPhases.get(node.id);
      if (prev !== 'Failed' && prev !== 'Error') targetPhases.set(node.id, branch);
    }
    if (node.type === 'Retry') add(retryChildrenIds(ctx, node), branch);
    else add(node.children, branch);
  }
  const failFast = tmpl.dag?.failFast !== false;
  let result: NodePhase = 'Succeeded';
  for (const t of idx.targets) {
    const branch = targetPhases.get(ctx.store.id(idx.nodeName(t)));
    if (branch === '' || branch === undefined) {
      result = 'Running';
      if (!failFast) break;
    } else if (branch === 'Failed' || branch === 'Error') {
      const def = idx.tasks.get(t);
      if ((branch === 'Failed' && def?.continueOn?.failed) || (branch === 'Error' && def?.continueOn?.error)) continue;
      result = branch;
      if (failFast) break;
    }
  }
  return result;
}

function retryChildrenIds(ctx: EngineContext, node: NodeStatus): string[] {
  const out: string[] = [];
  const kids = node.children ?? [];
  for (let i = kids.length - 1; i >= 0; i--) {
    const c = ctx.store.get(kids[i]);
    if (!c) continue;
    if (c.nodeFlag?.hooked) out.push(c.id);
    else if (c.children && c.children.length > 0) out.push(...c.children);
  }
  return out;
}

export { effectiveNode };
