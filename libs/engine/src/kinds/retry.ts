/** Retry nodes: attempts `N(0)`, `N(1)`, … under a Retry node (Argo's processNodeRetries). */
import {
  isFulfilled,
  MapScope,
  parseDuration,
  podName,
  type NodeStatus,
  type RetryStrategy,
  type Template,
} from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import { createNode, retryStrategyOf, startBody, type InvokeRequest } from './invoke.js';
import { isPodTemplate } from '../templates/resolve.js';
import { substituteParams } from '../templates/process-args.js';
import { evaluateInScope } from '../scope/expressions.js';

export function startRetryNode(ctx: EngineContext, req: InvokeRequest, processed: Template, innerScope: string): NodeStatus {
  const node = createNode(ctx, req, 'Retry', 'Running', processed);
  const rt = ctx.store.rt(node.id);
  rt.template = processed;
  rt.innerScope = innerScope;
  rt.holder = req.holder;
  rt.args = req.args;
  startAttempt(ctx, node, 0);
  return node;
}

function attempts(ctx: EngineContext, node: NodeStatus): NodeStatus[] {
  const out: NodeStatus[] = [];
  for (const id of node.children ?? []) {
    const c = ctx.store.get(id);
    if (c && !c.nodeFlag?.hooked) out.push(c);
  }
  return out;
}

function lastRetryVars(ctx: EngineContext, last: NodeStatus | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (!last) {
    m.set('lastRetry.exitCode', '0');
    m.set('lastRetry.duration', '0');
    m.set('lastRetry.status', '');
    m.set('lastRetry.message', '');
    return m;
  }
  m.set('lastRetry.exitCode', last.outputs?.exitCode ?? '-1');
  m.set('lastRetry.status', last.phase);
  // Argo subtracts the stored (second-precision) timestamps, so this is a whole number: asInt() takes it.
  const started = Date.parse(last.startedAt ?? '');
  const finished = Date.parse(last.finishedAt ?? '');
  const secs = Number.isFinite(started) && Number.isFinite(finished) ? Math.max(0, (finished - started) / 1000) : 0;
  m.set('lastRetry.duration', String(secs));
  m.set('lastRetry.message', last.message ?? '');
  return m;
}

function startAttempt(ctx: EngineContext, retryNode: NodeStatus, index: number): void {
  const rt = ctx.store.rt(retryNode.id);
  const tmpl = rt.template!;
  const name = `${retryNode.name}(${index})`;
  const previous = attempts(ctx, retryNode);
  const local = lastRetryVars(ctx, previous[previous.length - 1]);
  local.set('retries', String(index));
  local.set('node.name', name);
  if (isPodTemplate(tmpl)) local.set('pod.name', podName(ctx.store.workflowName, name, tmpl.name));
  let processed: Template;
  const req: InvokeRequest = {
    nodeName: name,
    holder: rt.holder ?? {},
    scope: retryNode.templateScope ?? 'local/',
    args: rt.args,
    ownerId: retryNode.id,
    boundaryId: retryNode.boundaryID,
    nodeFlag: { ...(retryNode.nodeFlag ?? {}), retried: true },
    onExitTree: rt.onExitTree,
  };
  ctx.store.addChild(retryNode.name, name);
  try {
    processed = substituteParams(tmpl, ctx.globals, local);
  } catch (err) {
    createNode(ctx, req, 'Skipped', 'Error', undefined, (err as Error).message);
    return;
  }
  startBody(ctx, req, processed, rt.innerScope ?? 'local/');
}

