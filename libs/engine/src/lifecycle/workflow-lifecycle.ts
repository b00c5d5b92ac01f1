/**
 * The workflow as a whole: start the entry node, run the exit handler once the entry node is
 * fulfilled, and decide the workflow's phase (Argo's operate(), the part after executeTemplate).
 */
import { isFulfilled, podName, type NodeStatus, type WorkflowPhase } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import { WORKFLOW_OWNER } from '../state/runtime.js';
import { rfc3339 } from '../state/time.js';
import { invoke } from '../kinds/invoke.js';
import { LOCAL_SCOPE } from '../templates/resolve.js';
import { evaluateInScope, substituteStrict } from '../scope/expressions.js';
import { lockRequests, waitingMessage, workflowHolder } from '../locks/lock-requests.js';

const NODE_TO_WORKFLOW: Record<NodeStatus['phase'], WorkflowPhase> = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Skipped: 'Succeeded',
  Omitted: 'Succeeded',
  Failed: 'Failed',
  Error: 'Error',
};

export function advanceWorkflow(ctx: EngineContext): void {
  const status = (ctx.workflow.status ??= {});
  if (status.phase === 'Succeeded' || status.phase === 'Failed' || status.phase === 'Error') return;
  const wfName = ctx.store.workflowName;
  let root = ctx.store.byNodeName(wfName);
  if (!root) {
    if (!status.phase || status.phase === 'Pending') {
      if (!workflowLocksHeld(ctx)) return;
      status.phase = 'Running';
      delete status.message;
      status.startedAt ??= rfc3339(ctx.now());
      applyLabelsFrom(ctx);
      const ads = ctx.spec.activeDeadlineSeconds;
      if (ads !== undefined && ads !== null && ads !== '') {
        const secs = Number(ads);
        if (Number.isFinite(secs)) ctx.emit({ type: 'WakeAt', key: 'workflow-deadline', at: Date.parse(status.startedAt) + secs * 1000 });
      }
    }
    if (!ctx.spec.entrypoint) {
      markWorkflow(ctx, 'Error', 'spec.entrypoint is required');
      return;
    }
    root = invoke(ctx, {
      nodeName: wfName,
      holder: { template: ctx.spec.entrypoint },
      scope: LOCAL_SCOPE,
      args: ctx.spec.arguments,
      ownerId: WORKFLOW_OWNER,
    });
  }
  ctx.globals.status = isFulfilled(root.phase) ? NODE_TO_WORKFLOW[root.phase] : 'Running';
  const hooksDone = runWorkflowHooks(ctx, root);
  if (!isFulfilled(root.phase)) return;

  const wfStatus = NODE_TO_WORKFLOW[root.phase];
  ctx.globals.status = wfStatus;
  ctx.globals.failures = failuresJson(ctx);

  let exitNode: NodeStatus | undefined;
  const exitHook = ctx.spec.hooks?.exit ?? (ctx.spec.onExit ? { template: ctx.spec.onExit } : undefined);
  if (exitHook) {
    const exitName = `${wfName}.onExit`;
    exitNode = ctx.store.byNodeName(exitName);
    if (!exitNode && ctx.shutdown !== 'Terminate') {
      exitNode = invoke(ctx, {
        nodeName: exitName,
        holder: { template: exitHook.template, templateRef: exitHook.templateRef },
        scope: LOCAL_SCOPE,
        args: exitHook.arguments,
        ownerId: WORKFLOW_OWNER,
        nodeFlag: { hooked: true },
        onExitTree: true,
      });
    }
    if (exitNode && !isFulfilled(exitNode.phase)) return;
  }
  if (!hooksDone) return;

  const message = (root.phase === 'Failed' || root.phase === 'Error') && ctx.shutdown
    ? `Stopped with strategy '${ctx.shutdown}'`
    : (root.message ?? '');
  switch (wfStatus) {
    case 'Succeeded':
      if (exitNode && exitNode.phase === 'Failed') markWorkflow(ctx, 'Failed', exitNode.message ?? '');
      else if (exitNode && exitNode.phase === 'Error') markWorkflow(ctx, 'Error', exitNode.message ?? '');
      else markWorkflow(ctx, 'Succeeded', '');
      break;
    case 'Failed':
      markWorkflow(ctx, 'Failed', message);
      break;
    default:
      markWorkflow(ctx, 'Error', message);
  }
}

