/**
 * Loading and saving a workflow's engine state: the workflow row plus one row per node, written
 * in one transaction with an optimistic version check. Consumed inbox events are deleted in the
 * same transaction, so an event is applied exactly once.
 */
import type { EngineEvent, PodRequest, RuntimeMap } from '@slipway/engine';
import type { NodeStatus, Workflow, WorkflowStatus } from '@slipway/workflow';
import type { NewAlert } from '../alerts/alert-outbox.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { runPrepared, sql } from '../sql-pool.js';
import type { InboxEvent } from './workflow-inbox.js';

export interface LoadedState {
  workflow: Workflow;
  runtime: RuntimeMap;
  version: number;
}

export interface SaveRequest {
  id: string;
  expectedVersion: number;
  workflow: Workflow;
  runtime: RuntimeMap;
  changedNodeIds: readonly string[];
  consumedEventIds: readonly bigint[];
  /** Actions to keep in the outbox until they are performed. */
  actions?: readonly unknown[];
  /** When ttlStrategy deletes the finished workflow. */
  deleteAt?: Date;
  /**
   * Whether metadata or spec may have changed (default true). False skips rewriting the stored
   * manifest, whose size grows with the workflow (a 10,000-task DAG is ~600 KB).
   */
  manifestChanged?: boolean;
  /** Pod executions to record (Queued; an existing row is kept), in the same statement as the state. */
  pods?: readonly PodRequest[];
  /**
   * Of `pods`, those this worker runs itself without a queue job (ADR 0008): recorded Running
   * for `worker` (attempt 1) instead of Queued. Only the rows this save inserted are claimed
   * (`SaveResult.claimed`); an existing row is kept as it is.
   */
  claim?: { worker: string; nodeIds: readonly string[] };
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit = off` for this statement
   * only). For reconciles: their input stays in the inbox until a save consumes it, so a save
   * lost with a PostgreSQL crash is simply made again, and the next synchronous commit (a pod
   * claim, a submission) makes it durable anyway.
   */
  asyncCommit?: boolean;
  /**
   * The failure alert of a workflow this save finishes Failed or Error: written in the same
   * statement (the `alerts` outbox row commits exactly when the failed state does; an existing
   * alert of its kind is kept).
   */
  alert?: NewAlert;
}

/** What a successful save wrote besides the state. */
export interface SaveResult {
  /** The outbox ids of the actions (to delete once performed). */
  actionIds: bigint[];
  /** The node ids of `SaveRequest.claim` whose executions this save recorded Running for the worker. */
  claimed: string[];
}

/** The state version and the pending inbox events, read together. */
export interface WorkflowHead {
  version: number;
  events: InboxEvent[];
}

/** The columns a state is assembled from. */
interface StateRow {
  version: number;
  manifest: unknown;
  status: unknown;
  runtime: unknown;
  labels: unknown;
  annotations: unknown;
}

/** Keys of `runtime` that do not belong to a node (e.g. `__workflow__`). */
const WORKFLOW_RUNTIME_PREFIX = '__';

export class WorkflowStateStore {
  constructor(private readonly db: PrismaClient) {}

  /** The current state version, or undefined when the workflow does not exist. */
  async version(id: string): Promise<number | undefined> {
    const row = await this.db.workflow.findUnique({ where: { id }, select: { version: true } });
    return row?.version;
  }

  /** The version and the pending inbox (oldest first) in one round trip; undefined when the workflow does not exist. */
  async head(id: string): Promise<WorkflowHead | undefined> {
    const rows = await runPrepared<{ version: number; id: string | null; event: unknown }>(this.db, 'slipway_workflow_head', sql`
      SELECT w.version, e.id, e.event
      FROM workflows w LEFT JOIN workflow_events e ON e.workflow_id = w.id
      WHERE w.id = ${id}::uuid
      ORDER BY e.id`);
    if (rows.length === 0) return undefined;
    const events: InboxEvent[] = [];
    for (const r of rows) if (r.id !== null) events.push({ id: BigInt(r.id), event: r.event as EngineEvent });
    return { version: rows[0].version, events };
  }

  async load(id: string): Promise<LoadedState | undefined> {
    const row = await this.db.workflow.findUnique({ where: { id } });
    if (!row) return undefined;
    return this.assemble(id, row);
  }

  /**
   * `load` and `head` together: the workflow row with its pending inbox in one round trip (plus
   * the node rows when there are any). For a workflow this process has not seen yet.
   */
  async loadWithInbox(id: string): Promise<(LoadedState & WorkflowHead) | undefined> {
    const rows = await this.db.$queryRaw<(StateRow & { inbox: { id: string; event: EngineEvent }[] })[]>`
      SELECT w.version, w.manifest, w.status, w.runtime, w.labels, w.annotations,
        (SELECT coalesce(json_agg(json_build_object('id', e.id::text, 'event', e.event) ORDER BY e.id), '[]'::json)
         FROM workflow_events e WHERE e.workflow_id = w.id) AS inbox
      FROM workflows w WHERE w.id = ${id}::uuid`;
    if (rows.length === 0) return undefined;
    const state = await this.assemble(id, rows[0]);
    return { ...state, events: rows[0].inbox.map((e) => ({ id: BigInt(e.id), event: e.event })) };
  }

  private async assemble(id: string, row: StateRow): Promise<LoadedState> {
    // Node rows are only written by saves and retries, which bump the version: none at version 0.
    const nodes = row.version === 0 ? [] : await this.db.node.findMany({ where: { workflowId: id }, select: { nodeId: true, status: true, runtime: true } });
    const manifest = row.manifest as Workflow;
    const status = { ...(row.status as WorkflowStatus) };
    const runtime = { ...(row.runtime as RuntimeMap) };
    const byId: Record<string, NodeStatus> = {};
    for (const n of nodes) {
      byId[n.nodeId] = n.status as unknown as NodeStatus;
      const rt = n.runtime as unknown as RuntimeMap[string] | null;
      if (rt && Object.keys(rt).length > 0) runtime[n.nodeId] = rt;
    }
    if (nodes.length > 0) status.nodes = byId;
    const workflow: Workflow = {
      ...manifest,
      metadata: { ...manifest.metadata, labels: row.labels as Record<string, string>, annotations: row.annotations as Record<string, string> },
      status,
    };
    return { workflow, runtime, version: row.version };
  }

  /**
   * Write the new state if nobody else did since it was loaded, with its actions in the outbox.
   * Returns the outbox ids (to delete once performed) and the claimed pods, or undefined on a
   * version conflict.
   * One statement (data-modifying CTEs, atomic like a transaction, one round trip): the
   * version-checked workflow row, the changed node rows, the consumed inbox events, the pod
   * executions to record and the outbox rows; all but the first only when the first matched.
   */
  async save(req: SaveRequest): Promise<SaveResult | undefined> {
    const { workflow, runtime } = req;
    const { nodes = {}, ...status } = workflow.status ?? {};
    const wfRuntime: RuntimeMap = {};
    for (const k in runtime) if (k.startsWith(WORKFLOW_RUNTIME_PREFIX)) wfRuntime[k] = runtime[k];
    const manifest = req.manifestChanged === false ? null : JSON.stringify(manifestOf(workflow));
    const nodeIds: string[] = [];
    const names: string[] = [];
    const phases: string[] = [];
    const statuses: string[] = [];
    const runtimes: string[] = [];
    for (const id of req.changedNodeIds) {
      const node = nodes[id];
      if (!node) continue;
      nodeIds.push(id);
      names.push(node.name);
      phases.push(node.phase);
      statuses.push(JSON.stringify(node));
      runtimes.push(JSON.stringify(runtime[id] ?? {}));
    }
    const pods = req.pods ?? [];
    const claimWorker = req.claim?.worker ?? null;
    const claimIds = [...(req.claim?.nodeIds ?? [])];
    const actions = (req.actions ?? []).map((a) => JSON.stringify(a));
    const { alert } = req;
    if (alert && alert.workflowId !== req.id) throw new Error(`save ${req.id}: the alert belongs to workflow ${alert.workflowId}`);
    const rows = await runPrepared<{ updated: number; ids: string[]; claimed: string[] }>(this.db, 'slipway_workflow_save', sql`
      WITH upd AS (
        UPDATE workflows SET
          phase = ${status.phase ?? 'Pending'},
          message = ${status.message ?? null}::text,
          status = ${JSON.stringify(status)}::jsonb,
          runtime = ${JSON.stringify(wfRuntime)}::jsonb,
          labels = ${JSON.stringify(workflow.metadata.labels ?? {})}::jsonb,
          annotations = ${JSON.stringify(workflow.metadata.annotations ?? {})}::jsonb,
          manifest = COALESCE(${manifest}::jsonb, manifest),
          started_at = ${status.startedAt ? new Date(status.startedAt) : null}::timestamptz,
          finished_at = ${status.finishedAt ? new Date(status.finishedAt) : null}::timestamptz,
          delete_at = COALESCE(${req.deleteAt ?? null}::timestamptz, delete_at),
          version = version + 1
        WHERE id = ${req.id}::uuid AND version = ${req.expectedVersion}
        RETURNING id
      ), node_rows AS (
        INSERT INTO nodes (workflow_id, node_id, name, phase, status, runtime, updated_at)
        SELECT ${req.id}::uuid, t.node_id, t.name, t.phase, t.status::jsonb, t.runtime::jsonb, now()
        FROM unnest(${nodeIds}::text[], ${names}::text[], ${phases}::text[], ${statuses}::text[], ${runtimes}::text[])
          AS t(node_id, name, phase, status, runtime)
        WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (workflow_id, node_id) DO UPDATE
          SET name = EXCLUDED.name, phase = EXCLUDED.phase, status = EXCLUDED.status,
              runtime = EXCLUDED.runtime, updated_at = now()
      ), consumed AS (
        DELETE FROM workflow_events
        WHERE id = ANY(${req.consumedEventIds.map(String)}::bigint[]) AND EXISTS (SELECT 1 FROM upd)
      ), pod_rows AS (
        INSERT INTO pod_executions (workflow_id, node_id, pod_name, state, request, worker, attempts, started_at)
        SELECT ${req.id}::uuid, t.node_id, t.pod_name, CASE WHEN c.mine THEN 'Running' ELSE 'Queued' END, t.request::jsonb,
          CASE WHEN c.mine THEN ${claimWorker}::text END, CASE WHEN c.mine THEN 1 ELSE 0 END, CASE WHEN c.mine THEN now() END
        FROM unnest(${pods.map((p) => p.nodeId)}::text[], ${pods.map((p) => p.podName)}::text[], ${pods.map((p) => JSON.stringify(p))}::text[])
          AS t(node_id, pod_name, request)
          CROSS JOIN LATERAL (SELECT t.node_id = ANY(${claimIds}::text[]) AS mine) c
        WHERE EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (workflow_id, node_id) DO NOTHING
        RETURNING node_id, state
      ), alert_row AS (
        INSERT INTO alerts (workflow_id, namespace, workflow_name, kind, recipients, subject, body_text, body_html, message_id)
        SELECT ${req.id}::uuid, ${alert?.namespace ?? ''}, ${alert?.workflowName ?? ''}, ${alert?.kind ?? 'failure'}, ${[...(alert?.recipients ?? [])]}::text[],
               ${alert?.subject ?? ''}, ${alert?.bodyText ?? ''}, ${alert?.bodyHtml ?? ''}, ${alert?.messageId ?? ''}
        WHERE ${alert !== undefined}::boolean AND EXISTS (SELECT 1 FROM upd)
        ON CONFLICT (workflow_id, kind) DO NOTHING
      ), outbox AS (
        INSERT INTO workflow_actions (workflow_id, action)
        SELECT ${req.id}::uuid, t.a::jsonb FROM unnest(${actions}::text[]) WITH ORDINALITY AS t(a, i)
        WHERE EXISTS (SELECT 1 FROM upd)
        ORDER BY t.i
        RETURNING id
      )
      SELECT (SELECT count(*) FROM upd)::int AS updated, ARRAY(SELECT id FROM outbox ORDER BY id) AS ids,
        ARRAY(SELECT node_id FROM pod_rows WHERE state = 'Running') AS claimed,
        CASE WHEN ${req.asyncCommit === true}::boolean THEN set_config('synchronous_commit', 'off', true) END AS commit_mode`);
    if (rows[0].updated === 0) return undefined;
    return { actionIds: rows[0].ids.map((id) => BigInt(id)), claimed: rows[0].claimed };
  }

  /** Performed actions leave the outbox. */
  async actionsDone(ids: readonly bigint[]): Promise<void> {
    if (ids.length > 0) await this.db.workflowAction.deleteMany({ where: { id: { in: [...ids] } } });
  }

  /** Actions still in the outbox after `olderThan` (their performer crashed), oldest first. */
  async strandedActions(olderThan: Date, limit = 1000): Promise<{ id: bigint; workflowId: string; action: unknown }[]> {
    return this.db.workflowAction.findMany({ where: { createdAt: { lte: olderThan } }, orderBy: { id: 'asc' }, take: limit });
  }
}

/** The Workflow object as stored in `manifest`: metadata and spec, no status. */
export function manifestOf(workflow: Workflow): Omit<Workflow, 'status'> {
  const { status: _status, ...rest } = workflow;
  return rest;
}
