/**
 * Loading and saving a workflow's engine state: the workflow row plus one row per node, written
 * in one transaction with an optimistic version check. Consumed inbox events are deleted in the
 * same transaction, so an event is applied exactly once.
 */
import type { RuntimeMap } from '@slipway/engine';
import type { NodeStatus, Workflow, WorkflowStatus } from '@slipway/workflow';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

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

  async load(id: string): Promise<LoadedState | undefined> {
    const row = await this.db.workflow.findUnique({ where: { id } });
    if (!row) return undefined;
    const nodes = await this.db.node.findMany({ where: { workflowId: id }, select: { nodeId: true, status: true, runtime: true } });
    const manifest = row.manifest as unknown as Workflow;
    const status = { ...(row.status as unknown as WorkflowStatus) };
    const runtime = { ...(row.runtime as unknown as RuntimeMap) };
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
   * Returns the outbox ids (to delete once performed), or undefined on a version conflict.
   */
  async save(req: SaveRequest): Promise<bigint[] | undefined> {
    const { workflow, runtime } = req;
    const { nodes = {}, ...status } = workflow.status ?? {};
    const wfRuntime: RuntimeMap = {};
    for (const [k, v] of Object.entries(runtime)) if (k.startsWith(WORKFLOW_RUNTIME_PREFIX)) wfRuntime[k] = v;
    const manifest = manifestOf(workflow);
    const ids = [...req.changedNodeIds];
    return this.db.$transaction(async (tx) => {
      const updated = await tx.workflow.updateMany({
        where: { id: req.id, version: req.expectedVersion },
        data: {
          phase: status.phase ?? 'Pending',
          message: status.message ?? null,
          status: status as unknown as Prisma.InputJsonValue,
          runtime: wfRuntime as unknown as Prisma.InputJsonValue,
          labels: (workflow.metadata.labels ?? {}),
          annotations: (workflow.metadata.annotations ?? {}),
          manifest: manifest as unknown as Prisma.InputJsonValue,
          startedAt: status.startedAt ? new Date(status.startedAt) : null,
          finishedAt: status.finishedAt ? new Date(status.finishedAt) : null,
          deleteAt: req.deleteAt ?? undefined,
          version: { increment: 1 },
        },
      });
      if (updated.count === 0) return undefined;
      if (ids.length > 0) {
        const nodeIds: string[] = [];
        const names: string[] = [];
        const phases: string[] = [];
        const statuses: string[] = [];
        const runtimes: string[] = [];
        for (const id of ids) {
          const node = nodes[id];
          if (!node) continue;
          nodeIds.push(id);
          names.push(node.name);
          phases.push(node.phase);
          statuses.push(JSON.stringify(node));
          runtimes.push(JSON.stringify(runtime[id] ?? {}));
        }
        await tx.$executeRaw`
          INSERT INTO nodes (workflow_id, node_id, name, phase, status, runtime, updated_at)
          SELECT ${req.id}::uuid, t.node_id, t.name, t.phase, t.status::jsonb, t.runtime::jsonb, now()
          FROM unnest(${nodeIds}::text[], ${names}::text[], ${phases}::text[], ${statuses}::text[], ${runtimes}::text[])
            AS t(node_id, name, phase, status, runtime)
          ON CONFLICT (workflow_id, node_id) DO UPDATE
            SET name = EXCLUDED.name, phase = EXCLUDED.phase, status = EXCLUDED.status,
                runtime = EXCLUDED.runtime, updated_at = now()`;
      }
      if (req.consumedEventIds.length > 0) {
        await tx.workflowEvent.deleteMany({ where: { id: { in: [...req.consumedEventIds] } } });
      }
      const actions = (req.actions ?? []).map((a) => JSON.stringify(a));
      if (actions.length === 0) return [];
      const rows = await tx.$queryRaw<{ id: bigint }[]>`
        INSERT INTO workflow_actions (workflow_id, action)
        SELECT ${req.id}::uuid, a::jsonb FROM unnest(${actions}::text[]) AS a
        RETURNING id`;
      return rows.map((r) => r.id);
    });
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
