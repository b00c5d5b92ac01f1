/**
 * The reconciler: workflow state + events in, new state + actions out. Pure: no I/O, no wall clock
 * (time is an input), deterministic. Work per event is proportional to what the event touches.
 */
import {
  isFulfilled,
  podName,
  type NodeStatus,
  type TemplateLibrary,
  type Workflow,
  type WorkflowSpec,
} from '@slipway/workflow';
import type { Action } from './contract/actions.js';
import type { EngineEvent } from './contract/events.js';
import type { EngineContext } from './context.js';
import { NodeStore } from './state/node-store.js';
import { WORKFLOW_OWNER, type RuntimeMap } from './state/runtime.js';
import { rfc3339 } from './state/time.js';
import { GlobalScope } from './scope/global-scope.js';
import { advanceWorkflow, markWorkflow } from './lifecycle/workflow-lifecycle.js';
import { advanceSteps, groupChildFulfilled, launchPending, stepsScope } from './kinds/steps.js';
import { hasLifecycleHooks, startLifecycleHooks } from './kinds/lifecycle-hooks.js';
import { DagController } from './kinds/dag.js';
import { retryChildFulfilled, retryTimerFired } from './kinds/retry.js';
import { finishPod } from './kinds/pod.js';
import { resumeSuspendNode, setSuspendOutputs, suspendTimerFired } from './kinds/suspend.js';
import { resolveExecSpec } from './templates/exec-spec.js';
import { lockGranted } from './kinds/invoke.js';
import { nodeHolder, workflowHolder } from './locks/lock-requests.js';
import { workflowLockGranted } from './lifecycle/workflow-lifecycle.js';
import { podGc, stopDaemons } from './kinds/pod.js';
import { resumeNodes } from './kinds/resume.js';

export interface ReconcileResult {
  actions: Action[];
  /** Ids of nodes created or changed by this call (for persistence of one row per node). */
  changedNodeIds: string[];
  /** Messages for events that could not be applied (unknown node, bad input). */
  warnings: string[];
}

export interface EngineSnapshot {
  workflow: Workflow;
  runtime: RuntimeMap;
}

type WorkItem =
  | { kind: 'child'; owner: string; child: string }
  | { kind: 'resume'; ids: string[] }
  | { kind: 'wake'; id: string }
  | { kind: 'hooks'; id: string };

export class WorkflowReconciler {
  private readonly store: NodeStore;
  private readonly globals: GlobalScope;
  private readonly dags = new DagController();
  private readonly spec: WorkflowSpec;
  private readonly queue: WorkItem[] = [];
  private blockedIds = new Set<string>();
  private nowMs = 0;
  private actions: Action[] = [];
  /** This reconcile's listener for actions as they are decided (see reconcile). */
  private onAction: ((action: Action) => void) | undefined;
  private warnings: string[] = [];
  private specError?: string;

  constructor(
    readonly workflow: Workflow,
    private readonly library: TemplateLibrary,
    readonly runtime: RuntimeMap = {},
  ) {
    const resolved = resolveExecSpec(workflow, library);
    this.spec = resolved.spec;
    this.specError = resolved.error;
    this.store = new NodeStore(
      workflow,
      runtime,
      () => this.nowMs,
      (node) => this.onFulfilled(node),
      (node) => {
        if (hasLifecycleHooks(this.runtime[node.id]?.invocation)) this.queue.push({ kind: 'hooks', id: node.id });
      },
    );
    this.globals = new GlobalScope(workflow, this.spec, () => this.nowMs);
    for (const node of this.store.all()) {
      const rt = runtime[node.id];
      if (rt?.pending && rt.pending.length > 0) this.blockedIds.add(node.id);
    }
    const resumed = this.store.all().filter((n) => runtime[n.id]?.resume).map((n) => n.id);
    if (resumed.length > 0) this.queue.push({ kind: 'resume', ids: resumed });
  }

  /** The spec actually executed: the Workflow's own, merged over its workflowTemplateRef. */
  get executedSpec(): WorkflowSpec {
    return this.spec;
  }

  snapshot(): EngineSnapshot {
    return { workflow: this.workflow, runtime: this.runtime };
  }

