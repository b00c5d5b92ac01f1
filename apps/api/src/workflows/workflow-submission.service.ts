/**
 * Turning documents into stored, queued workflows: lint against the current templates, name
 * (generateName), uid and creation time, snapshot of the referenced templates, the row, then
 * the doorbell. Used by create, submit-from-template and resubmit.
 */
import { Inject, Injectable } from '@nestjs/common';
import { storeReferencedTemplates } from '@slipway/engine';
import { CronWorkflowRepository, TemplateRepository, WorkflowExistsError, WorkflowWrites, type TemplateRecord } from '@slipway/persistence';
import { instantiateWorkflow, type CronWorkflow, type ParsedDocument, type Workflow, type WorkflowTemplate } from '@slipway/workflow';
import { randomInt, randomUUID } from 'node:crypto';
import { conflict, invalid, notFound } from '../common/api-error.js';
import { lintOrThrow, objectDocument } from '../common/documents.js';
import { Doorbell } from '../common/doorbell.js';
import { CLOCK, type Clock } from '../deps.js';
import { TemplateLookup } from '../templates/template-lookup.js';

/** Annotation naming the WorkflowTemplate revision a workflow was created from. */
export const TEMPLATE_REVISION_ANNOTATION = 'slipway.dev/workflow-template-revision';

const NAME_ATTEMPTS = 5;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Argo's WorkflowSubmitRequest (`POST /api/v1/workflows/{namespace}/submit`). */
export interface SubmitResourceRequest {
  resourceKind: 'WorkflowTemplate' | 'ClusterWorkflowTemplate' | 'CronWorkflow';
  resourceName: string;
  submitOptions?: {
    parameters?: string[];
    generateName?: string;
    name?: string;
    entryPoint?: string;
    /** `a=b,c=d` as in Argo, or an object. */
    labels?: string | Record<string, string>;
    annotations?: string | Record<string, string>;
    serverDryRun?: boolean;
  };
}

export interface InstantiateOverrides {
  parameters?: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  name?: string;
  generateName?: string;
  entrypoint?: string;
}

