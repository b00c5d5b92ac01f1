/**
 * WorkflowTemplates and ClusterWorkflowTemplates (namespace ""): lint on write, an immutable
 * revision for every create/update/rollback, revision listing, diffs and rollback.
 */
import { Injectable } from '@nestjs/common';
import { TemplateRepository, type RevisionRecord, type TemplateKind } from '@slipway/persistence';
import type { ParsedDocument, WorkflowTemplate } from '@slipway/workflow';
import { createTwoFilesPatch } from 'diff';
import type { Request } from 'express';
import { stringify } from 'yaml';
import { invalid, notFound } from '../common/api-error.js';
import { lintOrThrow, readBodyDocument } from '../common/documents.js';
import { labelMatcher } from '../common/labels.js';
import { TemplateLookup } from './template-lookup.js';

export interface TemplateList {
  metadata: Record<string, never>;
  items: WorkflowTemplate[];
}

export interface RevisionInfo {
  revision: number;
  createdAt: string;
  createdBy: string | null;
  current?: boolean;
}

/** Metadata the server owns; stripped from what callers send. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];

@Injectable()
export class TemplatesService {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly lookup: TemplateLookup,
  ) {}

  async create(kind: TemplateKind, namespace: string, req: Request, actor: string): Promise<WorkflowTemplate> {
    const { doc, source } = await this.readAndLint(kind, namespace, req);
    const name = nameOf(doc);
    const record = await this.templates.create(kind, namespace, name, { manifest: normalize(doc, namespace), source, createdBy: actor });
    return record.manifest;
  }

  async update(kind: TemplateKind, namespace: string, name: string, req: Request, actor: string): Promise<WorkflowTemplate> {
    const { doc, source } = await this.readAndLint(kind, namespace, req);
    if (nameOf(doc) !== name) throw invalid(`metadata.name: "${nameOf(doc)}" does not match the name in the path "${name}"`);
    const rv = (doc.object.metadata as { resourceVersion?: unknown }).resourceVersion;
    const expected = rv === undefined || rv === '' ? undefined : Number(rv);
    if (expected !== undefined && !Number.isInteger(expected)) throw invalid(`metadata.resourceVersion: must be a revision number, got ${JSON.stringify(rv)}`);
    const record = await this.templates.update(kind, namespace, name, { manifest: normalize(doc, namespace), source, createdBy: actor }, expected);
    return record.manifest;
  }

  /** Lint only; returns the template as sent. */
  async lint(kind: TemplateKind, namespace: string, req: Request): Promise<WorkflowTemplate> {
    const { doc } = await this.readAndLint(kind, namespace, req);
    return doc.object as unknown as WorkflowTemplate;
  }

  async get(kind: TemplateKind, namespace: string, name: string): Promise<WorkflowTemplate> {
    const record = await this.templates.get(kind, namespace, name);
    if (!record) throw notFoundError(kind, name);
    return record.manifest;
  }

  async list(kind: TemplateKind, namespace: string, labelSelector?: string): Promise<TemplateList> {
    const selected = labelMatcher(labelSelector);
    const items = (await this.templates.list(kind, namespace)).map((r) => r.manifest).filter((t) => selected(t.metadata.labels));
    return { metadata: {}, items };
  }

  async delete(kind: TemplateKind, namespace: string, name: string): Promise<void> {
    if (!(await this.templates.delete(kind, namespace, name))) throw notFoundError(kind, name);
  }

  async revisions(kind: TemplateKind, namespace: string, name: string): Promise<{ items: RevisionInfo[] }> {
    const list = await this.templates.revisions(kind, namespace, name);
    if (!list) throw notFoundError(kind, name);
    const current = list[0]?.revision;
    return { items: list.map((r) => ({ revision: r.revision, createdAt: r.createdAt.toISOString(), createdBy: r.createdBy, current: r.revision === current })) };
  }

  async revision(kind: TemplateKind, namespace: string, name: string, revision: number): Promise<RevisionInfo & { template: WorkflowTemplate; source: string }> {
    const r = await this.loadRevision(kind, namespace, name, revision);
    return { revision: r.revision, createdAt: r.createdAt.toISOString(), createdBy: r.createdBy, template: r.manifest, source: yamlOf(r) };
  }

  /** A unified diff of the YAML of two revisions. */
  async diff(kind: TemplateKind, namespace: string, name: string, from: number, to: number): Promise<{ from: number; to: number; diff: string }> {
    const [a, b] = await Promise.all([this.loadRevision(kind, namespace, name, from), this.loadRevision(kind, namespace, name, to)]);
    const diff = createTwoFilesPatch(`${name}@${from}`, `${name}@${to}`, yamlOf(a), yamlOf(b), `revision ${from}`, `revision ${to}`);
    return { from, to, diff };
  }

  /** A new revision copying `revision`. */
  async rollback(kind: TemplateKind, namespace: string, name: string, revision: number, actor: string): Promise<WorkflowTemplate> {
    return (await this.templates.rollback(kind, namespace, name, revision, actor)).manifest;
  }

  private async readAndLint(kind: TemplateKind, namespace: string, req: Request): Promise<{ doc: ParsedDocument; source: string }> {
    const { doc, source } = readBodyDocument(req, 'template', [kind]);
    const meta = (doc.object.metadata ?? {}) as { namespace?: unknown };
    if (kind === 'WorkflowTemplate' && meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw invalid(`metadata.namespace: "${String(meta.namespace)}" does not match the request's namespace "${namespace}"`);
    }
    const { library } = await this.lookup.resolve(namespace, [doc.object]);
    lintOrThrow(doc, library);
    return { doc, source };
  }

  private async loadRevision(kind: TemplateKind, namespace: string, name: string, revision: number): Promise<RevisionRecord> {
    const r = await this.templates.revision(kind, namespace, name, revision);
    if (!r) {
      if (!(await this.templates.get(kind, namespace, name))) throw notFoundError(kind, name);
      throw notFound(`${resource(kind)} "${name}" has no revision ${revision}`);
    }
    return r;
  }
}

function nameOf(doc: ParsedDocument): string {
  const name = (doc.object.metadata as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || name === '') throw invalid('metadata.name: required for templates (generateName is not supported)');
  return name;
}

/** What is stored: the document without server-owned metadata, in the path's namespace. */
function normalize(doc: ParsedDocument, namespace: string): WorkflowTemplate {
  const t = structuredClone(doc.object) as unknown as WorkflowTemplate;
  const meta: Record<string, unknown> = { ...(t.metadata ?? {}) };
  for (const f of SERVER_FIELDS) delete meta[f];
  if (namespace) meta.namespace = namespace;
  else delete meta.namespace;
  t.metadata = meta;
  delete (t as { status?: unknown }).status;
  return t;
}

function yamlOf(r: RevisionRecord): string {
  return r.source ?? stringify(r.manifest);
}

function resource(kind: TemplateKind): string {
  return kind === 'ClusterWorkflowTemplate' ? 'clusterworkflowtemplates.argoproj.io' : 'workflowtemplates.argoproj.io';
}

function notFoundError(kind: TemplateKind, name: string): Error {
  return notFound(`${resource(kind)} "${name}" not found`);
}
