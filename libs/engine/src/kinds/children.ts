/**
 * What steps and DAG tasks share: resolving references, `when`, loop expansion, exit hooks,
 * outbound nodes and template outputs (Argo's steps.go / dag.go / exit_handler.go helpers).
 */
import {
  evaluateWhen,
  isFulfilled,
  MapScope,
  NIL,
  type Arguments,
  type DAGTask,
  type LifecycleHook,
  type NodeStatus,
  type Outputs,
  type Scope,
  type Template,
  type WorkflowStep,
} from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import { ABSENT } from '../templates/process-args.js';
import { evaluateInScope, substituteStrict, substituteText } from '../scope/expressions.js';
import { isLoop, loopItem, loopItems } from '../loops/expand.js';
import { invoke } from './invoke.js';

export type Step = WorkflowStep | DAGTask;
const STRICT = ['steps.', 'tasks.'] as const;

export type Resolution =
  | { kind: 'run'; step: Step }
  | { kind: 'skip'; step: Step; when: string }
  | { kind: 'error'; message: string };

/** Resolve `{{steps.*}}`/`{{tasks.*}}` references in a step, `when` first (Argo's resolveReferences). */
export function resolveStep(step: Step, scope: Scope): Resolution {
  const { hooks, ...rest } = step;
  try {
    if (rest.when) {
      const when = substituteText(rest.when, scope, STRICT);
      let proceed: boolean | undefined;
      try {
        proceed = evaluateWhen(when);
      } catch (err) {
        if (!isLoop(rest)) return { kind: 'error', message: whenError(when, err) };
      }
      if (proceed === false) return { kind: 'skip', step: { ...rest, when, hooks } as Step, when };
    }
    const args = resolveArguments(rest.arguments, scope);
    const { arguments: _a, ...others } = rest;
    const resolved = substituteStrict(others, scope, STRICT) as Step;
    if (args) resolved.arguments = args;
    if (hooks) resolved.hooks = hooks;
    return { kind: 'run', step: resolved };
  } catch (err) {
    return { kind: 'error', message: `failed to resolve references: ${(err as Error).message}` };
  }
}

/** Arguments whose value refers to an absent optional (skipped output without default) are marked absent. */
function resolveArguments(args: Arguments | undefined, scope: Scope): Arguments | undefined {
  if (!args) return undefined;
  const out: Arguments = {};
  if (args.parameters) {
    out.parameters = args.parameters.map((p) => {
      if (typeof p.value !== 'string') return p.value === undefined ? { ...p } : { ...p, value: String(p.value) };
      try {
        return { ...p, value: substituteText(p.value, scope, STRICT) };
      } catch (err) {
        if (refersToNil(p.value, scope)) return { ...p, value: ABSENT };
        throw err;
      }
    });
  }
  if (args.artifacts) out.artifacts = substituteStrict(args.artifacts, scope, STRICT);
  return out;
}

function refersToNil(text: string, scope: Scope): boolean {
  for (const m of text.matchAll(/\{\{([\s\S]*?)\}\}/g)) if (scope.get(m[1].trim()) === NIL) return true;
  return false;
}

export function whenError(when: string, err: unknown): string {
  return `Invalid 'when' expression '${when}': ${(err as Error).message}`;
}

export interface Expanded {
  nodeName: string;
  step: Step;
  /** Set when the child's `when` is false (message for its Skipped node). */
  skipped?: string;
  error?: string;
  /** The error is the child's own `when` failing to evaluate (Argo makes an Error node for it). */
  whenFailed?: boolean;
}

