/**
 * Pod executions, one per (workflow, node): a retried or duplicated job adopts the existing row
 * instead of running the pod a second time.
 */
import type { EngineEvent, PodRequest, PodResult } from '@slipway/engine';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { runPrepared, sql } from '../sql-pool.js';
import type { WorkflowHead } from '../workflows/workflow-state.js';

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

  /** The request of any one execution of the workflow (what its pods share: namespace, executor, claims). */
  async anyRequest(workflowId: string): Promise<PodRequest | undefined> {
    const row = await this.db.podExecution.findFirst({ where: { workflowId }, select: { request: true } });
    return row ? (row.request as unknown as PodRequest) : undefined;
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
   * Claim the execution for this worker and return its request in one round trip; undefined when
   * it is missing, Done or Cancelled (then `get` tells which).
   *
   * Commits without waiting for the WAL flush (`synchronous_commit = off`, this statement only):
   * the claim only marks the row Running (a Running row can be claimed again, the queue's job
   * lock is what keeps one runner at a time), so a claim lost with a PostgreSQL crash leaves a
   * Queued row whose result `finish` still records — synchronously, which also flushes the claim.
   */
  async claimRequest(workflowId: string, nodeId: string, worker: string): Promise<PodRequest | undefined> {
    const rows = await runPrepared<{ request: unknown }>(this.db, 'slipway_pod_claim', sql`
      UPDATE pod_executions
      SET state = 'Running', worker = ${worker}, attempts = attempts + 1, started_at = ${new Date()}::timestamptz
      WHERE workflow_id = ${workflowId}::uuid AND node_id = ${nodeId} AND state IN ('Queued', 'Running')
      RETURNING request, set_config('synchronous_commit', 'off', true) AS commit_mode`);
    return rows.length > 0 ? (rows[0].request as PodRequest) : undefined;
  }

  /**
   * Record the result and the PodFinished event for the workflow atomically (one statement),
   * after `before` (e.g. a PodStarted not yet written). Returns false when the execution was
   * already finished (no event is written twice).
   */
  async finish(workflowId: string, result: PodResult, before: readonly EngineEvent[] = []): Promise<boolean> {
    const events = [...before, { type: 'PodFinished', result } as EngineEvent].map((e) => JSON.stringify(e));
    const rows = await runPrepared<{ done: number }>(this.db, 'slipway_pod_finish', sql`
      WITH done AS (
        UPDATE pod_executions SET state = 'Done', result = ${JSON.stringify(result)}::jsonb, finished_at = ${new Date()}::timestamptz
        WHERE workflow_id = ${workflowId}::uuid AND node_id = ${result.nodeId} AND state IN ('Queued', 'Running')
        RETURNING 1
      ), inbox AS (
        INSERT INTO workflow_events (workflow_id, event)
        SELECT ${workflowId}::uuid, t.e::jsonb FROM unnest(${events}::text[]) WITH ORDINALITY AS t(e, i)
        WHERE EXISTS (SELECT 1 FROM done)
        ORDER BY t.i
      )
      SELECT (SELECT count(*) FROM done)::int AS done`);
    return rows[0].done > 0;
  }

  /**
   * `finish`, and in the same statement the workflow's head (state version and pending inbox,
   * the events just written included) as of that moment, so the reconcile that follows can skip
   * its own read when its cached state still has that version. `head` is undefined when the
   * execution was already finished (nothing written) or the workflow is gone.
   */
  async finishWithHead(workflowId: string, result: PodResult, before: readonly EngineEvent[] = []): Promise<{ done: boolean; head?: WorkflowHead }> {
    const events = [...before, { type: 'PodFinished', result } as EngineEvent].map((e) => JSON.stringify(e));
    // The subqueries of the final SELECT see the snapshot from before this statement, so the
    // inbox rows written here are added from the CTE's RETURNING.
    const rows = await runPrepared<{ done: number; version: number | null; inbox: { id: string; event: EngineEvent }[] | null }>(this.db, 'slipway_pod_finish_with_head', sql`
      WITH done AS (
        UPDATE pod_executions SET state = 'Done', result = ${JSON.stringify(result)}::jsonb, finished_at = ${new Date()}::timestamptz
        WHERE workflow_id = ${workflowId}::uuid AND node_id = ${result.nodeId} AND state IN ('Queued', 'Running')
        RETURNING 1
      ), inbox AS (
        INSERT INTO workflow_events (workflow_id, event)
        SELECT ${workflowId}::uuid, t.e::jsonb FROM unnest(${events}::text[]) WITH ORDINALITY AS t(e, i)
        WHERE EXISTS (SELECT 1 FROM done)
        ORDER BY t.i
        RETURNING id, event
      )
      SELECT (SELECT count(*) FROM done)::int AS done,
        (SELECT w.version FROM workflows w WHERE w.id = ${workflowId}::uuid) AS version,
        (SELECT json_agg(json_build_object('id', p.id::text, 'event', p.event) ORDER BY p.id)
         FROM (SELECT e.id, e.event FROM workflow_events e WHERE e.workflow_id = ${workflowId}::uuid
               UNION ALL SELECT i.id, i.event FROM inbox i) p) AS inbox`);
    const row = rows[0];
    if (row.done === 0 || row.version === null) return { done: row.done > 0 };
    return { done: true, head: { version: row.version, events: (row.inbox ?? []).map((e) => ({ id: BigInt(e.id), event: e.event })) } };
  }

  /**
   * `finishWithHead` for several results at once (of one or several workflows), in one statement
   * and one commit: the results and their events, and per workflow its head as of that moment
   * (the events written here included). The answers are in the order of `items`; `head` is
   * undefined for a result that was already stored (nothing written) or a workflow that is gone.
   */
  async finishManyWithHead(items: readonly { workflowId: string; result: PodResult; before?: readonly EngineEvent[] }[]): Promise<{ done: boolean; head?: WorkflowHead }[]> {
    if (items.length === 1) return [await this.finishWithHead(items[0].workflowId, items[0].result, items[0].before)];
    const events = items.map((it) => JSON.stringify([...(it.before ?? []), { type: 'PodFinished', result: it.result }]));
    const rows = await runPrepared<{ done: { w: string; n: string }[] | null; heads: { w: string; version: number; inbox: { id: string; event: EngineEvent }[] | null }[] | null }>(this.db, 'slipway_pod_finish_many_with_head', sql`
      WITH input AS (
        SELECT t.workflow_id, t.node_id, t.result, t.events, t.ord
        FROM unnest(${items.map((it) => it.workflowId)}::uuid[], ${items.map((it) => it.result.nodeId)}::text[], ${items.map((it) => JSON.stringify(it.result))}::text[], ${events}::text[])
          WITH ORDINALITY AS t(workflow_id, node_id, result, events, ord)
      ), done AS (
        UPDATE pod_executions p SET state = 'Done', result = i.result::jsonb, finished_at = ${new Date()}::timestamptz
        FROM input i
        WHERE p.workflow_id = i.workflow_id AND p.node_id = i.node_id AND p.state IN ('Queued', 'Running')
        RETURNING p.workflow_id, p.node_id
      ), inbox AS (
        INSERT INTO workflow_events (workflow_id, event)
        SELECT i.workflow_id, e.value
        FROM input i JOIN done d ON d.workflow_id = i.workflow_id AND d.node_id = i.node_id
          CROSS JOIN LATERAL jsonb_array_elements(i.events::jsonb) WITH ORDINALITY AS e(value, k)
        ORDER BY i.ord, e.k
        RETURNING id, workflow_id, event
      )
      SELECT (SELECT json_agg(json_build_object('w', d.workflow_id::text, 'n', d.node_id)) FROM done d) AS done,
        (SELECT json_agg(json_build_object('w', w.id::text, 'version', w.version, 'inbox',
           (SELECT json_agg(json_build_object('id', p.id::text, 'event', p.event) ORDER BY p.id)
            FROM (SELECT e.id, e.event FROM workflow_events e WHERE e.workflow_id = w.id
                  UNION ALL SELECT x.id, x.event FROM inbox x WHERE x.workflow_id = w.id) p)))
         FROM workflows w WHERE w.id IN (SELECT d.workflow_id FROM done d)) AS heads`);
    const done = new Set((rows[0].done ?? []).map((d) => `${d.w}/${d.n}`));
    const heads = new Map((rows[0].heads ?? []).map((h) => [h.w, { version: h.version, events: (h.inbox ?? []).map((e) => ({ id: BigInt(e.id), event: e.event })) }]));
    return items.map((it) => {
      if (!done.has(`${it.workflowId}/${it.result.nodeId}`)) return { done: false };
      const head = heads.get(it.workflowId);
      return head ? { done: true, head } : { done: true };
    });
  }

  /** Mark a queued execution cancelled (a KillPod before it started). */
  async cancel(workflowId: string, nodeId: string): Promise<void> {
    await this.db.podExecution.updateMany({ where: { workflowId, nodeId, state: 'Queued' }, data: { state: 'Cancelled' } });
  }

  /**
   * A pod this worker claimed for itself (in the save, ADR 0008) and will not run after all (a
   * kill before it started): Cancelled, like a Queued execution killed before its job ran.
   */
  async cancelClaimed(workflowId: string, nodeId: string, worker: string): Promise<void> {
    await this.db.podExecution.updateMany({ where: { workflowId, nodeId, state: 'Running', worker }, data: { state: 'Cancelled' } });
  }

  /**
   * Pods this worker claimed for itself (ADR 0008) and hands to the queue before starting them:
   * Queued again, as if never claimed (the claim's attempt is taken back).
   */
  async unclaim(workflowId: string, nodeIds: readonly string[], worker: string): Promise<void> {
    await runPrepared(this.db, 'slipway_pod_unclaim', sql`
      UPDATE pod_executions SET state = 'Queued', worker = NULL, attempts = greatest(attempts - 1, 0), started_at = NULL
      WHERE workflow_id = ${workflowId}::uuid AND node_id = ANY(${[...nodeIds]}::text[]) AND state = 'Running' AND worker = ${worker}`);
  }

  /**
   * Executions queued or running that may need a job (for the resync after a crash): not those
   * Running for another worker whose lease is live (ADR 0008) — that worker runs them, possibly
   * without a queue job. `self`'s own Running executions are included (the caller knows which
   * of them it still runs).
   */
  async unfinished(opts: { limit?: number; self?: string } = {}): Promise<{ workflowId: string; nodeId: string; state: string; worker: string | null }[]> {
    return this.db.$queryRaw<{ workflowId: string; nodeId: string; state: string; worker: string | null }[]>`
      SELECT p.workflow_id::text AS "workflowId", p.node_id AS "nodeId", p.state, p.worker
      FROM pod_executions p
      WHERE p.state IN ('Queued', 'Running')
        AND NOT (p.state = 'Running' AND p.worker IS DISTINCT FROM ${opts.self ?? null}::text
                 AND EXISTS (SELECT 1 FROM worker_leases l WHERE l.worker = p.worker AND l.expires_at > now()))
      LIMIT ${opts.limit ?? 1000}`;
  }
}
