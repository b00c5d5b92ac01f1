/** Rules for what a step, a DAG task or a lifecycle hook calls, and with which arguments. */
import type { Arguments, Invocation, LifecycleHooks, Sequence } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { exprSyntaxError, whenSyntaxError } from './expr-check.js';
import { checkFieldNames, PARAM_NAME } from './names.js';
import { describeMissing, missingInputs, resolveByName, resolveHolder, type Resolution, type TemplateHolder, type TemplateScope } from './resolve.js';
import { hasTag } from './tags.js';

/** Resolve the template a holder calls, reporting unknown names and unsupplied inputs. */
export function checkCall(ctx: LintContext, holder: TemplateHolder, scope: TemplateScope, path: Path): Resolution {
  const r = resolveHolder(holder, scope, ctx.library, path);
  if (r.status === 'error') ctx.report.error(r.path, r.message);
  if (r.status === 'found') {
    const missing = missingInputs(r.template, holder.arguments);
    if (missing.length > 0) {
      const at = holder.arguments ? [...path, 'arguments'] : path;
      ctx.report.error(at, describeMissing(r.template.name, missing));
    }
  }
  return r;
}

/** A step or task: the call, its arguments, loops, `when`, `onExit` and hooks. */
export function checkInvocation(ctx: LintContext, inv: Invocation, scope: TemplateScope, path: Path): Resolution {
  const r = checkCall(ctx, inv, scope, path);
  checkArguments(ctx, inv.arguments, [...path, 'arguments'], false);
  checkLoops(ctx, inv, path);
  if (inv.when !== undefined) {
    const err = whenSyntaxError(inv.when);
    if (err) ctx.report.error([...path, 'when'], `invalid when expression: ${err}`);
  }
  if (inv.onExit !== undefined) {
    const exit = resolveByName(inv.onExit, scope, [...path, 'onExit']);
    if (exit.status === 'error') ctx.report.error(exit.path, exit.message);
  }
  checkHooks(ctx, inv.hooks, scope, [...path, 'hooks']);
  return r;
}

export function checkHooks(ctx: LintContext, hooks: LifecycleHooks | undefined, scope: TemplateScope, path: Path): void {
  for (const [event, hook] of Object.entries(hooks ?? {})) {
    const hookPath = [...path, event];
    if (event !== 'exit' && !hook.expression) {
      ctx.report.error(hookPath, `hook "${event}" needs an expression (only the "exit" hook runs without one)`);
    }
    if (hook.expression) {
      const err = exprSyntaxError(hook.expression);
      if (err) ctx.report.error([...hookPath, 'expression'], `invalid expression: ${err}`);
    }
    checkCall(ctx, hook, scope, hookPath);
    checkArguments(ctx, hook.arguments, [...hookPath, 'arguments'], false);
  }
}

const ARG_VALUE_FROM_FORBIDDEN = ['path', 'jsonPath', 'jqFilter', 'parameter', 'expression'] as const;

/**
 * Arguments of a call (or `spec.arguments`, where a value may be left to submit time):
 * names valid and unique, each parameter with a value or an allowed valueFrom, each artifact with
 * a source.
 */
export function checkArguments(ctx: LintContext, args: Arguments | undefined, path: Path, allowEmptyValues: boolean): void {
  if (!args) return;
  const params = args.parameters ?? [];
  checkFieldNames(ctx, params, [...path, 'parameters'], PARAM_NAME);
  params.forEach((p, i) => {
    const at = [...path, 'parameters', i];
    if (p.value === undefined && p.valueFrom === undefined && !allowEmptyValues) {
      ctx.report.error(at, `parameter "${p.name}" needs a value or valueFrom`);
    }
    const vf = p.valueFrom;
    if (vf) {
      const bad = ARG_VALUE_FROM_FORBIDDEN.filter((k) => vf[k] !== undefined);
      if (bad.length > 0 || (vf.configMapKeyRef === undefined && vf.event === undefined && vf.supplied === undefined)) {
        ctx.report.error([...at, 'valueFrom'], 'in arguments, valueFrom only allows configMapKeyRef, event, supplied and default');
      }
    }
    if (p.enum !== undefined && p.value !== undefined && !hasTag(p.value) && !p.enum.includes(p.value)) {
      ctx.report.error([...at, 'value'], `value "${p.value}" is not one of the enum values`);
    }
  });
  const artifacts = args.artifacts ?? [];
  checkFieldNames(ctx, artifacts, [...path, 'artifacts'], PARAM_NAME);
  artifacts.forEach((a, i) => {
    if (a.from !== undefined && a.fromExpression !== undefined) {
      ctx.report.error([...path, 'artifacts', i], 'from and fromExpression cannot both be set');
    }
  });
}

function checkLoops(ctx: LintContext, inv: Invocation, path: Path): void {
  const loops = [
    inv.withItems !== undefined && inv.withItems.length > 0 ? 'withItems' : undefined,
    inv.withParam ? 'withParam' : undefined,
    inv.withSequence !== undefined ? 'withSequence' : undefined,
  ].filter((l) => l !== undefined);
  if (loops.length > 1) {
    ctx.report.error([...path, loops[1]], `only one of withItems, withParam and withSequence can be set (found ${loops.join(' and ')})`);
  }
  if (inv.withSequence) checkSequence(ctx, inv.withSequence, [...path, 'withSequence']);
}

function checkSequence(ctx: LintContext, seq: Sequence, path: Path): void {
  if (seq.count !== undefined && seq.end !== undefined) {
    ctx.report.error([...path, 'end'], 'withSequence takes either count or end, not both');
  } else if (seq.count === undefined && seq.end === undefined) {
    ctx.report.error(path, 'withSequence needs count or end');
  }
  for (const key of ['count', 'start', 'end'] as const) {
    const v = seq[key];
    if (typeof v === 'string' && !hasTag(v) && !/^\s*[-+]?\d+\s*$/.test(v)) {
      ctx.report.error([...path, key], `expected an integer, got "${v}"`);
    }
  }
}
