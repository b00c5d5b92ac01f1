/**
 * Ringing a workflow's doorbell (a reconcile job). Postgres holds the truth: when Redis is down
 * the call still succeeds, and the worker's resync finds the workflow or its inbox later.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SlipwayQueues } from '@slipway/queue';
import { QUEUES } from '../deps.js';

const TIMEOUT_MS = 1000;

@Injectable()
export class Doorbell {
  private readonly log = new Logger('doorbell');

  private lastComplaint = 0;

  constructor(@Inject(QUEUES) private readonly queues: SlipwayQueues) {
    // BullMQ prints connection errors of queues nobody listens to; say it once a minute instead.
    for (const queue of [queues.reconcile, queues.pods, queues.timers, queues.maintenance]) {
      queue.on('error', (err: Error) => this.complain(err));
    }
  }

  /** True when the job was queued. */
  async ring(workflowId: string): Promise<boolean> {
    return this.bounded(`reconcile ${workflowId}`, () => this.queues.reconcileWorkflow(workflowId));
  }

  /** Publish on a Redis channel (e.g. a deletion for watchers); best effort. */
  async publish(channel: string, message: unknown): Promise<boolean> {
    return this.bounded(`publish ${channel}`, () => this.queues.connection.publish(channel, JSON.stringify(message)));
  }

  private complain(err: Error): void {
    const now = Date.now();
    if (now - this.lastComplaint < 60_000) return;
    this.lastComplaint = now;
    this.log.warn(`Redis: ${err.message}`);
  }

  private async bounded(what: string, op: () => Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([op().then(() => 'ok' as const), timeout]);
      if (outcome === 'timeout') this.log.warn(`${what}: Redis did not answer in ${TIMEOUT_MS} ms; the resync will pick it up`);
      return outcome === 'ok';
    } catch (err) {
      this.log.warn(`${what}: Redis unavailable (${(err as Error).message}); the resync will pick it up`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
