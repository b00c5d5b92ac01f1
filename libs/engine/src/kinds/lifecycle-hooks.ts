/**
 * Step- and task-level lifecycle hooks other than `exit` (`hooks.running`, `hooks.failed`, …):
 * each starts once, the first time its expression holds (Argo's executeTmplLifeCycleHook).
 */
import { MapScope, type NodeStatus, type Scope } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { Invocation } from '../state/runtime.js';
import { evaluateInScope, substituteStrict } from '../scope/expressions.js';
import { invoke } from './invoke.js';

export function hasLifecycleHooks(inv: Invocation | undefined): boolean {
  if (!inv?.hooks) return false;
  return Object.keys(inv.hooks).some((k) => k !== 'exit');
}

export function startLifecycleHooks(ctx: EngineContext, node: NodeStatus, prefix: 'steps' | 'tasks', parentScope: Scope): void {
  const rt = ctx.store.rt(node.id);
  const inv = rt.invocation;
  if (!inv?.hooks) return;
  const scope = new MapScope(new Map(), parentScope);
  scope.set(`${prefix}.${inv.name}.status`, node.phase);
  for (const p of node.outputs?.parameters ?? []) scope.set(`${prefix}.${inv.name}.outputs.parameters.${p.name}`, p.value ?? '');
  for (const [name, hook] of Object.entries(inv.hooks)) {
    if (name === 'exit' || !hook.expression || rt.hookNodes?.[name]) continue;
    let fire: unknown;
    try {
      fire = evaluateInScope(hook.expression, scope);
    } catch {
      fire = false;
    }
    if (fire !== true) continue;
    const hookName = `${node.name}.hooks.${name}`;
    let args = hook.arguments;
    try {
      if (args) args = substituteStrict(args, scope, []);
    } catch {
      // keep the arguments as written; the hook node reports what it cannot resolve
    }
    const hookNode = invoke(ctx, {
      nodeName: hookName,
      holder: { template: hook.template, templateRef: hook.templateRef },
      scope: node.templateScope ?? 'local/',
      args,
      ownerId: rt.owner,
      boundaryId: node.boundaryID,
      nodeFlag: { hooked: true },
    });
    ctx.store.addChild(node.name, hookName);
    rt.hookNodes = { ...(rt.hookNodes ?? {}), [name]: hookNode.id };
  }
}

/** The hooked node a hook node belongs to: `X.onExit` → X, `X.hooks.running` → X. */
export function hookParentName(hookNodeName: string): string | undefined {
  if (hookNodeName.endsWith('.onExit')) return hookNodeName.slice(0, -'.onExit'.length);
  const i = hookNodeName.lastIndexOf('.hooks.');
  return i > 0 ? hookNodeName.slice(0, i) : undefined;
}