@Injectable()
export class WorkflowSubmissionService {
  constructor(
    private readonly lookup: TemplateLookup,
    private readonly writes: WorkflowWrites,
    private readonly doorbell: Doorbell,
    private readonly templates: TemplateRepository,
    private readonly crons: CronWorkflowRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Submit from a stored WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow (its current revision). */
  async submitResource(namespace: string, req: SubmitResourceRequest): Promise<Workflow> {
    const o = req.submitOptions ?? {};
    let source: WorkflowTemplate | CronWorkflow | undefined;
    if (req.resourceKind === 'CronWorkflow') source = (await this.crons.get(namespace, req.resourceName))?.manifest;
    else {
      const ns = req.resourceKind === 'ClusterWorkflowTemplate' ? '' : namespace;
      source = (await this.templates.get(req.resourceKind, ns, req.resourceName))?.manifest;
    }
    if (!source) throw notFound(`${req.resourceKind.toLowerCase()}s.argoproj.io "${req.resourceName}" not found`);
    const overrides: InstantiateOverrides = {
      parameters: parseParameters(o.parameters ?? []),
      labels: keyValues(o.labels, 'submitOptions.labels'),
      annotations: keyValues(o.annotations, 'submitOptions.annotations'),
      name: o.name || undefined,
      generateName: o.generateName || undefined,
      entrypoint: o.entryPoint || undefined,
    };
    return this.submitFrom(namespace, source, overrides, o.serverDryRun === true);
  }

  /** Lint a Workflow document against the namespace's templates (400 naming line:col). */
  async lint(namespace: string, doc: ParsedDocument): Promise<void> {
    checkNamespace(doc.object, namespace);
    const { library } = await this.lookup.resolve(namespace, [doc.object]);
    lintOrThrow(doc, library);
  }

  /** Lint, instantiate and (unless a dry run) store and queue a Workflow document. */
  async submitDocument(namespace: string, doc: ParsedDocument, dryRun: boolean): Promise<Workflow> {
    checkNamespace(doc.object, namespace);
    const resolved = await this.lookup.resolve(namespace, [doc.object]);
    lintOrThrow(doc, resolved.library);
    const source = doc.object as unknown as Workflow;
    return this.store(namespace, (suffix) => this.instantiate(source, namespace, suffix), resolved.records, dryRun);
  }

  /** A Workflow from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow (Argo's SubmitWorkflow). */
  async submitFrom(namespace: string, source: WorkflowTemplate | CronWorkflow, overrides: InstantiateOverrides, dryRun: boolean): Promise<Workflow> {
    const make = (suffix: string): Workflow => {
      const wf = this.instantiate(source, namespace, suffix, overrides);
      if (overrides.entrypoint) wf.spec.entrypoint = overrides.entrypoint;
      if (overrides.annotations) wf.metadata.annotations = { ...(wf.metadata.annotations ?? {}), ...overrides.annotations };
      return wf;
    };
    const probe = make('probe');
    const resolved = await this.lookup.resolve(namespace, [probe]);
    lintOrThrow(objectDocument(probe as unknown as Record<string, unknown>), resolved.library);
    return this.store(namespace, make, resolved.records, dryRun);
  }

  /** Store an already-built workflow (resubmit): `make` names it for each attempt. */
  async submitBuilt(namespace: string, make: (suffix: string) => Workflow): Promise<Workflow> {
    const resolved = await this.lookup.resolve(namespace, [make('probe')]);
    return this.store(namespace, make, resolved.records, false);
  }

  private instantiate(source: Workflow | WorkflowTemplate | CronWorkflow, namespace: string, suffix: string, o: InstantiateOverrides = {}): Workflow {
    const wf = instantiateWorkflow(source, {
      nameSuffix: suffix,
      uid: randomUUID(),
      now: this.clock(),
      namespace,
      parameters: o.parameters,
      labels: o.labels,
    });
    // Argo's submitOptions.generateName / name replace the template-derived ones.
    if (o.generateName) {
      wf.metadata.generateName = o.generateName;
      wf.metadata.name = `${o.generateName}${suffix}`;
    }
    if (o.name) wf.metadata.name = o.name;
    return wf;
  }

  private async store(
    namespace: string,
    make: (suffix: string) => Workflow,
    records: Map<string, TemplateRecord>,
    dryRun: boolean,
  ): Promise<Workflow> {
    for (let attempt = 1; ; attempt++) {
      const wf = make(randomSuffix());
      const generated = !!wf.metadata.generateName && wf.metadata.name?.startsWith(wf.metadata.generateName) === true;
      const revisionId = snapshot(wf, records);
      if (dryRun) return wf;
      try {
        await this.writes.createSubmitted(wf, { templateRevisionId: revisionId });
      } catch (err) {
        if (err instanceof WorkflowExistsError) {
          if (generated && attempt < NAME_ATTEMPTS) continue;
          throw conflict(err.message);
        }
        throw err;
      }
      await this.doorbell.ring(wf.metadata.uid!);
      return { ...wf, metadata: { ...wf.metadata, namespace, resourceVersion: '0' } };
    }
  }
}

/**
 * Copy the referenced templates into the status (Argo's storedTemplates /
 * storedWorkflowTemplateSpec) and record the workflowTemplateRef's revision.
 */
function snapshot(wf: Workflow, records: Map<string, TemplateRecord>): string | undefined {
  const library = {
    getWorkflowTemplate: (name: string) => records.get(`namespaced/${name}`)?.manifest,
    getClusterWorkflowTemplate: (name: string) => records.get(`cluster/${name}`)?.manifest,
  };
  const result = storeReferencedTemplates(wf, library);
  if (result.missing.length > 0) throw invalid(`referenced templates not found: ${result.missing.join(', ')}`);
  const status = (wf.status ??= {});
  status.phase = 'Pending';
  if (status.storedTemplates && Object.keys(status.storedTemplates).length === 0) delete status.storedTemplates;
  const ref = wf.spec.workflowTemplateRef;
  if (!ref) return undefined;
  const record = records.get(`${ref.clusterScope ? 'cluster' : 'namespaced'}/${ref.name}`);
  if (!record) return undefined;
  wf.metadata.annotations = { ...(wf.metadata.annotations ?? {}), [TEMPLATE_REVISION_ANNOTATION]: String(record.revision) };
  return record.revisionId;
}

function checkNamespace(object: Record<string, unknown>, namespace: string): void {
  const meta = object.metadata as { namespace?: unknown } | undefined;
  if (meta?.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw invalid(`metadata.namespace: "${String(meta.namespace)}" does not match the request's namespace "${namespace}"`);
  }
}

function parseParameters(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw invalid(`submitOptions.parameters: expected NAME=VALUE, got "${p}"`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** `a=b,c=d` (Argo's SubmitOpts.labels) or an object. */
function keyValues(value: string | Record<string, string> | undefined, field: string): Record<string, string> | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  const out: Record<string, string> = {};
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid(`${field}: expected key=value, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
