/**
 * When a CronWorkflow should start a workflow (Argo's cron controller): the latest scheduled time
 * not yet run, unless it is older than startingDeadlineSeconds; `when` may veto it;
 * concurrencyPolicy decides what happens to runs still active. Pure: time is an input.
 */
import { CronExpressionParser } from 'cron-parser';
import { argoExprEnv, evaluateExpr, type CronWorkflow } from '@slipway/workflow';

export interface ActiveRun {
  id: string;
  name: string;
}

export type CronDecision =
  | { kind: 'wait'; next?: Date }
  | { kind: 'skip'; scheduledTime: Date; reason: string }
  | { kind: 'run'; scheduledTime: Date; stop: ActiveRun[] };

export class CronScheduleError extends Error {}

function schedulesOf(cron: CronWorkflow): string[] {
  const spec = cron.spec;
  const list = [...(spec.schedules ?? []), ...(spec.schedule ? [spec.schedule] : [])];
  if (list.length === 0) throw new CronScheduleError('spec.schedules is empty');
  return list;
}

/** The most recent scheduled time in (after, now], across all schedules. */
export function latestDue(cron: CronWorkflow, after: Date, now: Date): Date | undefined {
  let latest: Date | undefined;
  for (const schedule of schedulesOf(cron)) {
    const it = CronExpressionParser.parse(schedule, { currentDate: now, tz: cron.spec.timezone || 'UTC' });
    let prev: Date;
    try {
      prev = it.prev().toDate();
    } catch {
      continue;
    }
    if (prev.getTime() > after.getTime() && prev.getTime() <= now.getTime() && (!latest || prev > latest)) latest = prev;
  }
  return latest;
}

export function nextRun(cron: CronWorkflow, now: Date): Date | undefined {
  let next: Date | undefined;
  for (const schedule of schedulesOf(cron)) {
    const t = CronExpressionParser.parse(schedule, { currentDate: now, tz: cron.spec.timezone || 'UTC' }).next().toDate();
    if (!next || t < next) next = t;
  }
  return next;
}

export function decide(cron: CronWorkflow, state: { lastScheduledTime?: Date; createdAt: Date; suspended: boolean }, active: ActiveRun[], now: Date): CronDecision {
  if (state.suspended || cron.spec.suspend) return { kind: 'wait' };
  const after = state.lastScheduledTime ?? state.createdAt;
  const due = latestDue(cron, after, now);
  if (!due) return { kind: 'wait', next: nextRun(cron, now) };
  const deadline = cron.spec.startingDeadlineSeconds;
  if (deadline !== undefined && now.getTime() - due.getTime() > deadline * 1000) {
    return { kind: 'skip', scheduledTime: due, reason: `missed the starting deadline of ${deadline}s` };
  }
  if (cron.spec.when) {
    const expression = cron.spec.when.replace(/^\{\{=?|\}\}$/g, '').trim();
    const env = argoExprEnv({
      cronworkflow: { name: cron.metadata.name, namespace: cron.metadata.namespace, lastScheduledTime: state.lastScheduledTime ?? null },
      now: () => now,
    });
    let ok: unknown;
    try {
      ok = evaluateExpr(expression, env);
    } catch (err) {
      return { kind: 'skip', scheduledTime: due, reason: `spec.when: ${(err as Error).message}` };
    }
    if (ok !== true) return { kind: 'skip', scheduledTime: due, reason: 'spec.when evaluated false' };
  }
  switch (cron.spec.concurrencyPolicy ?? 'Allow') {
    case 'Forbid':
      if (active.length > 0) return { kind: 'skip', scheduledTime: due, reason: 'concurrencyPolicy Forbid: a run is still active' };
      return { kind: 'run', scheduledTime: due, stop: [] };
    case 'Replace':
      return { kind: 'run', scheduledTime: due, stop: active };
    default:
      return { kind: 'run', scheduledTime: due, stop: [] };
  }
}

/** Argo names a cron run `<cron name>-<unix seconds of the scheduled time>`: a second submission of the same run collides. */
export function runName(cron: CronWorkflow, scheduledTime: Date): string {
  return `${cron.metadata.name}-${Math.floor(scheduledTime.getTime() / 1000)}`;
}
