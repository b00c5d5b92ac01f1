/**
 * Finding the template a step, task or hook refers to (Argo's templateresolution package):
 * plain names resolve in the scope of the template that contains the reference, `templateRef`
 * switches to the referenced WorkflowTemplate/ClusterWorkflowTemplate, `inline` stays put.
 */
import type { Template, TemplateRef, WorkflowSpec, WorkflowTemplate } from '@slipway/workflow';
import type { EngineContext } from '../context.js';

export const LOCAL_SCOPE = 'local/';

export interface TemplateHolder {
  template?: string;
  templateRef?: TemplateRef;
  inline?: Template;
}

export interface ResolvedTemplate {
  /** The workflow's own object, shared: read it, never change it (processArgs works on a copy). */
  template: Template;
  /** Scope in which plain template names inside this template resolve. */
  innerScope: string;
}

export class TemplateResolutionError extends Error {}

export function resolveTemplate(ctx: EngineContext, holder: TemplateHolder, scope: string): ResolvedTemplate {
  if (holder.inline) {
    return { template: { ...holder.inline, name: holder.inline.name ?? '' }, innerScope: scope };
  }
  if (holder.templateRef) {
    const ref = holder.templateRef;
    const innerScope = `${ref.clusterScope ? 'cluster' : 'namespaced'}/${ref.name}`;
    const spec = specForScope(ctx, innerScope);
    const template = spec.templates?.find((t) => t.name === ref.template);
    if (!template) {
      throw new TemplateResolutionError(`template ${ref.template} not found in ${kindName(ref.clusterScope)} ${ref.name}`);
    }
    return { template, innerScope };
  }
  if (holder.template) {
    const spec = specForScope(ctx, scope);
    const template = spec.templates?.find((t) => t.name === holder.template);
    if (!template) throw new TemplateResolutionError(`template ${holder.template} not found`);
    return { template, innerScope: scope };
  }
  throw new TemplateResolutionError('template name, templateRef or inline template is required');
}

function kindName(cluster: boolean | undefined): string {
  return cluster ? 'clusterworkflowtemplate' : 'workflowtemplate';
}

/** The spec whose `templates` a scope refers to. Referenced specs are stored in the status once seen. */
export function specForScope(ctx: EngineContext, scope: string): WorkflowSpec {
  if (scope === '' || scope.startsWith(LOCAL_SCOPE)) return ctx.spec;
  const status = (ctx.workflow.status ??= {});
  const stored = (status.storedTemplates ??= {});
  const key = scope;
  const cached = stored[key] as WorkflowSpec | undefined;
  if (cached) return cached;
  const [kind, name] = splitScope(scope);
  let found: WorkflowTemplate | undefined;
  if (kind === 'cluster') found = ctx.library.getClusterWorkflowTemplate(name);
  else found = ctx.library.getWorkflowTemplate(name, ctx.workflow.metadata.namespace);
  if (!found) {
    throw new TemplateResolutionError(
      `${kind === 'cluster' ? 'clusterworkflowtemplates' : 'workflowtemplates'}.argoproj.io "${name}" not found`,
    );
  }
  const spec = structuredClone(found.spec);
  stored[key] = spec;
  return spec;
}

function splitScope(scope: string): [string, string] {
  const i = scope.indexOf('/');
  return [scope.slice(0, i), scope.slice(i + 1)];
}

/** `spec.templateDefaults` merged under a template (the template's own fields win). */
export function withTemplateDefaults(template: Template, defaults: Partial<Template> | undefined): Template {
  if (!defaults) return template;
  return deepMerge(defaults, template) as unknown as Template;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (isPlainObject(b) && isPlainObject(v)) out[k] = deepMerge(b, v);
    else out[k] = v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type TemplateType = 'container' | 'script' | 'containerSet' | 'resource' | 'steps' | 'dag' | 'suspend' | 'http' | 'plugin' | 'data' | 'unknown';

export function templateType(t: Template): TemplateType {
  if (t.container) return 'container';
  if (t.script) return 'script';
  if (t.containerSet) return 'containerSet';
  if (t.resource) return 'resource';
  if (t.steps) return 'steps';
  if (t.dag) return 'dag';
  if (t.suspend) return 'suspend';
  if (t.http) return 'http';
  if (t.plugin) return 'plugin';
  if (t.data) return 'data';
  return 'unknown';
}

export function isPodTemplate(t: Template): boolean {
  const type = templateType(t);
  return type === 'container' || type === 'script' || type === 'containerSet' || type === 'resource';
}