  /**
   * Apply events at time `now` (epoch ms) and advance the workflow as far as it can go.
   *
   * `onAction`, when given, also receives each action the moment it is decided, in the order of
   * the returned list, so a host can start the first pods of a large DAG while the rest of the
   * call runs. Acting on one must not call back into this reconciler before the call returns.
   */
  reconcile(events: EngineEvent[], now: number, onAction?: (action: Action) => void): ReconcileResult {
    this.nowMs = now;
    this.actions = [];
    this.onAction = onAction;
    this.warnings = [];
    const ctx = this.context();
    const status = (this.workflow.status ??= {});
    if (this.specError && !status.phase) {
      status.startedAt = rfc3339(now);
      status.phase = 'Running';
      markWorkflow(ctx, 'Error', this.specError);
    }
    for (const event of events) this.apply(ctx, event);
    if (status.phase !== 'Succeeded' && status.phase !== 'Failed' && status.phase !== 'Error') {
      this.queue.push({ kind: 'wake', id: WORKFLOW_OWNER });
    }
    this.drain(ctx);
    this.onAction = undefined;
    return { actions: this.actions, changedNodeIds: [...this.store.takeChanges()], warnings: this.warnings };
  }

  /** The context handed to controllers; made once (every field reads the reconciler's state live). */
  private ctx: EngineContext | undefined;

  private context(): EngineContext {
    if (this.ctx) return this.ctx;
    const spec = this.spec;
    return (this.ctx = {
      workflow: this.workflow,
      spec: this.spec,
      library: this.library,
      store: this.store,
      globals: this.globals,
      now: () => this.nowMs,
      emit: (a) => this.emit(a),
      wake: (id) => this.queue.push({ kind: 'wake', id }),
      blocked: (id) => this.blockedIds.add(id),
      get shutdown() {
        const s = spec.shutdown;
        return s === 'Stop' || s === 'Terminate' ? s : undefined;
      },
    });
  }

  private emit(action: Action): void {
    this.actions.push(action);
    this.onAction?.(action);
  }

  private onFulfilled(node: NodeStatus): void {
    const rt = this.runtime[node.id];
    const owner = rt?.owner ?? WORKFLOW_OWNER;
    this.queue.push({ kind: 'child', owner, child: node.id });
    const ctx = this.context();
    const holder = nodeHolder(ctx, node.id);
    for (const key of [...(rt?.locksHeld ?? []), ...(rt?.lockWait?.keys ?? [])]) {
      this.emit({ type: 'ReleaseLock', key, holder });
    }
    if (rt) {
      rt.locksHeld = undefined;
      rt.lockWait = undefined;
    }
    if (node.type === 'Steps' || node.type === 'DAG') stopDaemons(ctx, node);
    if (node.type === 'Pod') podGc(ctx, node);
  }

  private drain(ctx: EngineContext): void {
    for (;;) {
      while (this.queue.length > 0) {
        const item = this.queue.shift()!;
        if (item.kind === 'wake') this.wake(ctx, item.id);
        else if (item.kind === 'hooks') this.lifecycleHooks(ctx, item.id);
        else if (item.kind === 'resume') for (const c of resumeNodes(ctx, this.dags, item.ids)) this.queue.push({ kind: 'child', ...c });
        else this.childFulfilled(ctx, item.owner, item.child);
      }
      if (!this.retryBlocked(ctx)) break;
    }
  }

  /** Give controllers waiting for capacity another chance. Returns true if any work was queued. */
  private retryBlocked(ctx: EngineContext): boolean {
    if (this.blockedIds.size === 0) return false;
    const ids = [...this.blockedIds];
    this.blockedIds = new Set();
    const before = this.queue.length;
    for (const id of ids) {
      const node = this.store.get(id);
      if (!node || node.phase !== 'Running') continue;
      if (node.type === 'StepGroup') launchPending(ctx, node);
      else if (node.type === 'TaskGroup') this.dags.launchGroupPending(ctx, this.store.get(node.boundaryID!)!, node);
      else if (node.type === 'DAG') this.dags.advance(ctx, node);
    }
    const progressed = this.queue.length > before || this.stillBlockedDiffers(ids);
    return progressed && this.queue.length > 0;
  }

  private stillBlockedDiffers(ids: string[]): boolean {
    return ids.some((id) => !this.blockedIds.has(id));
  }

  private wake(ctx: EngineContext, id: string): void {
    if (id === WORKFLOW_OWNER) {
      advanceWorkflow(ctx);
      return;
    }
    const node = this.store.get(id);
    if (!node) return;
    switch (node.type) {
      case 'Steps':
        advanceSteps(ctx, node);
        break;
      case 'DAG':
        this.dags.advance(ctx, node);
        break;
      default:
        break;
    }
  }

