/** CronWorkflows: stored and linted here; the worker's scheduler fires them. */
import { Injectable } from '@nestjs/common';
import { CronWorkflowRepository, iso, WorkflowRepository, type CronWorkflowRecord } from '@slipway/persistence';
import type { CronWorkflow, ParsedDocument } from '@slipway/workflow';
import type { Request } from 'express';
import { invalid, notFound } from '../common/api-error.js';
import { lintOrThrow, readBodyDocument } from '../common/documents.js';
import { TemplateLookup } from '../templates/template-lookup.js';

const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];
const CRON_LABEL = 'workflows.argoproj.io/cron-workflow';

@Injectable()
export class CronService {
  constructor(
    private readonly crons: CronWorkflowRepository,
    private readonly workflows: WorkflowRepository,
    private readonly lookup: TemplateLookup,
  ) {}

  async create(namespace: string, req: Request): Promise<CronWorkflow> {
    const doc = await this.readAndLint(namespace, req);
    return present(await this.crons.create(namespace, nameOf(doc), normalize(doc, namespace)));
  }

  async update(namespace: string, name: string, req: Request): Promise<CronWorkflow> {
    const doc = await this.readAndLint(namespace, req);
    if (nameOf(doc) !== name) throw invalid(`metadata.name: "${nameOf(doc)}" does not match the name in the path "${name}"`);
    return present(await this.crons.update(namespace, name, normalize(doc, namespace)));
  }

  async lint(namespace: string, req: Request): Promise<CronWorkflow> {
    return (await this.readAndLint(namespace, req)).object as unknown as CronWorkflow;
  }

  async get(namespace: string, name: string): Promise<CronWorkflow> {
    const record = await this.crons.get(namespace, name);
    if (!record) throw notFoundError(name);
    const running = await this.workflows.list({ namespace, labelSelector: `${CRON_LABEL}=${name}`, phases: ['Pending', 'Running'], limit: 100 });
    const active = running.items.map((w) => ({ apiVersion: w.apiVersion, kind: 'Workflow', namespace, name: w.metadata.name, uid: w.metadata.uid }));
    return present(record, active);
  }

  async list(namespace: string): Promise<{ metadata: Record<string, never>; items: CronWorkflow[] }> {
    return { metadata: {}, items: (await this.crons.list(namespace)).map((r) => present(r)) };
  }

  async delete(namespace: string, name: string): Promise<void> {
    if (!(await this.crons.delete(namespace, name))) throw notFoundError(name);
  }

  async setSuspended(namespace: string, name: string, suspended: boolean): Promise<CronWorkflow> {
    return present(await this.crons.setSuspended(namespace, name, suspended));
  }

  private async readAndLint(namespace: string, req: Request): Promise<ParsedDocument> {
    const { doc } = readBodyDocument(req, 'cronWorkflow', ['CronWorkflow']);
    const meta = (doc.object.metadata ?? {}) as { namespace?: unknown };
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw invalid(`metadata.namespace: "${String(meta.namespace)}" does not match the request's namespace "${namespace}"`);
    }
    const { library } = await this.lookup.resolve(namespace, [doc.object]);
    lintOrThrow(doc, library);
    return doc;
  }
}

function nameOf(doc: ParsedDocument): string {
  const name = (doc.object.metadata as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || name === '') throw invalid('metadata.name: required for cron workflows');
  return name;
}

function normalize(doc: ParsedDocument, namespace: string): CronWorkflow {
  const c = structuredClone(doc.object) as unknown as CronWorkflow;
  const meta: Record<string, unknown> = { ...(c.metadata ?? {}) };
  for (const f of SERVER_FIELDS) delete meta[f];
  meta.namespace = namespace;
  c.metadata = meta;
  delete (c as { status?: unknown }).status;
  return c;
}

/** Argo's CronWorkflow shape: server metadata and a status from the scheduling columns. */
function present(r: CronWorkflowRecord, active: unknown[] = []): CronWorkflow {
  const status: Record<string, unknown> = { active, conditions: [], phase: r.suspended ? 'Stopped' : 'Active' };
  if (r.lastScheduledTime) status.lastScheduledTime = iso(r.lastScheduledTime);
  return {
    ...r.manifest,
    metadata: { ...r.manifest.metadata, uid: r.id, resourceVersion: String(r.updatedAt.getTime()), creationTimestamp: iso(r.createdAt) },
    status,
  } as CronWorkflow;
}

function notFoundError(name: string): Error {
  return notFound(`cronworkflows.argoproj.io "${name}" not found`);
}