function failuresJson(ctx: EngineContext): string {
  const failures = [];
  for (const node of ctx.store.all()) {
    if (node.phase !== 'Failed' && node.phase !== 'Error') continue;
    const templateName = node.templateName ?? node.templateRef?.template ?? '';
    failures.push({
      displayName: node.displayName,
      message: node.message ?? '',
      templateName,
      phase: node.phase,
      podName: podName(ctx.store.workflowName, node.name, templateName),
      finishedAt: node.finishedAt ?? null,
    });
  }
  // Argo stores strconv.Quote(json.Marshal(...)): the quotes and escapes survive substitution into
  // a command line. json.Marshal escapes <, >, & and U+2028/9 (fields stay in struct order here).
  const json = JSON.stringify(failures).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(json);
}

/** Move the workflow to a terminal phase: kill what still runs, record the end. */
export function markWorkflow(ctx: EngineContext, phase: 'Succeeded' | 'Failed' | 'Error', message: string): void {
  const status = (ctx.workflow.status ??= {});
  if (status.phase === 'Succeeded' || status.phase === 'Failed' || status.phase === 'Error') return;
  for (const node of ctx.store.all()) {
    if (isFulfilled(node.phase)) continue;
    if (node.type === 'Pod') {
      ctx.emit({ type: 'KillPod', nodeId: node.id, podName: podName(ctx.store.workflowName, node.name, node.templateName ?? ''), reason: 'workflow completed' });
      if (node.daemoned) ctx.store.setPhase(node.id, 'Succeeded', 'daemon stopped: the workflow completed');
      else ctx.store.setPhase(node.id, 'Failed', 'stopped: the workflow completed before this node finished');
    } else {
      ctx.store.setPhase(node.id, 'Failed', 'stopped: the workflow completed before this node finished');
    }
  }
  status.phase = phase;
  if (message) status.message = message;
  else delete status.message;
  status.finishedAt = rfc3339(ctx.now());
  status.startedAt ??= status.finishedAt;
  const labels = (ctx.workflow.metadata.labels ??= {});
  labels['workflows.argoproj.io/phase'] = phase;
  labels['workflows.argoproj.io/completed'] = 'true';
  const wfLocks = ctx.store.rt(WORKFLOW_RT);
  for (const key of [...(wfLocks.locksHeld ?? []), ...(wfLocks.lockWait?.keys ?? [])]) {
    ctx.emit({ type: 'ReleaseLock', key, holder: workflowHolder(ctx) });
  }
  wfLocks.locksHeld = undefined;
  wfLocks.lockWait = undefined;
  podGcAtEnd(ctx, phase);
  ctx.emit({ type: 'WorkflowCompleted', phase, deleteAt: ttlDeleteAt(ctx, phase) });
}

/** Runtime slot for workflow-level bookkeeping (locks). */
const WORKFLOW_RT = '__workflow__';

/** Workflow-level `synchronization`: the workflow stays Pending until every lock is granted. */
function workflowLocksHeld(ctx: EngineContext): boolean {
  const sync = ctx.spec.synchronization;
  if (!sync) return true;
  const rt = ctx.store.rt(WORKFLOW_RT);
  if (rt.locksHeld) return true;
  if (!rt.lockWait) {
    let resolved = sync;
    try {
      resolved = substituteStrict(sync, ctx.globals, []);
    } catch {
      resolved = sync;
    }
    const locks = lockRequests(ctx, resolved);
    if (locks.length === 0) return true;
    rt.lockWait = { req: null, template: { name: '' }, innerScope: LOCAL_SCOPE, keys: locks.map((l) => l.key), granted: [] };
    const status = (ctx.workflow.status ??= {});
    status.phase = 'Pending';
    status.message = waitingMessage(locks);
    for (const lock of locks) ctx.emit({ type: 'AcquireLock', lock, holder: workflowHolder(ctx) });
    return false;
  }
  if (rt.lockWait.keys.every((k) => rt.lockWait!.granted.includes(k))) {
    rt.locksHeld = rt.lockWait.keys;
    rt.lockWait = undefined;
    return true;
  }
  return false;
}

