/** Lint a set of Argo documents together, so that references between them resolve. */
import { InMemoryTemplateLibrary, type TemplateLibrary } from '../library/template-library.js';
import type { CronWorkflow, Kind, Workflow, WorkflowEventBinding, WorkflowTemplate } from '../model/spec.js';
import { compareDiagnostics, type Diagnostic } from '../yaml/diagnostic.js';
import type { ParsedDocument } from '../yaml/parse.js';
import { Reporter, type LintContext } from './context.js';
import { checkCronWorkflow } from './cron.js';
import { checkEventBinding } from './event-binding.js';
import { checkApiVersion, checkMetadata } from './metadata.js';
import { toTypedObject } from './typed.js';
import { checkWorkflowSpec } from './workflow-spec.js';

export interface LintOptions {
  /** Templates that exist outside the given documents (e.g. already in the cluster). */
  library?: TemplateLibrary;
}

interface Typed {
  doc: ParsedDocument;
  kind: Kind;
  value: Workflow | WorkflowTemplate | CronWorkflow | WorkflowEventBinding;
}

export function lintDocuments(docs: readonly ParsedDocument[], options: LintOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const typed: Typed[] = [];
  for (const doc of docs) {
    const t = toTypedObject(doc);
    out.push(...t.diagnostics);
    if (t.value) typed.push({ doc, kind: doc.kind as Kind, value: t.value });
  }
  const library = buildLibrary(typed, options.library, out);
  for (const t of typed) lintOne({ report: new Reporter(t.doc, out), library }, t);
  return out.sort(compareDiagnostics);
}

function lintOne(ctx: LintContext, t: Typed): void {
  checkApiVersion(ctx, t.value.apiVersion, t.doc.object.apiVersion);
  checkMetadata(ctx, t.kind, t.value.metadata);
  if (!t.value.spec) {
    ctx.report.error([], 'spec is required');
    return;
  }
  switch (t.kind) {
    case 'Workflow':
    case 'WorkflowTemplate':
    case 'ClusterWorkflowTemplate':
      checkWorkflowSpec(ctx, (t.value as Workflow | WorkflowTemplate).spec, ['spec'], t.kind);
      return;
    case 'CronWorkflow':
      checkCronWorkflow(ctx, t.value as CronWorkflow);
      return;
    case 'WorkflowEventBinding':
      checkEventBinding(ctx, t.value as WorkflowEventBinding);
      return;
  }
}

/** The given documents' templates first, then the caller's library. */
function buildLibrary(typed: readonly Typed[], fallback: TemplateLibrary | undefined, out: Diagnostic[]): TemplateLibrary {
  const local = new InMemoryTemplateLibrary();
  const firstSeen = new Map<string, ParsedDocument>();
  for (const t of typed) {
    if (t.kind !== 'WorkflowTemplate' && t.kind !== 'ClusterWorkflowTemplate') continue;
    const template = t.value as WorkflowTemplate;
    const name = template.metadata?.name;
    if (!name) continue;
    const key = `${t.kind}/${name}`;
    const first = firstSeen.get(key);
    if (first) {
      new Reporter(t.doc, out).warning(['metadata', 'name'], `${t.kind} "${name}" is also defined in ${first.file}; this definition is used`);
    }
    firstSeen.set(key, t.doc);
    local.add(template);
  }
  return {
    getWorkflowTemplate: (name, namespace) => local.getWorkflowTemplate(name) ?? fallback?.getWorkflowTemplate(name, namespace),
    getClusterWorkflowTemplate: (name) => local.getClusterWorkflowTemplate(name) ?? fallback?.getClusterWorkflowTemplate(name),
  };
}
