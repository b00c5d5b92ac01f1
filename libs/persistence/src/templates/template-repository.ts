/**
 * WorkflowTemplates and ClusterWorkflowTemplates (namespace "") with immutable revisions: every
 * create, update and rollback adds a `template_revisions` row and moves `current_revision`.
 */
import type { WorkflowTemplate } from '@slipway/workflow';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../prisma-errors.js';

export type TemplateKind = 'WorkflowTemplate' | 'ClusterWorkflowTemplate';

/** A template at its current (or a given) revision. */
export interface TemplateRecord {
  id: string;
  kind: TemplateKind;
  namespace: string;
  name: string;
  revision: number;
  revisionId: string;
  manifest: WorkflowTemplate;
  createdAt: Date;
  updatedAt: Date;
}

export interface RevisionRecord {
  id: string;
  revision: number;
  manifest: WorkflowTemplate;
  source: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export type RevisionSummary = Omit<RevisionRecord, 'manifest' | 'source'>;

export interface RevisionInput {
  manifest: WorkflowTemplate;
  /** The document as written, for diffs. */
  source?: string;
  createdBy?: string;
}

export class TemplateExistsError extends Error {}
export class TemplateNotFoundError extends Error {}
/** The caller's `resourceVersion` is not the current revision. */
export class TemplateConflictError extends Error {}

type Db = PrismaClient | Prisma.TransactionClient;

const MAX_RACE_RETRIES = 5;

export class TemplateRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(kind: TemplateKind, namespace: string, name: string, input: RevisionInput): Promise<TemplateRecord> {
    try {
      return await this.db.$transaction(async (tx) => {
        const t = await tx.template.create({ data: { kind, namespace, name, currentRevision: 1 } });
        const rev = await insertRevision(tx, t.id, 1, input);
        return toRecord(t, rev);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new TemplateExistsError(`${resourceName(kind)} "${name}" already exists`);
      throw err;
    }
  }

  /** A new revision with `input`. `expectedRevision` (from metadata.resourceVersion) guards against lost updates. */
  async update(kind: TemplateKind, namespace: string, name: string, input: RevisionInput, expectedRevision?: number): Promise<TemplateRecord> {
    return this.addRevision(kind, namespace, name, () => input, expectedRevision);
  }

  /** A new revision copying revision `revision`. */
  async rollback(kind: TemplateKind, namespace: string, name: string, revision: number, createdBy?: string): Promise<TemplateRecord> {
    return this.addRevision(kind, namespace, name, async (tx, templateId) => {
      const old = await tx.templateRevision.findUnique({ where: { templateId_revision: { templateId, revision } } });
      if (!old) throw new TemplateNotFoundError(`${resourceName(kind)} "${name}" has no revision ${revision}`);
      return { manifest: old.manifest as unknown as WorkflowTemplate, source: old.source ?? undefined, createdBy };
    });
  }

  async get(kind: TemplateKind, namespace: string, name: string): Promise<TemplateRecord | undefined> {
    return (await this.getMany(kind, namespace, [name])).get(name);
  }

  /** Current revisions of the named templates (missing names are left out). */
  async getMany(kind: TemplateKind, namespace: string, names: readonly string[]): Promise<Map<string, TemplateRecord>> {
    const templates = await this.db.template.findMany({ where: { kind, namespace, name: { in: [...names] } } });
    return this.withCurrentRevisions(templates);
  }

  async list(kind: TemplateKind, namespace: string): Promise<TemplateRecord[]> {
    const templates = await this.db.template.findMany({ where: { kind, namespace }, orderBy: { name: 'asc' } });
    return [...(await this.withCurrentRevisions(templates)).values()];
  }

  async delete(kind: TemplateKind, namespace: string, name: string): Promise<boolean> {
    const res = await this.db.template.deleteMany({ where: { kind, namespace, name } });
    return res.count > 0;
  }

  /** Revisions, newest first; undefined when the template does not exist. */
  async revisions(kind: TemplateKind, namespace: string, name: string): Promise<RevisionSummary[] | undefined> {
    const t = await this.db.template.findUnique({ where: { kind_namespace_name: { kind, namespace, name } }, select: { id: true } });
    if (!t) return undefined;
    return this.db.templateRevision.findMany({
      where: { templateId: t.id },
      orderBy: { revision: 'desc' },
      select: { id: true, revision: true, createdBy: true, createdAt: true },
    });
  }

  async revision(kind: TemplateKind, namespace: string, name: string, revision: number): Promise<RevisionRecord | undefined> {
    const t = await this.db.template.findUnique({ where: { kind_namespace_name: { kind, namespace, name } }, select: { id: true } });
    if (!t) return undefined;
    const r = await this.db.templateRevision.findUnique({ where: { templateId_revision: { templateId: t.id, revision } } });
    return r ? toRevision(r) : undefined;
  }

  private async addRevision(
    kind: TemplateKind,
    namespace: string,
    name: string,
    make: (tx: Prisma.TransactionClient, templateId: string) => RevisionInput | Promise<RevisionInput>,
    expectedRevision?: number,
  ): Promise<TemplateRecord> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.db.$transaction(async (tx) => {
        const t = await tx.template.findUnique({ where: { kind_namespace_name: { kind, namespace, name } } });
        if (!t) throw new TemplateNotFoundError(`${resourceName(kind)} "${name}" not found`);
        if (expectedRevision !== undefined && expectedRevision !== t.currentRevision) {
          throw new TemplateConflictError(
            `${resourceName(kind)} "${name}" was modified: resourceVersion ${expectedRevision} is not the current ${t.currentRevision}`,
          );
        }
        const input = await make(tx, t.id);
        const next = t.currentRevision + 1;
        const moved = await tx.template.updateMany({ where: { id: t.id, currentRevision: t.currentRevision }, data: { currentRevision: next } });
        if (moved.count === 0) return undefined; // someone else added a revision: try again
        const rev = await insertRevision(tx, t.id, next, input);
        const updated = await tx.template.findUniqueOrThrow({ where: { id: t.id } });
        return toRecord(updated, rev);
      });
      if (result) return result;
      if (expectedRevision !== undefined || attempt >= MAX_RACE_RETRIES) {
        throw new TemplateConflictError(`${resourceName(kind)} "${name}" was modified concurrently; try again`);
      }
    }
  }