export function workflowLockGranted(ctx: EngineContext, key: string): void {
  const rt = ctx.store.rt(WORKFLOW_RT);
  if (rt.lockWait && !rt.lockWait.granted.includes(key)) rt.lockWait.granted.push(key);
}

/** `spec.workflowMetadata.labelsFrom`: labels computed by expressions when the workflow starts. */
function applyLabelsFrom(ctx: EngineContext): void {
  const from = ctx.spec.workflowMetadata?.labelsFrom;
  if (!from) return;
  const labels = (ctx.workflow.metadata.labels ??= {});
  for (const [name, { expression }] of Object.entries(from)) {
    try {
      const value = evaluateInScope(expression, ctx.globals);
      if (value !== undefined && value !== null) {
        labels[name] = String(value);
        ctx.globals.set(`workflow.labels.${name}`, String(value));
      }
    } catch {
      // An unresolvable label expression leaves the label unset, as Argo does.
    }
  }
}

/**
 * Workflow-level lifecycle hooks other than `exit` (`spec.hooks.running`, …): each runs once, when
 * its expression first holds. Returns true when every hook that started is fulfilled.
 */
function runWorkflowHooks(ctx: EngineContext, root: NodeStatus): boolean {
  const hooks = ctx.spec.hooks;
  if (!hooks) return true;
  let done = true;
  for (const [name, hook] of Object.entries(hooks)) {
    if (name === 'exit' || !hook.expression) continue;
    const nodeName = `${ctx.store.workflowName}.hooks.${name}`;
    let node = ctx.store.byNodeName(nodeName);
    if (!node) {
      let fire: unknown = false;
      try {
        fire = evaluateInScope(hook.expression, ctx.globals);
      } catch {
        fire = false;
      }
      if (fire !== true) continue;
      node = invoke(ctx, {
        nodeName,
        holder: { template: hook.template, templateRef: hook.templateRef },
        scope: LOCAL_SCOPE,
        args: hook.arguments,
        ownerId: WORKFLOW_OWNER,
        nodeFlag: { hooked: true },
        onExitTree: true,
      });
      ctx.store.addChild(root.name, nodeName);
    }
    if (!isFulfilled(node.phase)) done = false;
  }
  return done;
}

/** When ttlStrategy says a finished workflow should be deleted (epoch ms), if at all. */
function ttlDeleteAt(ctx: EngineContext, phase: 'Succeeded' | 'Failed' | 'Error'): number | undefined {
  const ttl = ctx.spec.ttlStrategy;
  if (!ttl) return undefined;
  const secs = phase === 'Succeeded' ? (ttl.secondsAfterSuccess ?? ttl.secondsAfterCompletion) : (ttl.secondsAfterFailure ?? ttl.secondsAfterCompletion);
  return secs === undefined ? undefined : ctx.now() + secs * 1000;
}

/** podGC strategies that act when the workflow ends. */
function podGcAtEnd(ctx: EngineContext, phase: 'Succeeded' | 'Failed' | 'Error'): void {
  const strategy = ctx.spec.podGC?.strategy;
  if (strategy !== 'OnWorkflowCompletion' && !(strategy === 'OnWorkflowSuccess' && phase === 'Succeeded')) return;
  for (const node of ctx.store.all()) {
    if (node.type !== 'Pod') continue;
    ctx.emit({ type: 'DeletePod', nodeId: node.id, podName: podName(ctx.store.workflowName, node.name, node.templateName ?? '') });
  }
}