  /** Start a step's or task's lifecycle hooks whose expression now holds. */
  private lifecycleHooks(ctx: EngineContext, id: string): void {
    const node = this.store.get(id);
    const rt = this.runtime[id];
    if (!node || !rt) return;
    const owner = this.store.get(rt.owner);
    if (!owner) return;
    let scope;
    if (owner.type === 'StepGroup') {
      const steps = this.store.get(owner.boundaryID ?? '');
      if (!steps) return;
      scope = stepsScope(ctx, steps, Number(/\[(\d+)\]$/.exec(owner.name)?.[1] ?? 0) + 1);
    } else if (owner.type === 'DAG') scope = this.dags.scope(ctx, owner);
    else if (owner.type === 'TaskGroup') scope = this.dags.scope(ctx, this.store.get(owner.boundaryID ?? '') ?? owner);
    else return;
    startLifecycleHooks(ctx, node, owner.type === 'StepGroup' ? 'steps' : 'tasks', scope);
  }

  private childFulfilled(ctx: EngineContext, ownerId: string, childId: string): void {
    const child = this.store.get(childId);
    if (!child) return;
    if (ownerId === WORKFLOW_OWNER) {
      advanceWorkflow(ctx);
      return;
    }
    const owner = this.store.get(ownerId);
    if (!owner) return;
    switch (owner.type) {
      case 'Steps':
        advanceSteps(ctx, owner);
        break;
      case 'StepGroup':
        groupChildFulfilled(ctx, owner, child);
        break;
      case 'DAG':
        this.dags.childFulfilled(ctx, owner, child);
        break;
      case 'TaskGroup':
        this.dags.groupChildFulfilled(ctx, owner, child);
        break;
      case 'Retry':
        retryChildFulfilled(ctx, owner);
        break;
      default:
        break;
    }
  }

  private apply(ctx: EngineContext, event: EngineEvent): void {
    switch (event.type) {
      case 'PodStarted': {
        const node = this.store.get(event.nodeId);
        if (!node || node.type !== 'Pod' || isFulfilled(node.phase)) return;
        this.store.setPhase(node.id, 'Running');
        const tmpl = this.store.rt(node.id).template;
        const ads = tmpl?.activeDeadlineSeconds;
        if (ads !== undefined && ads !== null && ads !== '') {
          const secs = Number(ads);
          if (Number.isFinite(secs)) {
            const at = event.at + secs * 1000;
            const rt = this.store.rt(node.id);
            rt.deadlineMs = rt.deadlineMs === undefined ? at : Math.min(rt.deadlineMs, at);
            ctx.emit({ type: 'WakeAt', key: `deadline:${node.id}`, at: rt.deadlineMs });
          }
        }
        return;
      }
      case 'PodReady': {
        const node = this.store.get(event.nodeId);
        if (!node || isFulfilled(node.phase)) return;
        node.daemoned = true;
        this.store.daemons.add(node.id);
        if (event.ip) node.podIP = event.ip;
        this.store.setPhase(node.id, 'Running');
        this.store.touch(node.id);
        const owner = this.runtime[node.id]?.owner;
        if (owner !== undefined) this.queue.push({ kind: 'child', owner, child: node.id });
        return;
      }
      case 'PodFinished':
        finishPod(ctx, event.result);
        return;
      case 'TimerFired':
        this.timer(ctx, event.key);
        return;
      case 'Wake':
        return;
      case 'LockGranted': {
        if (event.holder === workflowHolder(ctx)) {
          workflowLockGranted(ctx, event.key);
          return;
        }
        const slash = event.holder.lastIndexOf('/');
        lockGranted(ctx, event.holder.slice(slash + 1), event.key);
        return;
      }
      case 'Resume':
        this.resume(ctx, event.nodeName);
        return;
      case 'Suspend':
        this.spec.suspend = true;
        this.workflow.spec.suspend = true;
        return;
      case 'Stop':
      case 'Terminate':
        this.shutdown(ctx, event.type, event.message);
        return;
      case 'SetNode': {
        const node = this.store.byNodeName(event.nodeName) ?? this.store.get(event.nodeName);
        if (!node) {
          this.warnings.push(`node ${event.nodeName} not found`);
          return;
        }
        if (event.outputParameters) {
          const unknown = setSuspendOutputs(ctx, node, event.outputParameters);
          for (const u of unknown) this.warnings.push(`node ${event.nodeName} has no supplied output parameter ${u}`);
        }
        if (event.phase) {
          if (node.type === 'Suspend') resumeSuspendNode(ctx, node, event.phase, event.message);
          else this.store.setPhase(node.id, event.phase, event.message ?? '');
        } else if (event.message !== undefined) this.store.setMessage(node.id, event.message);
        return;
      }
    }
  }

