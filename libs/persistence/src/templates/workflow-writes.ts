/**
 * What the API needs from the workflow tables beyond `WorkflowRepository`:
 * - storing a submission together with its template snapshot (`status.storedTemplates`,
 *   `status.storedWorkflowTemplateSpec`) and the template revision it came from, so a running
 *   workflow never sees later template edits and the worker needs no template lookups;
 * - a retry's rewrite of the whole state in one transaction, bumping the version so that a
 *   worker that loaded the old state fails its save and reloads;
 * - a cheap phase lookup (log follow polls it).
 * (Kept here, next to the template snapshot, because `workflows/` belongs to the worker's side.)
 */
import type { RuntimeMap } from '@slipway/engine';
import type { Workflow } from '@slipway/workflow';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { WorkflowRepository } from '../workflows/workflow-repository.js';
import { manifestOf } from '../workflows/workflow-state.js';

/** Keys of the runtime map that belong to the workflow, not to a node (see WorkflowStateStore). */
const WORKFLOW_RUNTIME_PREFIX = '__';
const TERMINAL = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted']);

export interface RewriteRequest {
  id: string;
  expectedVersion: number;
  workflow: Workflow;
  runtime: RuntimeMap;
  /** Nodes whose status or runtime changed (upserted). */
  changedNodeIds: readonly string[];
  /** Nodes that no longer exist (their rows go). */
  deletedNodeIds: readonly string[];
}

export class WorkflowWrites {
  constructor(private readonly db: PrismaClient) {}

  /** The workflow's phase, or undefined when it does not exist (no node rows read). */
  async phase(id: string): Promise<string | undefined> {
    const row = await this.db.workflow.findUnique({ where: { id }, select: { phase: true } });
    return row?.phase;
  }

  /** Create the workflow row (phase Pending) with the snapshot already in its status. */
  async createSubmitted(workflow: Workflow, opts: { templateRevisionId?: string } = {}): Promise<void> {
    const { nodes: _nodes, ...status } = workflow.status ?? {};
    const hasSnapshot = Object.keys(status).some((k) => k !== 'phase');
    if (!hasSnapshot) {
      await new WorkflowRepository(this.db).create(workflow, opts);
      return;
    }
    await this.db.$transaction(async (tx) => {
      await new WorkflowRepository(tx as unknown as PrismaClient).create(workflow, opts);
      await tx.workflow.update({
        where: { id: workflow.metadata.uid! },
        data: { status: { ...status, phase: 'Pending' } as unknown as Prisma.InputJsonValue },
      });
    });
  }

  /**
   * A retry's new state, if the version is still `expectedVersion`: the workflow row, the changed
   * nodes upserted, the deleted nodes removed. Pod executions of deleted and reset nodes and all
   * timers are dropped, so the worker starts those pods afresh (same deterministic ids) instead of
   * adopting the old results. Returns false on a version conflict.
   */
  async rewriteState(req: RewriteRequest): Promise<boolean> {
    const { id, workflow, runtime } = req;
    const { nodes = {}, ...status } = workflow.status ?? {};
    const wfRuntime: RuntimeMap = {};
    for (const [k, v] of Object.entries(runtime)) if (k.startsWith(WORKFLOW_RUNTIME_PREFIX)) wfRuntime[k] = v;
    const ids = req.changedNodeIds.filter((nid) => nodes[nid] !== undefined);
    const rerun = ids.filter((nid) => !TERMINAL.has(nodes[nid].phase));
    return this.db.$transaction(async (tx) => {
      const updated = await tx.workflow.updateMany({
        where: { id, version: req.expectedVersion },
        data: {
          phase: status.phase ?? 'Pending',
          message: status.message ?? null,
          status: status as unknown as Prisma.InputJsonValue,
          runtime: wfRuntime as unknown as Prisma.InputJsonValue,
          labels: workflow.metadata.labels ?? {},
          annotations: workflow.metadata.annotations ?? {},
          manifest: manifestOf(workflow) as unknown as Prisma.InputJsonValue,
          startedAt: status.startedAt ? new Date(status.startedAt) : null,
          finishedAt: status.finishedAt ? new Date(status.finishedAt) : null,
          deleteAt: null,
          version: { increment: 1 },
        },
      });
      if (updated.count === 0) return false;
      if (req.deletedNodeIds.length > 0) await tx.node.deleteMany({ where: { workflowId: id, nodeId: { in: [...req.deletedNodeIds] } } });
      // The worker only reconciles a started workflow when its inbox has something: ask it to look.
      await tx.workflowEvent.create({ data: { workflowId: id, event: { type: 'Wake' } } });
      if (ids.length > 0) {
        const statuses = ids.map((nid) => JSON.stringify(nodes[nid]));
        const runtimes = ids.map((nid) => JSON.stringify(runtime[nid] ?? {}));
        await tx.$executeRaw`
          INSERT INTO nodes (workflow_id, node_id, name, phase, status, runtime, updated_at)
          SELECT ${id}::uuid, t.node_id, t.name, t.phase, t.status::jsonb, t.runtime::jsonb, now()
          FROM unnest(${ids}::text[], ${ids.map((nid) => nodes[nid].name)}::text[], ${ids.map((nid) => nodes[nid].phase)}::text[],
                      ${statuses}::text[], ${runtimes}::text[])
            AS t(node_id, name, phase, status, runtime)
          ON CONFLICT (workflow_id, node_id) DO UPDATE
            SET name = EXCLUDED.name, phase = EXCLUDED.phase, status = EXCLUDED.status,
                runtime = EXCLUDED.runtime, updated_at = now()`;
      }
      const stale = [...req.deletedNodeIds, ...rerun];
      if (stale.length > 0) await tx.podExecution.deleteMany({ where: { workflowId: id, nodeId: { in: stale } } });
      await tx.timer.deleteMany({ where: { workflowId: id } });
      return true;
    });
  }
}
