/** Rules for one template: its type, names, leaf-only fields, steps/DAG bodies and outputs. */
import type { Parameter, Template } from '../model/spec.js';
import { checkMetrics } from './metrics.js';
import type { LintContext, Path } from './context.js';
import { checkDag } from './dag.js';
import { exprSyntaxError } from './expr-check.js';
import { checkActiveDeadline, checkDuration, checkRetryStrategy } from './fields.js';
import { checkInvocation } from './invocation.js';
import { checkFieldNames, FIELD_NAME, PARAM_NAME } from './names.js';
import type { TemplateScope } from './resolve.js';

export const TEMPLATE_TYPES = ['container', 'script', 'containerSet', 'resource', 'suspend', 'steps', 'dag', 'http', 'plugin', 'data'] as const;
export type TemplateTypeKey = (typeof TEMPLATE_TYPES)[number];

const NON_LEAF = new Set<TemplateTypeKey>(['steps', 'dag', 'suspend']);
const RESOURCE_ACTIONS = new Set(['get', 'create', 'apply', 'delete', 'replace', 'patch']);

export function templateType(t: Template): TemplateTypeKey | undefined {
  return TEMPLATE_TYPES.find((k) => t[k] !== undefined);
}

export interface TemplateEnv {
  scope: TemplateScope;
  /** `spec.templateDefaults`, which may supply e.g. the image. */
  defaults?: Partial<Template>;
}

export function checkTemplate(ctx: LintContext, t: Template, path: Path, env: TemplateEnv): void {
  const types = TEMPLATE_TYPES.filter((k) => t[k] !== undefined);
  if (types.length !== 1) {
    const found = types.length === 0 ? 'found none' : `found ${types.join(' and ')}`;
    ctx.report.error(path, `a template needs exactly one of ${TEMPLATE_TYPES.join(', ')}; ${found}`);
  }
  const type = types[0] as TemplateTypeKey | undefined;
  if (type !== undefined) checkKindSpecific(ctx, t, type, path, env);

  checkFieldNames(ctx, t.inputs?.parameters ?? [], [...path, 'inputs', 'parameters'], PARAM_NAME, 'parameter');
  checkFieldNames(ctx, t.inputs?.artifacts ?? [], [...path, 'inputs', 'artifacts'], PARAM_NAME, 'artifact');
  checkFieldNames(ctx, t.outputs?.parameters ?? [], [...path, 'outputs', 'parameters'], PARAM_NAME, 'parameter');
  checkFieldNames(ctx, t.outputs?.artifacts ?? [], [...path, 'outputs', 'artifacts'], PARAM_NAME, 'artifact');
  (t.outputs?.parameters ?? []).forEach((p, i) => checkOutputParameter(ctx, p, [...path, 'outputs', 'parameters', i]));
  (t.outputs?.artifacts ?? []).forEach((a, i) => {
    if (a.fromExpression === undefined) return;
    const err = exprSyntaxError(a.fromExpression);
    if (err) ctx.report.error([...path, 'outputs', 'artifacts', i, 'fromExpression'], `invalid expression: ${err}`);
  });

  checkRetryStrategy(ctx, t.retryStrategy, [...path, 'retryStrategy']);
  if (t.metrics !== undefined) checkMetrics(ctx, t.metrics, [...path, 'metrics']);
  checkDuration(ctx, t.timeout, [...path, 'timeout'], false);
  checkDuration(ctx, t.pendingTimeout as string | undefined, [...path, 'pendingTimeout'], false);
  checkActiveDeadline(ctx, t.activeDeadlineSeconds, [...path, 'activeDeadlineSeconds']);
  if (type !== undefined && NON_LEAF.has(type)) {
    if (t.timeout !== undefined) ctx.report.error([...path, 'timeout'], `timeout is not supported on ${type} templates`);
    if (t.pendingTimeout !== undefined) ctx.report.error([...path, 'pendingTimeout'], `pendingTimeout is not supported on ${type} templates`);
  }
  if (type !== undefined && (type === 'steps' || type === 'dag') && t.activeDeadlineSeconds !== undefined) {
    ctx.report.error([...path, 'activeDeadlineSeconds'], `activeDeadlineSeconds is only valid on leaf templates, not on ${type} templates`);
  }
  if (type !== undefined && type !== 'steps' && type !== 'dag' && t.parallelism !== undefined) {
    ctx.report.error([...path, 'parallelism'], 'parallelism is only valid on steps and dag templates');
  }
}

function checkKindSpecific(ctx: LintContext, t: Template, type: TemplateTypeKey, path: Path, env: TemplateEnv): void {
  switch (type) {
    case 'steps':
      checkSteps(ctx, t, [...path, 'steps'], env);
      return;
    case 'dag':
      if (!t.dag) return;
      checkDag(ctx, t.dag, [...path, 'dag']);
      (t.dag.tasks ?? []).forEach((task, i) => {
        const at = [...path, 'dag', 'tasks', i];
        checkInvocation(ctx, task, env.scope, at);
        if (task.inline) checkTemplate(ctx, task.inline, [...at, 'inline'], env);
      });
      return;
    case 'container':
    case 'script':
      if (!t[type]?.image && !env.defaults?.[type]?.image) {
        ctx.report.error([...path, type], `${type}.image is required`);
      }
      return;
    case 'suspend':
      checkDuration(ctx, t.suspend?.duration, [...path, 'suspend', 'duration']);
      return;
    case 'resource': {
      const r = t.resource;
      const action: string = r?.action ?? '';
      if (r && !action.includes('{{') && !RESOURCE_ACTIONS.has(action)) {
        ctx.report.error([...path, 'resource', 'action'], `action must be one of ${[...RESOURCE_ACTIONS].join(', ')}`);
      }
      if (r && action !== 'get' && action !== 'delete' && !r.manifest && !r.manifestFrom) {
        ctx.report.error([...path, 'resource'], 'either manifest or manifestFrom is required');
      }
      return;
    }
    case 'containerSet':
      checkDuration(ctx, t.containerSet?.retryStrategy?.duration, [...path, 'containerSet', 'retryStrategy', 'duration']);
      return;
    case 'http':
    case 'plugin':
    case 'data':
      return;
  }
}

function checkSteps(ctx: LintContext, t: Template, path: Path, env: TemplateEnv): void {
  const groups = t.steps ?? [];
  const flat = groups.flatMap((g, i) => (Array.isArray(g) ? g.map((step, j) => ({ step, at: [...path, i, j] })) : []));
  checkFieldNames(
    ctx,
    flat.map((f) => f.step),
    path,
    FIELD_NAME,
    'step',
    (k) => flat[k].at,
  );
  for (const { step, at } of flat) {
    checkInvocation(ctx, step, env.scope, at);
    if (step.inline) checkTemplate(ctx, step.inline, [...at, 'inline'], env);
  }
}

function checkOutputParameter(ctx: LintContext, p: Parameter, path: Path): void {
  if (p.value !== undefined && p.valueFrom !== undefined) {
    ctx.report.error(path, `output parameter "${p.name}" has both value and valueFrom; choose one`);
  } else if (p.value === undefined && p.valueFrom === undefined) {
    ctx.report.error(path, `output parameter "${p.name}" needs valueFrom (or a value)`);
  }
  const expression = p.valueFrom?.expression;
  if (expression !== undefined) {
    const err = exprSyntaxError(expression);
    if (err) ctx.report.error([...path, 'valueFrom', 'expression'], `invalid expression: ${err}`);
  }
}