  private async withCurrentRevisions(templates: TemplateRow[]): Promise<Map<string, TemplateRecord>> {
    const out = new Map<string, TemplateRecord>();
    if (templates.length === 0) return out;
    const revisions = await this.db.templateRevision.findMany({
      where: { OR: templates.map((t) => ({ templateId: t.id, revision: t.currentRevision })) },
    });
    const byTemplate = new Map(revisions.map((r) => [r.templateId, r]));
    for (const t of templates) {
      const rev = byTemplate.get(t.id);
      if (rev) out.set(t.name, toRecord(t, rev));
    }
    return out;
  }
}

interface TemplateRow {
  id: string;
  kind: string;
  namespace: string;
  name: string;
  currentRevision: number;
  createdAt: Date;
  updatedAt: Date;
}

interface RevisionRow {
  id: string;
  templateId: string;
  revision: number;
  manifest: Prisma.JsonValue;
  source: string | null;
  createdBy: string | null;
  createdAt: Date;
}

async function insertRevision(tx: Db, templateId: string, revision: number, input: RevisionInput): Promise<RevisionRow> {
  return tx.templateRevision.create({
    data: {
      templateId,
      revision,
      manifest: input.manifest as unknown as Prisma.InputJsonValue,
      source: input.source ?? null,
      createdBy: input.createdBy ?? null,
    },
  });
}

/** The stored manifest with Kubernetes-style metadata derived from the rows. */
function toRecord(t: TemplateRow, rev: RevisionRow): TemplateRecord {
  const stored = rev.manifest as unknown as WorkflowTemplate;
  const manifest: WorkflowTemplate = {
    ...stored,
    metadata: {
      ...stored.metadata,
      name: t.name,
      ...(t.namespace ? { namespace: t.namespace } : {}),
      uid: t.id,
      resourceVersion: String(rev.revision),
      generation: rev.revision,
      creationTimestamp: iso(t.createdAt),
    },
  };
  return {
    id: t.id,
    kind: t.kind as TemplateKind,
    namespace: t.namespace,
    name: t.name,
    revision: rev.revision,
    revisionId: rev.id,
    manifest,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

function toRevision(r: RevisionRow): RevisionRecord {
  return {
    id: r.id,
    revision: r.revision,
    manifest: r.manifest as unknown as WorkflowTemplate,
    source: r.source,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  };
}

function resourceName(kind: TemplateKind): string {
  return kind === 'ClusterWorkflowTemplate' ? 'clusterworkflowtemplates.argoproj.io' : 'workflowtemplates.argoproj.io';
}

/** Kubernetes timestamps: second precision, `Z`. */
export function iso(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