/** Expand a resolved step into its loop children (or itself), evaluating `when` per child. */
export function expandStep(base: string, resolution: Extract<Resolution, { kind: 'run' | 'skip' }>, scope: Scope): Expanded[] | { emptyLoop: true } {
  const step = resolution.step;
  if (!isLoop(step)) {
    if (resolution.kind === 'skip') return [{ nodeName: base, step, skipped: `when '${resolution.when}' evaluated false` }];
    return [{ nodeName: base, step }];
  }
  const items = loopItems(step);
  if (items.length === 0) return { emptyLoop: true };
  const { withItems: _i, withParam: _p, withSequence: _s, hooks, ...body } = step;
  const out: Expanded[] = [];
  items.forEach((item, index) => {
    const li = loopItem(base, index, item);
    const itemScope = new MapScope(new Map(li.vars), scope);
    let child: Step;
    try {
      child = substituteStrict(body, itemScope, ['item']);
      if (body.arguments) child.arguments = resolveArguments(substituteStrict(body.arguments, itemScope, ['item']), itemScope);
    } catch (err) {
      out.push({ nodeName: li.name, step: body, error: (err as Error).message });
      return;
    }
    child.name = li.name.slice(li.name.lastIndexOf('.') + 1);
    if (hooks) child.hooks = hooks;
    if (child.when) {
      try {
        if (!evaluateWhen(child.when)) {
          out.push({ nodeName: li.name, step: child, skipped: `when '${child.when}' evaluated false` });
          return;
        }
      } catch (err) {
        out.push({ nodeName: li.name, step: child, error: whenError(child.when, err), whenFailed: true });
        return;
      }
    }
    out.push({ nodeName: li.name, step: child });
  });
  return out;
}

/** The exit hook of a step/task (`onExit` or `hooks.exit`). */
export function exitHookOf(step: { onExit?: string; hooks?: Record<string, LifecycleHook> }): LifecycleHook | undefined {
  if (step.hooks?.exit) return step.hooks.exit;
  if (step.onExit) return { template: step.onExit };
  return undefined;
}

/**
 * Start `<node>.onExit` for a completed child, with arguments resolved against the child's outputs.
 * Returns the hook node, or undefined when there is no exit hook to run.
 */
export function startExitHook(
  ctx: EngineContext,
  child: NodeStatus,
  hook: LifecycleHook,
  opts: { ownerId: string; boundaryId?: string; scope: string; refPrefix: 'steps' | 'tasks'; refName: string; parentScope: Scope; onExitTree?: boolean },
): NodeStatus | undefined {
  if (ctx.shutdown === 'Terminate') return undefined;
  const hookScope = new MapScope(new Map(), opts.parentScope);
  hookScope.set(`${opts.refPrefix}.${opts.refName}.status`, child.phase);
  const outputs = effectiveOutputs(ctx, child);
  for (const p of outputs?.parameters ?? []) {
    hookScope.set(`${opts.refPrefix}.${opts.refName}.outputs.parameters.${p.name}`, p.value ?? '');
  }
  if (outputs?.result !== undefined) hookScope.set(`${opts.refPrefix}.${opts.refName}.outputs.result`, outputs.result);
  if (hook.expression) {
    try {
      if (evaluateInScope(hook.expression, hookScope) !== true) return undefined;
    } catch (err) {
      return errorHook(ctx, child, opts, `hooks.exit.expression: ${(err as Error).message}`);
    }
  }
  let args: Arguments | undefined;
  try {
    args = hook.arguments ? substituteStrict(hook.arguments, hookScope, []) : undefined;
  } catch (err) {
    return errorHook(ctx, child, opts, (err as Error).message);
  }
  const name = `${child.name}.onExit`;
  const node = invoke(ctx, {
    nodeName: name,
    holder: { template: hook.template, templateRef: hook.templateRef },
    scope: opts.scope,
    args,
    ownerId: opts.ownerId,
    boundaryId: opts.boundaryId,
    nodeFlag: { hooked: true },
    onExitTree: true,
  });
  ctx.store.addChild(child.name, name);
  const rt = ctx.store.rt(child.id);
  rt.hookNodes = { ...(rt.hookNodes ?? {}), exit: node.id };
  return node;
}

function errorHook(ctx: EngineContext, child: NodeStatus, opts: { ownerId: string; boundaryId?: string; scope: string }, message: string): NodeStatus {
  const name = `${child.name}.onExit`;
  const node = ctx.store.create(
    { name, type: 'Skipped', phase: 'Error', boundaryID: opts.boundaryId, message, nodeFlag: { hooked: true } },
    { owner: opts.ownerId },
  );
  ctx.store.addChild(child.name, name);
  const rt = ctx.store.rt(child.id);
  rt.hookNodes = { ...(rt.hookNodes ?? {}), exit: node.id };
  return node;
}

