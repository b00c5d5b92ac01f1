/** Rules for CronWorkflow specs: schedules, timezone, policies and the `when` gate. */
import type { CronWorkflow } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { cronScheduleError, isTimeZone } from './cron-schedule.js';
import { exprSyntaxError } from './expr-check.js';
import { hasTag } from './tags.js';
import { checkStrings } from './variables.js';
import { checkWorkflowSpec } from './workflow-spec.js';

const CONCURRENCY_POLICIES = new Set(['Allow', 'Forbid', 'Replace']);

export function checkCronWorkflow(ctx: LintContext, cron: CronWorkflow): void {
  const spec = cron.spec;
  const path: Path = ['spec'];
  const schedules = spec.schedules ?? [];
  if (spec.schedule !== undefined) {
    ctx.report.warning([...path, 'schedule'], 'schedule was removed in Argo Workflows v4; use schedules: [...]');
  }
  if (schedules.length === 0 && !spec.schedule) ctx.report.error(path, 'schedules is required (at least one cron schedule)');
  const all: [string, Path][] = schedules.map((s, i) => [s, [...path, 'schedules', i]]);
  if (spec.schedule) all.push([spec.schedule, [...path, 'schedule']]);
  for (const [schedule, at] of all) {
    const err = cronScheduleError(schedule);
    if (err) ctx.report.error(at, `invalid cron schedule "${schedule}": ${err}`);
  }
  if (spec.timezone && !isTimeZone(spec.timezone)) {
    ctx.report.error([...path, 'timezone'], `unknown time zone "${spec.timezone}" (expected an IANA name such as "Europe/Paris")`);
  }
  if (spec.concurrencyPolicy && !CONCURRENCY_POLICIES.has(spec.concurrencyPolicy)) {
    ctx.report.error([...path, 'concurrencyPolicy'], `"${spec.concurrencyPolicy}" is not a concurrency policy (Allow, Forbid, Replace)`);
  }
  if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds < 0) {
    ctx.report.error([...path, 'startingDeadlineSeconds'], 'startingDeadlineSeconds must not be negative');
  }
  checkExpressionField(ctx, spec.when, [...path, 'when']);
  checkExpressionField(ctx, spec.stopStrategy?.expression, [...path, 'stopStrategy', 'expression']);
  if (!spec.workflowSpec) ctx.report.error(path, 'workflowSpec is required');
  else checkWorkflowSpec(ctx, spec.workflowSpec, [...path, 'workflowSpec'], 'CronWorkflow');
}

/** A bare expr expression, or a string of `{{=…}}` tags. */
function checkExpressionField(ctx: LintContext, value: string | undefined, path: Path): void {
  if (value === undefined) return;
  if (hasTag(value)) {
    checkStrings(ctx, value, path, { inputs: new Set(), itemAllowed: false });
    return;
  }
  const err = exprSyntaxError(value);
  if (err) ctx.report.error(path, `invalid expression: ${err}`);
}
