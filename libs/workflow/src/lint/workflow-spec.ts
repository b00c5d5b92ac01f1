/** Rules for a WorkflowSpec (of a Workflow, (Cluster)WorkflowTemplate or CronWorkflow). */
import type { Parameter, WorkflowSpec, WorkflowTemplate } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { exprSyntaxError } from './expr-check.js';
import { checkActiveDeadline, checkDuration, checkIntString, checkRetryStrategy } from './fields.js';
import { checkArguments, checkHooks } from './invocation.js';
import { checkFieldNames, FIELD_NAME } from './names.js';
import { describeMissing, lookupWorkflowTemplate, missingInputs, notDefined, resolveByName, scopeOf, type TemplateScope } from './resolve.js';
import { hasTag } from './tags.js';
import { checkMetrics } from './metrics.js';
import { checkTemplate } from './template.js';
import { checkStrings, checkTemplateVariables } from './variables.js';

export type SpecOwner = 'Workflow' | 'WorkflowTemplate' | 'ClusterWorkflowTemplate' | 'CronWorkflow';

const POD_GC_STRATEGIES = new Set(['OnPodCompletion', 'OnPodSuccess', 'OnWorkflowCompletion', 'OnWorkflowSuccess']);

export function checkWorkflowSpec(ctx: LintContext, spec: WorkflowSpec, path: Path, owner: SpecOwner): void {
  const own: TemplateScope = { templates: spec.templates ?? [] };
  const runnable = owner === 'Workflow' || owner === 'CronWorkflow';
  const ref = checkWorkflowTemplateRef(ctx, spec, path);
  // Where entrypoint/onExit/hooks names resolve: the referenced template's spec, if any.
  const runScope: TemplateScope | undefined = ref.template ? scopeOf(ref.template) : ref.used ? undefined : own;

  const entry = spec.entrypoint ?? ref.template?.spec?.entrypoint;
  if (entry === undefined || entry === '') {
    if (runnable && (!ref.used || ref.template)) ctx.report.error(path, 'entrypoint is required');
  } else if (runScope) {
    const r = resolveByName(entry, runScope, [...path, 'entrypoint']);
    if (r.status === 'error' && spec.entrypoint !== undefined) ctx.report.error(r.path, r.message);
    if (r.status === 'found' && runnable) {
      const args = { parameters: mergeParameters(spec.arguments?.parameters, ref.template?.spec?.arguments?.parameters) };
      const missing = missingInputs(r.template, args);
      if (missing.length > 0) {
        const at = spec.arguments ? [...path, 'arguments'] : spec.entrypoint !== undefined ? [...path, 'entrypoint'] : path;
        ctx.report.error(at, `entrypoint ${describeMissing(r.template.name, missing)} in spec.arguments`);
      }
    }
  }
  if (spec.onExit !== undefined && runScope) {
    const r = resolveByName(spec.onExit, runScope, [...path, 'onExit']);
    if (r.status === 'error') ctx.report.error(r.path, r.message);
  }
  if (runScope) checkHooks(ctx, spec.hooks, runScope, [...path, 'hooks']);
  checkArguments(ctx, spec.arguments, [...path, 'arguments'], true);

  const templates = spec.templates ?? [];
  checkFieldNames(ctx, templates, [...path, 'templates'], FIELD_NAME, 'template');
  const workflowParams = runnable
    ? new Set(mergeParameters(spec.arguments?.parameters, ref.template?.spec?.arguments?.parameters).map((p) => p.name))
    : undefined;
  const base = { inputs: new Set<string>(), itemAllowed: false, workflowParams };
  templates.forEach((t, i) => {
    const at = [...path, 'templates', i];
    checkTemplate(ctx, t, at, { scope: own, defaults: spec.templateDefaults });
    checkTemplateVariables(ctx, t, at, base);
  });
  const { templates: _templates, ...rest } = spec;
  checkStrings(ctx, rest, path, base);
  checkSpecFields(ctx, spec, path);
  if (spec.metrics !== undefined) checkMetrics(ctx, spec.metrics, [...path, 'metrics']);
}

interface RefResult {
  used: boolean;
  template?: WorkflowTemplate;
}

function checkWorkflowTemplateRef(ctx: LintContext, spec: WorkflowSpec, path: Path): RefResult {
  const ref = spec.workflowTemplateRef;
  if (!ref) return { used: false };
  const at = [...path, 'workflowTemplateRef'];
  if ((spec.templates?.length ?? 0) > 0) {
    ctx.report.error([...path, 'templates'], 'templates cannot be set when workflowTemplateRef is used');
  }
  if (!ref.name) {
    ctx.report.error(at, 'workflowTemplateRef.name is required');
    return { used: true };
  }
  if (hasTag(ref.name)) return { used: true };
  const template = lookupWorkflowTemplate(ctx.library, ref.name, ref.clusterScope);
  if (!template) ctx.report.error([...at, 'name'], notDefined(ref.name, ref.clusterScope));
  return { used: true, template };
}

/** The Workflow's own arguments win over the referenced template's (Argo's MergeParameters). */
function mergeParameters(own: Parameter[] | undefined, inherited: Parameter[] | undefined): Parameter[] {
  const names = new Set((own ?? []).map((p) => p.name));
  return [...(own ?? []), ...(inherited ?? []).filter((p) => !names.has(p.name))];
}

function checkSpecFields(ctx: LintContext, spec: WorkflowSpec, path: Path): void {
  checkActiveDeadline(ctx, spec.activeDeadlineSeconds, [...path, 'activeDeadlineSeconds']);
  checkIntString(ctx, spec.parallelism, [...path, 'parallelism']);
  checkRetryStrategy(ctx, spec.retryStrategy, [...path, 'retryStrategy']);
  const defaults = spec.templateDefaults;
  if (defaults) {
    checkRetryStrategy(ctx, defaults.retryStrategy, [...path, 'templateDefaults', 'retryStrategy']);
    checkDuration(ctx, defaults.timeout, [...path, 'templateDefaults', 'timeout'], false);
  }
  const strategy = spec.podGC?.strategy;
  if (strategy !== undefined && (strategy as string) !== '' && !POD_GC_STRATEGIES.has(strategy)) {
    ctx.report.error([...path, 'podGC', 'strategy'], `unknown podGC strategy "${strategy}" (${[...POD_GC_STRATEGIES].join(', ')})`);
  }
  checkDuration(ctx, spec.podGC?.deleteDelayDuration, [...path, 'podGC', 'deleteDelayDuration']);
  for (const [label, from] of Object.entries(spec.workflowMetadata?.labelsFrom ?? {})) {
    const err = from.expression === undefined ? 'expression is required' : exprSyntaxError(from.expression);
    if (err) ctx.report.error([...path, 'workflowMetadata', 'labelsFrom', label, 'expression'], err === 'expression is required' ? err : `invalid expression: ${err}`);
  }
}
