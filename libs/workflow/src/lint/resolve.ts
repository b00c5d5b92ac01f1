/**
 * Resolving what a step, task, hook or entrypoint runs: a template of the same spec, a template of
 * a (Cluster)WorkflowTemplate via `templateRef` (whose own plain names then resolve in *that*
 * template, as in Argo), or an `inline` template.
 */
import type { TemplateLibrary } from '../library/template-library.js';
import type { Arguments, Template, TemplateRef, WorkflowTemplate } from '../model/spec.js';
import type { Path } from './context.js';
import { hasTag } from './tags.js';

/** The templates plain `template:` names resolve among. */
export interface TemplateScope {
  templates: Template[];
  /** `WorkflowTemplate "name"` when the scope is another document's spec. */
  owner?: string;
  /** The templates by name (first of a name wins), built on the first lookup. */
  byName?: Map<string, Template>;
}

export interface TemplateHolder {
  template?: string;
  templateRef?: TemplateRef;
  inline?: Template;
  arguments?: Arguments;
}

export type Resolution =
  | { status: 'found'; template: Template; scope: TemplateScope }
  | { status: 'error'; path: Path; message: string }
  /** The name is computed at run time (`{{…}}`), so nothing can be said now. */
  | { status: 'dynamic' };

export function scopeOf(template: WorkflowTemplate): TemplateScope {
  return { templates: template.spec?.templates ?? [], owner: describeTemplate(template) };
}

export function describeTemplate(t: WorkflowTemplate): string {
  return `${t.kind === 'ClusterWorkflowTemplate' ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} "${t.metadata?.name ?? ''}"`;
}

export function lookupWorkflowTemplate(
  library: TemplateLibrary,
  name: string,
  clusterScope: boolean | undefined,
): WorkflowTemplate | undefined {
  return clusterScope ? library.getClusterWorkflowTemplate(name) : library.getWorkflowTemplate(name);
}

export function notDefined(name: string, clusterScope: boolean | undefined): string {
  return `${clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} "${name}" is not defined`;
}

export function resolveByName(name: string, scope: TemplateScope, path: Path): Resolution {
  if (hasTag(name)) return { status: 'dynamic' };
  const template = templateNamed(scope, name);
  if (template) return { status: 'found', template, scope };
  const where = scope.owner ? ` in ${scope.owner}` : '';
  return { status: 'error', path, message: `template "${name}" is not defined${where}` };
}

export function resolveHolder(holder: TemplateHolder, scope: TemplateScope, library: TemplateLibrary, path: Path): Resolution {
  const ref = holder.templateRef;
  if (ref && holder.template !== undefined) {
    return { status: 'error', path: [...path, 'template'], message: 'template and templateRef cannot both be set' };
  }
  if (ref) return resolveRef(ref, library, [...path, 'templateRef']);
  if (holder.template !== undefined) {
    if (holder.template === '') return { status: 'error', path: [...path, 'template'], message: 'template name is empty' };
    return resolveByName(holder.template, scope, [...path, 'template']);
  }
  if (holder.inline) return { status: 'found', template: holder.inline, scope };
  return { status: 'error', path, message: 'one of template, templateRef or inline is required' };
}

function resolveRef(ref: TemplateRef, library: TemplateLibrary, path: Path): Resolution {
  if (!ref.name) return { status: 'error', path, message: 'templateRef.name is required' };
  if (!ref.template) return { status: 'error', path, message: 'templateRef.template is required' };
  if (hasTag(ref.name) || hasTag(ref.template)) return { status: 'dynamic' };
  const owner = lookupWorkflowTemplate(library, ref.name, ref.clusterScope);
  if (!owner) return { status: 'error', path: [...path, 'name'], message: notDefined(ref.name, ref.clusterScope) };
  const scope = scopeOf(owner);
  const template = templateNamed(scope, ref.template);
  if (!template) {
    return { status: 'error', path: [...path, 'template'], message: `template "${ref.template}" is not defined in ${scope.owner}` };
  }
  return { status: 'found', template, scope };
}

/** `findTemplate` through the scope's index, so that n calls of one template cost n lookups, not n scans. */
function templateNamed(scope: TemplateScope, name: string): Template | undefined {
  if (!scope.byName) {
    scope.byName = new Map();
    for (const t of scope.templates) if (!scope.byName.has(t.name)) scope.byName.set(t.name, t);
  }
  return scope.byName.get(name);
}

/** Input parameters of `template` that have no value, default or valueFrom and are not in `args`. */
export function missingInputs(template: Template, args: Arguments | undefined): string[] {
  const required = (template.inputs?.parameters ?? [])
    .filter((p) => p.name !== undefined && p.name !== '')
    .filter((p) => p.value === undefined && p.default === undefined && p.valueFrom === undefined);
  if (required.length === 0) return [];
  const supplied = new Set((args?.parameters ?? []).map((p) => p.name));
  return required.filter((p) => !supplied.has(p.name)).map((p) => p.name);
}

export function describeMissing(templateName: string, missing: string[]): string {
  const list = missing.map((m) => `"${m}"`).join(', ');
  const noun = missing.length === 1 ? 'input parameter' : 'input parameters';
  return `template "${templateName}" requires ${noun} ${list}, which ${missing.length === 1 ? 'is' : 'are'} not supplied`;
}
