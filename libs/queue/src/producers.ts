/** Adding jobs. Every add is safe to repeat: deterministic job ids dedupe pods and timers. */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { podJobId, QUEUE_NAMES, timerJobId, type JobPayloads } from './jobs.js';

const KEEP: JobsOptions = { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 24 * 3600 } };

export class SlipwayQueues {
  readonly reconcile: Queue;
  readonly pods: Queue;
  readonly timers: Queue;
  readonly maintenance: Queue;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    const opts = { connection, prefix };
    this.reconcile = new Queue(QUEUE_NAMES.reconcile, opts);
    this.pods = new Queue(QUEUE_NAMES.pods, opts);
    this.timers = new Queue(QUEUE_NAMES.timers, opts);
    this.maintenance = new Queue(QUEUE_NAMES.maintenance, opts);
  }

  /** Ring the workflow's doorbell: its inbox has something (or it should be looked at). */
  async reconcileWorkflow(workflowId: string): Promise<void> {
    const payload: JobPayloads['reconcile'] = { workflowId };
    await this.reconcile.add('reconcile', payload, { removeOnComplete: true, removeOnFail: { age: 3600 }, attempts: 20, backoff: { type: 'exponential', delay: 50 } });
  }

  async runPod(workflowId: string, nodeId: string): Promise<void> {
    const payload: JobPayloads['pod'] = { workflowId, nodeId };
    await this.pods.add('pod', payload, { ...KEEP, jobId: podJobId(workflowId, nodeId), attempts: 3, backoff: { type: 'fixed', delay: 1000 } });
  }

  async fireAt(workflowId: string, key: string, at: number): Promise<void> {
    const payload: JobPayloads['timer'] = { workflowId, key, at };
    await this.timers.add('timer', payload, { ...KEEP, jobId: timerJobId(workflowId, key, at), delay: Math.max(0, at - Date.now()), attempts: 5 });
  }

  async close(): Promise<void> {
    await Promise.all([this.reconcile.close(), this.pods.close(), this.timers.close(), this.maintenance.close()]);
  }
}
