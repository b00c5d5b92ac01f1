/**
 * Running a template for a node: resolve it, bind arguments, wrap it in a Retry node when it has a
 * retryStrategy, then hand it to the controller for its type (Argo's executeTemplate).
 */
import { podName, type Arguments, type NodeStatus, type NodeType, type Template } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { Invocation } from '../state/runtime.js';
import {
  isPodTemplate,
  resolveTemplate,
  templateType,
  withTemplateDefaults,
  type TemplateHolder,
} from '../templates/resolve.js';
import { nodeInputs, processArgs } from '../templates/process-args.js';
import { startPodNode } from './pod.js';
import { startSuspendNode } from './suspend.js';
import { startRetryNode } from './retry.js';
import { lockRequests, nodeHolder, waitingMessage } from '../locks/lock-requests.js';

export interface InvokeRequest {
  nodeName: string;
  holder: TemplateHolder;
  /** Scope in which `holder.template` resolves. */
  scope: string;
  args?: Arguments;
  ownerId: string;
  boundaryId?: string;
  nodeFlag?: { hooked?: boolean; retried?: boolean };
  invocation?: Invocation;
  /** `steps` or `tasks`, when invoked from a steps or DAG template. */
  via?: 'steps' | 'tasks';
  /** Counts against the boundary's parallelism (steps and tasks, not hooks). */
  unit?: boolean;
  onExitTree?: boolean;
}

/** Invoke a template for a new node. Returns the node created (possibly an Error node). */
export function invoke(ctx: EngineContext, req: InvokeRequest): NodeStatus {
  const existing = ctx.store.byNodeName(req.nodeName);
  if (existing) return existing;
  let resolved;
  try {
    resolved = resolveTemplate(ctx, req.holder, req.scope);
  } catch (err) {
    return errorNode(ctx, req, (err as Error).message);
  }
  const template = withTemplateDefaults(resolved.template, ctx.spec.templateDefaults);
  const local = new Map<string, string>();
  const retry = retryStrategyOf(ctx, template);
  if (isPodTemplate(template) && !retry) local.set('pod.name', podName(ctx.store.workflowName, req.nodeName, template.name));
  if (req.via === 'tasks' && req.invocation) local.set('tasks.name', req.invocation.name);
  if (req.via === 'steps' && req.invocation) local.set('steps.name', req.invocation.name);
  local.set('node.name', req.nodeName);
  let processed: Template;
  try {
    processed = processArgs(template, req.args, ctx.globals, local);
  } catch (err) {
    return errorNode(ctx, req, (err as Error).message);
  }
  const locks = lockRequests(ctx, processed.synchronization);
  if (locks.length > 0) {
    const node = createNode(ctx, req, nodeTypeFor(processed, !!retry), 'Pending', processed, waitingMessage(locks));
    ctx.store.rt(node.id).lockWait = { req, template: processed, innerScope: resolved.innerScope, keys: locks.map((l) => l.key), granted: [] };
    for (const lock of locks) ctx.emit({ type: 'AcquireLock', lock, holder: nodeHolder(ctx, node.id) });
    return node;
  }
  return startResolved(ctx, req, processed, resolved.innerScope);
}

function startResolved(ctx: EngineContext, req: InvokeRequest, processed: Template, innerScope: string): NodeStatus {
  const displayName = processed.metadata?.annotations?.['workflows.argoproj.io/display-name'];
  let node: NodeStatus;
  if (retryStrategyOf(ctx, processed)) node = startRetryNode(ctx, req, processed, innerScope);
  else node = startBody(ctx, req, processed, innerScope);
  if (displayName && node.displayName !== displayName) {
    node.displayName = displayName;
    ctx.store.touch(node.id);
  }
  return node;
}

/** A lock asked for by a waiting node was granted; start the node once it holds all of them. */
export function lockGranted(ctx: EngineContext, nodeId: string, key: string): void {
  const node = ctx.store.get(nodeId);
  const rt = ctx.store.rt(nodeId);
  const wait = rt.lockWait;
  if (!node || !wait) return;
  if (!wait.granted.includes(key)) wait.granted.push(key);
  if (node.phase !== 'Pending') return;
  if (!wait.keys.every((k) => wait.granted.includes(k))) return;
  rt.lockWait = undefined;
  rt.locksHeld = wait.keys;
  ctx.store.setMessage(nodeId, '');
  if (node.type !== 'Pod') ctx.store.setPhase(nodeId, 'Running');
  startResolved(ctx, wait.req as InvokeRequest, wait.template, wait.innerScope);
}

function nodeTypeFor(t: Template, retry: boolean): NodeType {
  if (retry) return 'Retry';
  switch (templateType(t)) {
    case 'steps':
      return 'Steps';
    case 'dag':
      return 'DAG';
    case 'suspend':
      return 'Suspend';
    default:
      return 'Pod';
  }
}

export function retryStrategyOf(ctx: EngineContext, t: Template) {
  return t.retryStrategy ?? ctx.spec.retryStrategy;
}

/** Create the node for a template of a given type and start it. */
export function startBody(ctx: EngineContext, req: InvokeRequest, tmpl: Template, innerScope: string): NodeStatus {
  const type = templateType(tmpl);
  switch (type) {
    case 'container':
    case 'script':
    case 'containerSet':
    case 'resource':
      return startPodNode(ctx, req, tmpl, innerScope);
    case 'suspend':
      return startSuspendNode(ctx, req, tmpl);
    case 'steps':
    case 'dag': {
      const node = createNode(ctx, req, type === 'steps' ? 'Steps' : 'DAG', 'Running', tmpl);
      const rt = ctx.store.rt(node.id);
      rt.template = tmpl;
      rt.innerScope = innerScope;
      if (type === 'steps') rt.group = 0;
      ctx.wake(node.id);
      return node;
    }
    case 'http':
    case 'plugin':
    case 'data':
      return createNode(ctx, req, type === 'http' ? 'HTTP' : 'Plugin', 'Error', tmpl,
        `${type} templates are not supported by Slipway's engine yet (template '${tmpl.name}')`);
    case 'unknown':
      return errorNode(ctx, req, `Template '${tmpl.name}' missing specification`);
  }
}

export function createNode(
  ctx: EngineContext,
  req: InvokeRequest,
  type: NodeType,
  phase: NodeStatus['phase'],
  tmpl?: Template,
  message?: string,
): NodeStatus {
  const node = ctx.store.create(
    {
      name: req.nodeName,
      type,
      phase,
      boundaryID: req.boundaryId,
      templateName: req.holder.template,
      templateRef: req.holder.templateRef,
      templateScope: req.scope,
      message,
      inputs: tmpl ? nodeInputs(tmpl) : undefined,
      nodeFlag: req.nodeFlag,
    },
    { owner: req.ownerId, invocation: req.invocation, onExitTree: req.onExitTree },
  );
  if (req.unit) ctx.store.markUnit(node.id);
  return node;
}

export function errorNode(ctx: EngineContext, req: InvokeRequest, message: string): NodeStatus {
  return createNode(ctx, req, 'Skipped', 'Error', undefined, message);
}
