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
      status.phase = 'Running';
      status.startedAt ??= rfc3339(ctx.now());
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
  return JSON.stringify(failures);
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
  ctx.emit({ type: 'WorkflowCompleted', phase });
}
