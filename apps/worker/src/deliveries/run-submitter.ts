/**
 * Submitting one run of a webhook delivery: the binding's workflowTemplateRef instantiated with
 * the event parameters (as the API's submit-from-template and the cron scheduler do), the
 * referenced templates snapshotted, the row written. The name is deterministic, so a second
 * attempt for the same delivery and binding finds the run and adopts it.
 */
import { randomUUID } from 'node:crypto';
import { storeReferencedTemplates } from '@slipway/engine';
import { TemplateRepository, WorkflowExistsError, WorkflowRepository, WorkflowWrites, type PrismaClient } from '@slipway/persistence';
import type { BindingEvent, BindingStart } from '@slipway/scm';
import { InMemoryTemplateLibrary, instantiateWorkflow } from '@slipway/workflow';
import { runMetadata, runName } from './run-identity.js';

const TEMPLATE_REVISION_ANNOTATION = 'slipway.dev/workflow-template-revision';

export interface SubmittedRun {
  id: string;
  name: string;
  namespace: string;
  binding: string;
  /** False when a run of this delivery and binding existed already (a retried job). */
  created: boolean;
  start: BindingStart;
  /** The run's annotations (empty for an adopted run). */
  annotations: Record<string, string>;
}

export class RunSubmitter {
  private readonly templates: TemplateRepository;
  private readonly writes: WorkflowWrites;
  private readonly workflows: WorkflowRepository;

  constructor(
    db: PrismaClient,
    private readonly clock: () => number = Date.now,
  ) {
    this.templates = new TemplateRepository(db);
    this.writes = new WorkflowWrites(db);
    this.workflows = new WorkflowRepository(db);
  }

  /** Throws an Error whose message says what is wrong with the binding (missing template, …). */
  async submit(namespace: string, delivery: { id: string; receivedAt: Date; parsed: BindingEvent }, start: BindingStart): Promise<SubmittedRun> {
    const binding = start.binding.metadata?.name ?? 'binding';
    const ref = start.binding.spec.submit?.workflowTemplateRef;
    if (!ref?.name) throw new Error(`binding ${binding}: spec.submit.workflowTemplateRef.name is missing`);
    const kind = ref.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
    const record = await this.templates.get(kind, ref.clusterScope ? '' : namespace, ref.name);
    if (!record) throw new Error(`binding ${binding}: ${kind} "${ref.name}" not found in namespace ${namespace}`);
    const name = runName(delivery.id, binding, ref.name);
    const existing = await this.workflows.idOf(namespace, name);
    if (existing) return { id: existing, name, namespace, binding, created: false, start, annotations: {} };

    const meta = runMetadata(delivery.id, delivery.receivedAt, delivery.parsed, start);
    const submitMeta = start.binding.spec.submit?.metadata;
    const parameters: Record<string, string> = {};
    for (const p of start.parameters) parameters[p.name] = p.value;
    const wf = instantiateWorkflow(record.manifest, {
      nameSuffix: '',
      uid: randomUUID(),
      now: this.clock(),
      namespace,
      parameters,
      labels: { ...(submitMeta?.labels ?? {}), ...meta.labels },
    });
    wf.metadata.name = name;
    delete wf.metadata.generateName;
    wf.metadata.labels = { ...(wf.metadata.labels ?? {}), ...meta.labels };
    wf.metadata.annotations = {
      ...(wf.metadata.annotations ?? {}),
      ...(submitMeta?.annotations ?? {}),
      ...meta.annotations,
      [TEMPLATE_REVISION_ANNOTATION]: String(record.revision),
    };
    const library = new InMemoryTemplateLibrary([
      ...(await this.templates.list('WorkflowTemplate', namespace)).map((t) => t.manifest),
      ...(await this.templates.list('ClusterWorkflowTemplate', '')).map((t) => t.manifest),
    ]);
    const stored = storeReferencedTemplates(wf, library);
    if (stored.missing.length > 0) throw new Error(`binding ${binding}: referenced templates not found: ${stored.missing.join(', ')}`);
    try {
      await this.writes.createSubmitted(wf, { templateRevisionId: record.revisionId });
    } catch (err) {
      if (!(err instanceof WorkflowExistsError)) throw err;
      const id = await this.workflows.idOf(namespace, name);
      if (!id) throw err;
      return { id, name, namespace, binding, created: false, start, annotations: {} };
    }
    return { id: wf.metadata.uid!, name, namespace, binding, created: true, start, annotations: wf.metadata.annotations };
  }
}
