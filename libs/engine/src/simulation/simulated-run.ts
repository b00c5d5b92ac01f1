/**
 * Drives the reconciler with a simulated executor and a virtual clock: pods "run" by a behaviour
 * function, timers fire in virtual time. Used by tests and by the reconciler benchmark.
 */
import type { TemplateLibrary, Workflow } from '@slipway/workflow';
import type { PodRequest } from '../contract/actions.js';
import type { EngineEvent, PodResult } from '../contract/events.js';
import { WorkflowReconciler } from '../reconciler.js';
import type { RuntimeMap } from '../state/runtime.js';
import { MinHeap } from './min-heap.js';
import { InMemoryLockManager } from '../locks/in-memory-lock-manager.js';

export interface SimulatedPodResult {
  exitCode?: number;
  stdout?: string;
  /** Output parameter file contents by parameter name (null = missing file). */
  outputs?: Record<string, string | null>;
  /** Virtual run time (ms), default 1000. */
  durationMs?: number;
  phase?: 'Succeeded' | 'Failed' | 'Error';
  message?: string;
}

export type PodBehaviour = (pod: PodRequest, attempt: number) => SimulatedPodResult;

export interface SimulationOptions {
  start?: number;
  /** Resume indefinite suspend nodes this long (ms) after they start. */
  resumeAfterMs?: number;
  /** Reconcile each event on its own (true) or all events due at the same instant together. */
  eventAtATime?: boolean;
  maxEvents?: number;
  /** The engine runtime to continue from (e.g. the one a workflow retry returned). */
  runtime?: RuntimeMap;
}

interface Scheduled {
  at: number;
  seq: number;
  event: EngineEvent;
  cancelled?: boolean;
}

export interface SimulationResult {
  workflow: Workflow;
  reconciler: WorkflowReconciler;
  /** Every pod started, in order. */
  pods: PodRequest[];
  reconciles: number;
  events: number;
  now: number;
}

export function simulate(workflow: Workflow, library: TemplateLibrary, behaviour: PodBehaviour, options: SimulationOptions = {}): SimulationResult {
  const reconciler = new WorkflowReconciler(workflow, library, options.runtime);
  let now = options.start ?? Date.parse(workflow.metadata.creationTimestamp ?? '2026-01-01T00:00:00Z');
  let seq = 0;
  const queue = new MinHeap<Scheduled>();
  const pods: PodRequest[] = [];
  const running = new Map<string, Scheduled>();
  const attempts = new Map<string, number>();
  const schedule = (at: number, event: EngineEvent): Scheduled => {
    const item = { at, seq: seq++, event };
    queue.push(item);
    return item;
  };
  const locks = new InMemoryLockManager();
  let reconciles = 0;
  let events = 0;
  const apply = (batch: EngineEvent[]) => {
    reconciles++;
    const result = reconciler.reconcile(batch, now);
    for (const action of result.actions) {
      switch (action.type) {
        case 'StartPod': {
          const pod = action.pod;
          pods.push(pod);
          const key = pod.templateName;
          const attempt = attempts.get(key) ?? 0;
          attempts.set(key, attempt + 1);
          const r = behaviour(pod, attempt);
          const duration = r.durationMs ?? 1000;
          schedule(now, { type: 'PodStarted', nodeId: pod.nodeId, at: now });
          if (pod.daemon) schedule(now, { type: 'PodReady', nodeId: pod.nodeId, at: now });
          const exitCode = r.exitCode ?? 0;
          const phase = r.phase ?? (exitCode === 0 ? 'Succeeded' : 'Failed');
          const outputParameters: Record<string, string | null> = {};
          for (const p of pod.outputParameterPaths) outputParameters[p.name] = r.outputs?.[p.name] ?? null;
          const finish: PodResult = {
            nodeId: pod.nodeId,
            phase,
            exitCode,
            message: r.message ?? (phase === 'Failed' ? `main: Error (exit code ${exitCode})` : undefined),
            result: pod.captureResult && r.stdout !== undefined ? r.stdout.replace(/\n$/, '') : undefined,
            outputParameters,
            startedAt: now,
            finishedAt: now + duration,
          };
          if (!pod.daemon) running.set(pod.nodeId, schedule(now + duration, { type: 'PodFinished', result: finish }));
          break;
        }
        case 'KillPod': {
          const item = running.get(action.nodeId);
          if (item) {
            item.cancelled = true;
            running.delete(action.nodeId);
          }
          schedule(now, {
            type: 'PodFinished',
            result: { nodeId: action.nodeId, phase: 'Failed', exitCode: 143, message: action.reason, outputParameters: {}, startedAt: now, finishedAt: now },
          });
          break;
        }
        case 'WakeAt':
          schedule(Math.max(now, action.at), { type: 'TimerFired', key: action.key });
          break;
        case 'AcquireLock':
          locks.acquire(action.lock, action.holder, (key, holder) => schedule(now, { type: 'LockGranted', key, holder }));
          break;
        case 'ReleaseLock':
          locks.release(action.key, action.holder);
          break;
        case 'DeletePod':
        case 'WorkflowCompleted':
          break;
      }
    }
    if (options.resumeAfterMs !== undefined) {
      for (const id of result.changedNodeIds) {
        const node = workflow.status?.nodes?.[id];
        const rt = reconciler.runtime[id];
        if (node?.type === 'Suspend' && node.phase === 'Running' && rt?.resumeAt === undefined) {
          schedule(now + options.resumeAfterMs, { type: 'Resume', nodeName: node.name });
        }
      }
    }
  };
  apply([]);
  const max = options.maxEvents ?? 1_000_000;
  while (queue.size > 0 && events < max) {
    const phase = workflow.status?.phase;
    if ((phase === 'Succeeded' || phase === 'Failed' || phase === 'Error') && running.size === 0) break;
    const head = queue.pop()!;
    if (head.cancelled) continue;
    now = Math.max(now, head.at);
    const batch: EngineEvent[] = [head.event];
    if (!options.eventAtATime) {
      while (queue.size > 0 && queue.peek()!.at <= now) {
        const next = queue.pop()!;
        if (!next.cancelled) batch.push(next.event);
      }
    }
    for (const e of batch) if (e.type === 'PodFinished') running.delete(e.result.nodeId);
    events += batch.length;
    apply(batch);
  }
  return { workflow, reconciler, pods, reconciles, events, now };
}