function effectiveOutputs(ctx: EngineContext, node: NodeStatus): NodeStatus['outputs'] {
  if (node.type === 'Retry') {
    const last = node.children?.map((id) => ctx.store.get(id)).filter((c) => c && !c.nodeFlag?.hooked).at(-1);
    return last?.outputs ?? node.outputs;
  }
  return node.outputs;
}

/** True when the node's exit hook (if any) is fulfilled. */
export function hooksFulfilled(ctx: EngineContext, node: NodeStatus): boolean {
  const hooks = ctx.store.rt(node.id).hookNodes;
  if (!hooks) return true;
  for (const id of Object.values(hooks)) {
    const h = ctx.store.get(id);
    if (h && !isFulfilled(h.phase)) return false;
  }
  return true;
}

/** Argo's getOutboundNodes: the leaf node ids a dependent should hang under. */
export function outboundNodes(ctx: EngineContext, node: NodeStatus): string[] {
  switch (node.type) {
    case 'Skipped':
    case 'Suspend':
    case 'HTTP':
    case 'Plugin':
      return [node.id];
    case 'Pod':
      if (!ctx.store.rt(node.id).template?.containerSet) return [node.id];
      return containerOutbound(ctx, node);
    case 'Container':
    case 'TaskGroup':
      return containerOutbound(ctx, node);
    case 'Retry': {
      const last = node.children?.at(-1);
      return last ? [last] : [];
    }
    case 'Steps':
    case 'DAG':
    case 'StepGroup': {
      const out: string[] = [];
      for (const id of node.outboundNodes ?? []) {
        const n = ctx.store.get(id);
        if (n) out.push(...outboundNodes(ctx, n));
      }
      return out;
    }
  }
}

function containerOutbound(ctx: EngineContext, node: NodeStatus): string[] {
  if (!node.children || node.children.length === 0) return [node.id];
  const out: string[] = [];
  for (const id of node.children) {
    const child = ctx.store.get(id);
    if (!child) continue;
    if (node.type === 'Container' && child.boundaryID !== node.boundaryID) out.push(node.id);
    else out.push(...outboundNodes(ctx, child));
  }
  return out;
}

export function setOutbound(ctx: EngineContext, node: NodeStatus, ids: string[]): void {
  node.outboundNodes = ids;
  ctx.store.touch(node.id);
}

/** Outputs of a steps or DAG template, from `valueFrom.parameter` / `expression` (getTemplateOutputsFromScope). */
export function templateOutputs(ctx: EngineContext, tmpl: Template, scope: Scope): Outputs | undefined {
  const declared = tmpl.outputs?.parameters ?? [];
  if (declared.length === 0) return undefined;
  const parameters = declared.map((p) => {
    const vf = p.valueFrom;
    let value: string | undefined;
    if (vf?.parameter !== undefined) {
      try {
        const text = substituteText(vf.parameter, scope, ['steps.', 'tasks.']);
        value = text;
      } catch (err) {
        if (vf.default === undefined) throw err;
        value = String(vf.default);
      }
      if (value !== undefined && /^\{\{.*\}\}$/.test(vf.parameter) && scope.get(vf.parameter.slice(2, -2).trim()) === NIL) {
        if (vf.default === undefined) throw new Error(`output parameter "${p.name}": ${vf.parameter} is an absent optional (skipped/omitted node output with no default)`);
        value = String(vf.default);
      }
    } else if (vf?.expression !== undefined) {
      try {
        const v = evaluateInScope(vf.expression, scope);
        value = v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
      } catch (err) {
        if (vf.default === undefined) throw err;
      }
      if (value === undefined && vf.default !== undefined) value = String(vf.default);
    } else if (vf?.default !== undefined) {
      value = String(vf.default);
    } else if (p.value !== undefined) {
      value = String(p.value);
    }
    if (p.globalName && value !== undefined) ctx.globals.exportParameter(p.globalName, value);
    const out: { name: string; value?: string; globalName?: string } = { name: p.name };
    if (value !== undefined) out.value = value;
    if (p.globalName) out.globalName = p.globalName;
    return out;
  });
  return { parameters };
}
