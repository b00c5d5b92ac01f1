import { describe, expect, it } from 'vitest';
import type { CronWorkflow } from '@slipway/workflow';
import { decide, latestDue, runName } from './cron-decision.js';

const cron = (spec: Partial<CronWorkflow['spec']>): CronWorkflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'CronWorkflow',
  metadata: { name: 'nightly', namespace: 'default' },
  spec: { schedules: ['*/5 * * * *'], workflowSpec: { entrypoint: 'main' }, ...spec },
});
const t = (s: string) => new Date(`2026-01-01T${s}Z`);
const created = t('00:00:30');

describe('cron decisions', () => {
  it('runs the latest scheduled time not run yet, named <cron>-<unix>', () => {
    const d = decide(cron({}), { createdAt: created, suspended: false }, [], t('00:11:00'));
    expect(d).toMatchObject({ kind: 'run', scheduledTime: t('00:10:00') });
    expect(runName(cron({}), t('00:10:00'))).toBe(`nightly-${t('00:10:00').getTime() / 1000}`);
    expect(decide(cron({}), { createdAt: created, lastScheduledTime: t('00:10:00'), suspended: false }, [], t('00:11:00')).kind).toBe('wait');
  });

  it('honours the time zone and several schedules', () => {
    const c = cron({ schedules: ['0 9 * * *', '30 8 * * *'], timezone: 'Europe/Paris' });
    expect(latestDue(c, t('00:00:00'), new Date('2026-01-01T08:45:00Z'))?.toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });

  it('skips a run older than startingDeadlineSeconds', () => {
    const d = decide(cron({ startingDeadlineSeconds: 30 }), { createdAt: created, suspended: false }, [], t('00:06:00'));
    expect(d).toMatchObject({ kind: 'skip', reason: 'missed the starting deadline of 30s' });
  });

  it('concurrencyPolicy: Forbid skips while a run is active, Replace stops it, Allow runs beside it', () => {
    const active = [{ id: 'x', name: 'nightly-1' }];
    const now = t('00:05:10');
    expect(decide(cron({ concurrencyPolicy: 'Forbid' }), { createdAt: created, suspended: false }, active, now).kind).toBe('skip');
    expect(decide(cron({ concurrencyPolicy: 'Replace' }), { createdAt: created, suspended: false }, active, now)).toMatchObject({ kind: 'run', stop: active });
    expect(decide(cron({}), { createdAt: created, suspended: false }, active, now)).toMatchObject({ kind: 'run', stop: [] });
  });

  it('a suspended cron does nothing; spec.when can veto a run', () => {
    expect(decide(cron({}), { createdAt: created, suspended: true }, [], t('00:20:00')).kind).toBe('wait');
    const gated = cron({ when: '{{= cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 600 }}' });
    expect(decide(gated, { createdAt: created, suspended: false }, [], t('00:05:01')).kind).toBe('run');
    expect(decide(gated, { createdAt: created, lastScheduledTime: t('00:05:00'), suspended: false }, [], t('00:10:01')).kind).toBe('skip');
  });
});
