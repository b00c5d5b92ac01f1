/**
 * Pod executions, one per (workflow, node): a retried or duplicated job adopts the existing row
 * instead of running the pod a second time.
 */
import type { PodRequest, PodResult } from '@slipway/engine';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

export type PodExecutionState = 'Queued' | 'Running' | 'Done' | 'Cancelled';

export interface PodExecutionRow {
  workflowId: string;
  nodeId: string;
  podName: string;
  state: PodExecutionState;
  request: PodRequest;
  result?: PodResult;
  worker?: string;
  attempts: number;
}

export class PodExecutions {
  constructor(private readonly db: PrismaClient) {}

  /** Record the request (idempotent: an existing row is kept as it is). */
  async enqueue(workflowId: string, pod: PodRequest): Promise<void> {
    await this.db.podExecution.upsert({
      where: { workflowId_nodeId: { workflowId, nodeId: pod.nodeId } },
      create: { workflowId, nodeId: pod.nodeId, podName: pod.podName, state: 'Queued', request: pod as unknown as Prisma.InputJsonValue },
      update: {},
    });
  }

  async get(workflowId: string, nodeId: string): Promise<PodExecutionRow | undefined> {
    const row = await this.db.podExecution.findUnique({ where: { workflowId_nodeId: { workflowId, nodeId } } });
    if (!row) return undefined;
    return {
      workflowId: row.workflowId,
      nodeId: row.nodeId,
      podName: row.podName,
      state: row.state as PodExecutionState,
      request: row.request as unknown as PodRequest,
      result: (row.result ?? undefined) as PodResult | undefined,
      worker: row.worker ?? undefined,
      attempts: row.attempts,
    };
  }

  /** Claim the execution for this worker; returns false when it is already Done or Cancelled. */
  async claim(workflowId: string, nodeId: string, worker: string): Promise<boolean> {
    const res = await this.db.podExecution.updateMany({
      where: { workflowId, nodeId, state: { in: ['Queued', 'Running'] } },
      data: { state: 'Running', worker, attempts: { increment: 1 }, startedAt: new Date() },
    });
    return res.count > 0;
  }

  /**
   * Record the result and the PodFinished event for the workflow in one transaction.
   * Returns false when the execution was already finished (the event is not written twice).
   */
  async finish(workflowId: string, result: PodResult): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const res = await tx.podExecution.updateMany({
        where: { workflowId, nodeId: result.nodeId, state: { in: ['Queued', 'Running'] } },
        data: { state: 'Done', result: result as unknown as Prisma.InputJsonValue, finishedAt: new Date() },
      });
      if (res.count === 0) return false;
      await tx.workflowEvent.create({
        data: { workflowId, event: { type: 'PodFinished', result } as unknown as Prisma.InputJsonValue },
      });
      return true;
    });
  }

  /** Mark a queued execution cancelled (a KillPod before it started). */
  async cancel(workflowId: string, nodeId: string): Promise<void> {
    await this.db.podExecution.updateMany({ where: { workflowId, nodeId, state: 'Queued' }, data: { state: 'Cancelled' } });
  }

  /** Executions queued or running (for the resync after a crash). */
  async unfinished(limit = 1000): Promise<{ workflowId: string; nodeId: string; state: string; worker: string | null }[]> {
    return this.db.podExecution.findMany({
      where: { state: { in: ['Queued', 'Running'] } },
      select: { workflowId: true, nodeId: true, state: true, worker: true },
      take: limit,
    });
  }
}
