/** Workflow rows for the API: create, find, list (label selector, phase, pagination), delete. */
import type { Workflow } from '@slipway/workflow';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../prisma-errors.js';
import { manifestOf, WorkflowStateStore } from './workflow-state.js';

export class WorkflowExistsError extends Error {}

export interface ListOptions {
  namespace?: string;
  phases?: string[];
  /** Kubernetes-style: `a=b,c!=d,e` (exists), `!f` (not exists). */
  labelSelector?: string;
  limit?: number;
  /** Opaque continue token from a previous page. */
  continueToken?: string;
}

export interface WorkflowSummaryRow {
  id: string;
  namespace: string;
  name: string;
  phase: string;
  createdAt: Date;
}

export class WorkflowRepository {
  private readonly state: WorkflowStateStore;

  constructor(private readonly db: PrismaClient) {
    this.state = new WorkflowStateStore(db);
  }

  /** Store a new workflow (phase Pending). The uid is `metadata.uid`. */
  async create(workflow: Workflow, opts: { templateRevisionId?: string } = {}): Promise<void> {
    const meta = workflow.metadata;
    try {
      await this.db.workflow.create({
        data: {
          id: meta.uid!,
          namespace: meta.namespace ?? 'default',
          name: meta.name!,
          phase: 'Pending',
          labels: (meta.labels ?? {}),
          annotations: (meta.annotations ?? {}),
          manifest: manifestOf(workflow) as unknown as Prisma.InputJsonValue,
          status: { phase: 'Pending' },
          templateRevisionId: opts.templateRevisionId ?? null,
          createdAt: meta.creationTimestamp ? new Date(meta.creationTimestamp) : undefined,
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new WorkflowExistsError(`workflows.argoproj.io "${meta.name}" already exists`);
      throw err;
    }
  }

  async idOf(namespace: string, name: string): Promise<string | undefined> {
    const row = await this.db.workflow.findUnique({ where: { namespace_name: { namespace, name } }, select: { id: true } });
    return row?.id;
  }

  /** The full Workflow object (metadata, spec, status with nodes). */
  async get(namespace: string, name: string): Promise<Workflow | undefined> {
    const id = await this.idOf(namespace, name);
    if (!id) return undefined;
    return (await this.state.load(id))?.workflow;
  }

  async getById(id: string): Promise<Workflow | undefined> {
    return (await this.state.load(id))?.workflow;
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const id = await this.idOf(namespace, name);
    return id ? this.deleteById(id) : false;
  }

  async deleteById(id: string): Promise<boolean> {
    const res = await this.db.workflow.deleteMany({ where: { id } });
    await this.db.logChunk.deleteMany({ where: { workflowId: id } });
    await this.db.timer.deleteMany({ where: { workflowId: id } });
    return res.count > 0;
  }

  /** Workflows without nodes (Argo's list omits `status.nodes` unless asked), newest first. */
  async list(opts: ListOptions): Promise<{ items: Workflow[]; continueToken?: string }> {
    const limit = Math.min(Math.max(opts.limit ?? 500, 1), 1000);
    const where: Prisma.WorkflowWhereInput = {};
    if (opts.namespace) where.namespace = opts.namespace;
    if (opts.phases && opts.phases.length > 0) where.phase = { in: opts.phases };
    const and: Prisma.WorkflowWhereInput[] = [];
    for (const term of parseLabelSelector(opts.labelSelector)) {
      if (term.op === 'exists') and.push({ labels: { path: [term.key], not: Prisma.AnyNull } });
      else if (term.op === 'notExists') and.push({ NOT: { labels: { path: [term.key], not: Prisma.AnyNull } } });
      else if (term.op === '=') and.push({ labels: { path: [term.key], equals: term.value } });
      else if (term.op === '!=') and.push({ NOT: { labels: { path: [term.key], equals: term.value } } });
      else if (term.op === 'in') and.push({ OR: term.values.map((v) => ({ labels: { path: [term.key], equals: v } })) });
    }
    if (and.length) where.AND = and;
    const cursor = opts.continueToken ? decodeCursor(opts.continueToken) : undefined;
    if (cursor) {
      where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    const rows = await this.db.workflow.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
    const page = rows.slice(0, limit);
    const items = page.map((row) => {
      const manifest = row.manifest as unknown as Workflow;
      return {
        ...manifest,
        metadata: { ...manifest.metadata, labels: row.labels as Record<string, string>, annotations: row.annotations as Record<string, string> },
        status: row.status as Workflow['status'],
      };
    });
    const last = page[page.length - 1];
    return { items, continueToken: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : undefined };
  }

  /** Unfinished workflows (for the resync): Pending or Running, or only `phases`, created before `createdBefore`. */
  async unfinishedIds(limit = 1000, opts: { phases?: string[]; createdBefore?: Date } = {}): Promise<string[]> {
    const where: Prisma.WorkflowWhereInput = { phase: { in: opts.phases ?? ['Pending', 'Running'] } };
    if (opts.createdBefore) where.createdAt = { lt: opts.createdBefore };
    const rows = await this.db.workflow.findMany({ where, select: { id: true }, take: limit });
    return rows.map((r) => r.id);
  }

  /** Finished workflows whose TTL expired. */
  async expiredIds(now: Date, limit = 500): Promise<string[]> {
    const rows = await this.db.workflow.findMany({ where: { deleteAt: { lte: now } }, select: { id: true }, take: limit });
    return rows.map((r) => r.id);
  }
}

type SelectorTerm =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notExists' };

export class LabelSelectorError extends Error {}

export function parseLabelSelector(selector: string | undefined): SelectorTerm[] {
  if (!selector || selector.trim() === '') return [];
  const terms: SelectorTerm[] = [];
  for (const part of selector.split(/,(?![^(]*\))/)) {
    const p = part.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(p))) terms.push({ key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] });
    else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const values = m[3].split(',').map((v) => v.trim()).filter(Boolean);
      if (m[2] === 'in') terms.push({ key: m[1], op: 'in', values });
      else for (const v of values) terms.push({ key: m[1], op: '!=', value: v });
    } else if ((m = /^!([\w./-]+)$/.exec(p))) terms.push({ key: m[1], op: 'notExists' });
    else if ((m = /^([\w./-]+)$/.exec(p))) terms.push({ key: m[1], op: 'exists' });
    else throw new LabelSelectorError(`listOptions.labelSelector: cannot parse "${p}"`);
  }
  return terms;
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(token: string): { createdAt: Date; id: string } | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, string];
    return { createdAt: new Date(at), id };
  } catch {
    return undefined;
  }
}
