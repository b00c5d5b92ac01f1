/** Adding jobs. Every add is safe to repeat: deterministic job ids dedupe pods and timers. */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { podJobId, QUEUE_NAMES, timerJobId, type JobPayloads } from './jobs.js';

const KEEP: JobsOptions = { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 24 * 3600 } };
/**
 * Pod jobs dedupe only while waiting or active; once done they are removed, so a node that a retry
 * resets can be queued again under the same id. A late duplicate finds the execution Done and adopts it.
 */
const POD: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: 'fixed', delay: 1000 } };

export class SlipwayQueues {
  readonly reconcile: Queue;
  readonly pods: Queue;
  readonly timers: Queue;
  readonly maintenance: Queue;
  readonly deliveries: Queue;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    const opts = { connection, prefix };
    this.reconcile = new Queue(QUEUE_NAMES.reconcile, opts);
    this.pods = new Queue(QUEUE_NAMES.pods, opts);
    this.timers = new Queue(QUEUE_NAMES.timers, opts);
    this.maintenance = new Queue(QUEUE_NAMES.maintenance, opts);
    this.deliveries = new Queue(QUEUE_NAMES.deliveries, opts);
  }

  /** Ring the workflow's doorbell: its inbox has something (or it should be looked at). */
  async reconcileWorkflow(workflowId: string): Promise<void> {
    const payload: JobPayloads['reconcile'] = { workflowId };
    await this.reconcile.add('reconcile', payload, { removeOnComplete: true, removeOnFail: { age: 3600 }, attempts: 20, backoff: { type: 'exponential', delay: 50 } });
  }

  async runPod(workflowId: string, nodeId: string): Promise<void> {
    const payload: JobPayloads['pod'] = { workflowId, nodeId };
    await this.pods.add('pod', payload, { ...POD, jobId: podJobId(workflowId, nodeId) });
  }

  /** Several pods of one workflow in one round trip (same ids and options as runPod). */
  async runPods(workflowId: string, nodeIds: readonly string[]): Promise<void> {
    if (nodeIds.length === 1) return this.runPod(workflowId, nodeIds[0]);
    await this.pods.addBulk(
      nodeIds.map((nodeId) => ({
        name: 'pod',
        data: { workflowId, nodeId } satisfies JobPayloads['pod'],
        opts: { ...POD, jobId: podJobId(workflowId, nodeId) },
      })),
    );
  }

  async fireAt(workflowId: string, key: string, at: number): Promise<void> {
    const payload: JobPayloads['timer'] = { workflowId, key, at };
    await this.timers.add('timer', payload, { ...KEEP, jobId: timerJobId(workflowId, key, at), delay: Math.max(0, at - Date.now()), attempts: 5 });
  }

  /**
   * Queue a stored webhook delivery. Not deduplicated by job id (the sweeper re-queues a lost
   * one); the worker's claim makes a second job for the same delivery a no-op.
   */
  async queueDelivery(deliveryId: string): Promise<void> {
    await this.queueDeliveries([deliveryId]);
  }

  /** Several deliveries in one Redis round trip (the webhook intake groups what arrives together). */
  async queueDeliveries(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    const opts = { removeOnComplete: true, removeOnFail: { age: 24 * 3600 }, attempts: 5, backoff: { type: 'exponential', delay: 500 } };
    if (deliveryIds.length === 1) {
      const payload: JobPayloads['delivery'] = { deliveryId: deliveryIds[0] };
      await this.deliveries.add('delivery', payload, opts);
      return;
    }
    await this.deliveries.addBulk(deliveryIds.map((deliveryId) => ({ name: 'delivery' as const, data: { deliveryId } satisfies JobPayloads['delivery'], opts })));
  }

  async close(): Promise<void> {
    await Promise.all([this.reconcile.close(), this.pods.close(), this.timers.close(), this.maintenance.close(), this.deliveries.close()]);
  }
}
