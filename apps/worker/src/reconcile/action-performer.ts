/**
 * Performing the engine's actions after its state was saved. Each has a deterministic identity
 * (pod job id, timer job id, lock holder), so performing one twice does no harm.
 */
import type { Action, LockRequest } from '@slipway/engine';
import type { Locks, PodExecutions, Timers, WorkflowInbox } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';
import type { Redis } from 'ioredis';
import type { ActionSink } from './reconcile-service.js';
import type { UpdatePublisher, WorkflowSummary } from './update-publisher.js';

export interface KillMessage {
  workflowId: string;
  nodeId: string;
  reason: string;
}

export function killChannel(prefix: string): string {
  return `${prefix}:kill`;
}

export function updatesChannel(prefix: string): string {
  return `${prefix}:workflow-updates`;
}

export class ActionPerformer implements ActionSink {
  constructor(
    private readonly deps: {
      pods: PodExecutions;
      timers: Timers;
      locks: Locks;
      inbox: WorkflowInbox;
      queues: SlipwayQueues;
      publisher: Redis;
      prefix: string;
      /** Watchers' "workflow saved" messages (throttled per workflow). */
      updates: UpdatePublisher;
      log: (msg: string) => void;
      /** podGC: delete a finished node's pod where its executor keeps pods (kubernetes). */
      deletePod?: (workflowId: string, nodeId: string, podName: string) => Promise<void>;
      /** The workflow ended: release what its executor keeps for the whole workflow (Kubernetes PVCs). */
      workflowCompleted?: (workflowId: string) => Promise<void>;
    },
  ) {}

  async perform(workflowId: string, actions: Action[], opts: { podsRecorded?: boolean } = {}): Promise<void> {
    const { pods, timers, queues, publisher, prefix } = this.deps;
    // Consecutive StartPods become one addBulk (one Redis round trip), queued before what follows.
    let starts: string[] = [];
    const startQueued = async (): Promise<void> => {
      if (starts.length === 0) return;
      const nodeIds = starts;
      starts = [];
      await this.safely(() => queues.runPods(workflowId, nodeIds));
    };
    for (const action of actions) {
      if (action.type !== 'StartPod') await startQueued();
      switch (action.type) {
        case 'StartPod':
          if (!opts.podsRecorded) await pods.enqueue(workflowId, action.pod);
          starts.push(action.pod.nodeId);
          break;
        case 'KillPod': {
          await pods.cancel(workflowId, action.nodeId);
          const msg: KillMessage = { workflowId, nodeId: action.nodeId, reason: action.reason };
          await this.safely(() => publisher.publish(killChannel(prefix), JSON.stringify(msg)));
          break;
        }
        case 'WakeAt':
          await timers.set(workflowId, action.key, new Date(action.at));
          await this.safely(() => queues.fireAt(workflowId, action.key, action.at));
          break;
        case 'AcquireLock':
          await this.granted(await this.deps.locks.acquire(action.lock, action.holder, workflowId), action.lock);
          break;
        case 'ReleaseLock':
          await this.granted(await this.deps.locks.release(action.key, action.holder), { key: action.key, kind: 'mutex' });
          break;
        case 'DeletePod': {
          const { deletePod } = this.deps;
          // Local pods leave only logs behind (kept); Kubernetes pods are deleted (404 is fine).
          if (deletePod) await this.safely(() => deletePod(workflowId, action.nodeId, action.podName), 'podGC failed');
          break;
        }
        case 'WorkflowCompleted': {
          // TTL deletion is driven by workflows.delete_at.
          const { workflowCompleted } = this.deps;
          if (workflowCompleted) await this.safely(() => workflowCompleted(workflowId), 'releasing the workflow\'s volumes failed');
          break;
        }
      }
    }
    await startQueued();
  }

  async saved(workflowId: string, summary: WorkflowSummary): Promise<void> {
    await this.deps.updates.publish(workflowId, summary);
  }

  private async granted(grants: { holder: string; workflowId: string }[], lock: LockRequest): Promise<void> {
    for (const g of grants) {
      await this.deps.inbox.append(g.workflowId, { type: 'LockGranted', key: lock.key, holder: g.holder });
      await this.safely(() => this.deps.queues.reconcileWorkflow(g.workflowId));
    }
  }

  /** Redis being down must not fail a saved reconcile: the resync re-queues from PostgreSQL. */
  private async safely(fn: () => Promise<unknown>, what = 'queue unavailable, the resync will pick this up'): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.deps.log(`${what}: ${(err as Error).message}`);
    }
  }
}