  private timer(ctx: EngineContext, key: string): void {
    const colon = key.indexOf(':');
    const kind = colon < 0 ? key : key.slice(0, colon);
    const id = colon < 0 ? '' : key.slice(colon + 1);
    switch (kind) {
      case 'deadline': {
        const node = this.store.get(id);
        const rt = this.store.rt(id);
        if (!node || isFulfilled(node.phase) || rt.deadlineMs === undefined) return;
        if (this.nowMs < rt.deadlineMs) {
          ctx.emit({ type: 'WakeAt', key, at: rt.deadlineMs });
          return;
        }
        // Argo turns a pod's template timeout / activeDeadlineSeconds into the pod's
        // activeDeadlineSeconds; Kubernetes then fails the pod with this message.
        this.killNode(ctx, node, 'Pod was active on the node longer than the specified deadline');
        return;
      }
      case 'retry':
        retryTimerFired(ctx, id);
        return;
      case 'resume':
        suspendTimerFired(ctx, id);
        return;
      case 'workflow-deadline':
        this.workflowDeadline(ctx);
        return;
      default:
        this.warnings.push(`unknown timer ${key}`);
    }
  }

  private killNode(ctx: EngineContext, node: NodeStatus, message: string): void {
    if (node.type === 'Pod') {
      ctx.emit({ type: 'KillPod', nodeId: node.id, podName: podName(this.store.workflowName, node.name, node.templateName ?? ''), reason: message });
    }
    this.store.setPhase(node.id, 'Failed', message);
  }

  private workflowDeadline(ctx: EngineContext): void {
    const status = this.workflow.status ?? {};
    if (status.phase !== 'Running') return;
    const ads = Number(this.spec.activeDeadlineSeconds);
    const at = Date.parse(status.startedAt ?? '') + ads * 1000;
    if (Number.isFinite(at) && this.nowMs < at) {
      ctx.emit({ type: 'WakeAt', key: 'workflow-deadline', at });
      return;
    }
    this.spec.shutdown = 'Stop';
    for (const node of this.store.all()) {
      if (isFulfilled(node.phase) || this.runtime[node.id]?.onExitTree) continue;
      if (node.type === 'Pod' || node.type === 'Suspend') this.killNode(ctx, node, 'Step exceeded its deadline');
    }
  }

  private shutdown(ctx: EngineContext, kind: 'Stop' | 'Terminate', message?: string): void {
    if (this.spec.shutdown) return;
    this.spec.shutdown = kind;
    this.workflow.spec.shutdown = kind;
    const text = message ?? `Stopped with strategy '${kind}'`;
    for (const node of this.store.all()) {
      if (isFulfilled(node.phase)) continue;
      if (kind === 'Stop' && this.runtime[node.id]?.onExitTree) continue;
      if (this.runtime[node.id]?.lockWait) this.store.setPhase(node.id, 'Failed', text);
      else if (node.type === 'Pod' || node.type === 'Suspend') this.killNode(ctx, node, text);
      else if (node.type === 'Retry' && this.runtime[node.id]?.retryAt !== undefined) retryTimerFired(ctx, node.id);
    }
    for (const id of this.blockedIds) this.queue.push({ kind: 'wake', id });
    for (const node of this.store.all()) {
      if (isFulfilled(node.phase)) continue;
      if (node.type === 'StepGroup') launchPending(ctx, node);
      else if (node.type === 'TaskGroup') this.dags.launchGroupPending(ctx, this.store.get(node.boundaryID!)!, node);
      else if (node.type === 'DAG') this.dags.advance(ctx, node);
      else if (node.type === 'Steps') advanceSteps(ctx, node);
    }
  }

  private resume(ctx: EngineContext, nodeName: string | undefined): void {
    if (this.spec.suspend) {
      this.spec.suspend = false;
      this.workflow.spec.suspend = false;
    }
    let matched = false;
    for (const node of this.store.all()) {
      if (node.type !== 'Suspend' || node.phase !== 'Running') continue;
      if (nodeName && node.name !== nodeName && node.displayName !== nodeName && node.id !== nodeName) continue;
      matched = true;
      resumeSuspendNode(ctx, node);
    }
    if (nodeName && !matched) this.warnings.push(`no suspended node named ${nodeName}`);
  }
}