/** An attempt finished: succeed, give up, or schedule the next attempt. */
export function retryChildFulfilled(ctx: EngineContext, retryNode: NodeStatus): void {
  if (retryNode.phase !== 'Running' && retryNode.phase !== 'Pending') return;
  const rt = ctx.store.rt(retryNode.id);
  const tries = attempts(ctx, retryNode);
  const last = tries[tries.length - 1];
  if (!last || (last.phase !== 'Succeeded' && last.phase !== 'Failed' && last.phase !== 'Error' && last.phase !== 'Skipped' && last.phase !== 'Omitted')) return;
  const finish = (phase: NodeStatus['phase'], message?: string) => {
    if (last.outputs) retryNode.outputs = structuredClone(last.outputs);
    ctx.store.setPhase(retryNode.id, phase, message ?? '');
  };
  if (last.phase !== 'Failed' && last.phase !== 'Error') return finish(last.phase, last.message);
  if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !rt.onExitTree)) {
    return finish(last.phase, `Stopped with strategy '${ctx.shutdown}'`);
  }
  const strategy: RetryStrategy = retryStrategyOf(ctx, rt.template!) ?? {};
  const policy = strategy.retryPolicy ?? 'OnFailure';
  const transient = /transient|connection (reset|refused)|timeout|i\/o/i.test(last.message ?? '');
  const retryOnFailed = policy === 'Always' || policy === 'OnFailure' || (policy === 'OnTransientError' && transient);
  const retryOnError = policy === 'Always' || policy === 'OnError' || (policy === 'OnTransientError' && transient);
  if ((last.phase === 'Failed' && !retryOnFailed) || (last.phase === 'Error' && !retryOnError)) {
    return finish(last.phase, last.message);
  }
  if (strategy.limit !== undefined && strategy.limit !== null && strategy.limit !== '') {
    const limit = Number.parseInt(String(strategy.limit), 10);
    if (Number.isFinite(limit) && tries.length > limit) return finish(last.phase, 'No more retries left');
  }
  if (strategy.expression) {
    const scope = new MapScope(lastRetryVars(ctx, last));
    scope.set('retries', String(tries.length - 1));
    let ok: unknown;
    try {
      ok = evaluateInScope(strategy.expression, scope);
    } catch (err) {
      ctx.store.setPhase(retryNode.id, 'Error', `retryStrategy.expression: ${(err as Error).message}`);
      return;
    }
    if (ok !== true) return finish(last.phase, 'retryStrategy.expression evaluated to false');
  }
  const backoff = strategy.backoff;
  if (backoff?.duration !== undefined) {
    let wait: number;
    let maxDeadline: number | undefined;
    try {
      wait = parseDuration(backoff.duration);
      const factor = backoff.factor !== undefined ? Number.parseInt(String(backoff.factor), 10) : undefined;
      if (factor && factor > 0) wait = wait * Math.pow(factor, tries.length - 1);
      if (backoff.cap) wait = Math.min(wait, parseDuration(backoff.cap));
      if (backoff.maxDuration) {
        const first = ctx.store.rt(tries[0].id).startedMs ?? ctx.now();
        maxDeadline = first + parseDuration(backoff.maxDuration);
      }
    } catch (err) {
      ctx.store.setPhase(retryNode.id, 'Error', `retryStrategy.backoff: ${(err as Error).message}`);
      return;
    }
    const lastFinished = ctx.store.rt(last.id).finishedMs ?? ctx.now();
    if (maxDeadline !== undefined && ctx.now() >= maxDeadline) return finish(last.phase, 'Max duration limit exceeded');
    const at = lastFinished + wait;
    if (maxDeadline !== undefined && at > maxDeadline) return finish(last.phase, 'Backoff would exceed max duration limit');
    if (at > ctx.now()) {
      rt.retryAt = at;
      ctx.store.setMessage(retryNode.id, `Backoff for ${humanDuration(wait)}`);
      ctx.emit({ type: 'WakeAt', key: `retry:${retryNode.id}`, at });
      return;
    }
  }
  startAttempt(ctx, retryNode, tries.length);
}

/** A Retry node a workflow retry set back to Running: start over at attempt 0 if it lost its attempts. */
export function resumeRetry(ctx: EngineContext, retryNode: NodeStatus): void {
  const last = attempts(ctx, retryNode).at(-1);
  if (!last) startAttempt(ctx, retryNode, 0);
  else if (isFulfilled(last.phase)) retryChildFulfilled(ctx, retryNode);
}

export function retryTimerFired(ctx: EngineContext, nodeId: string): void {
  const node = ctx.store.get(nodeId);
  const rt = ctx.store.rt(nodeId);
  if (!node || node.type !== 'Retry' || node.phase !== 'Running' || rt.retryAt === undefined) return;
  if (ctx.now() < rt.retryAt) {
    ctx.emit({ type: 'WakeAt', key: `retry:${nodeId}`, at: rt.retryAt });
    return;
  }
  rt.retryAt = undefined;
  ctx.store.setMessage(nodeId, '');
  if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !rt.onExitTree)) {
    const last = attempts(ctx, node).at(-1);
    ctx.store.setPhase(nodeId, last?.phase ?? 'Failed', `Stopped with strategy '${ctx.shutdown}'`);
    return;
  }
  startAttempt(ctx, node, attempts(ctx, node).length);
}

function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}
