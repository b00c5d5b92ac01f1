import { describe, expect, it } from 'vitest';
import { parseExpr } from '../expressions/index.js';
import { cronScheduleError } from './cron-schedule.js';
import { HELLO, lintText as lint } from './test-support.js';

function cron(head: string): string {
  return `
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata: {name: nightly}
        spec:${head}
          workflowSpec:
            entrypoint: hello
            templates:${HELLO.replace(/\n {10}/g, '\n            ')}
      `;
}

describe('cron schedules', () => {
  it.each(['* * * * *', '*/5 * * * *', '0 2 * * 1-5', '15,45 9-17/2 1 JAN-jun sun', '0 0 ? * MON', '@hourly', '@every 90s', 'CRON_TZ=Europe/Paris 0 9 * * *'])(
    'accepts %s',
    (s) => expect(cronScheduleError(s)).toBeUndefined(),
  );

  it.each([
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), found 4'],
    ['60 * * * *', 'minute "60": 60 is out of range 0-59'],
    ['0 0 * * 7', 'day of week "7": 7 is out of range 0-6'],
    ['0 0 * FOO *', 'month "FOO": invalid value "FOO"'],
    ['*/0 * * * *', 'minute "*/0": step must be positive'],
    ['0 5-2 * * *', 'hour "5-2": range 5-2 is backwards'],
    ['@fortnightly', 'unknown descriptor "@fortnightly"'],
    ['@every soon', 'invalid duration "soon" after @every'],
  ])('rejects %s', (s, reason) => expect(cronScheduleError(s)).toBe(reason));
});

describe('CronWorkflow', () => {
  it('accepts a valid CronWorkflow', () => {
    expect(lint(cron(`\n          schedules: ["0 2 * * *"]\n          timezone: America/Los_Angeles\n          concurrencyPolicy: Replace`))).toEqual([]);
  });

  it('reports bad schedules, unknown time zones and policies', () => {
    expect(lint(cron(`\n          schedules: ["0 2 * * *", "0 25 * * *"]\n          timezone: Mars/Olympus_Mons\n          concurrencyPolicy: Sometimes`))).toEqual([
      'f1.yaml:5:28: spec.schedules[1]: invalid cron schedule "0 25 * * *": hour "25": 25 is out of range 0-23',
      'f1.yaml:6:3: spec.timezone: unknown time zone "Mars/Olympus_Mons" (expected an IANA name such as "Europe/Paris")',
      'f1.yaml:7:3: spec.concurrencyPolicy: "Sometimes" is not a concurrency policy (Allow, Forbid, Replace)',
    ]);
  });

  it('requires a schedule, and warns about the v3 `schedule` field', () => {
    expect(lint(cron(''))).toEqual(['f1.yaml:4:1: spec: schedules is required (at least one cron schedule)']);
    expect(lint(cron(`\n          schedule: "*/10 * * * *"`))).toEqual([
      'warning: f1.yaml:5:3: spec.schedule: schedule was removed in Argo Workflows v4; use schedules: [...]',
    ]);
  });

  it('parse-checks the when expression', () => {
    expect(lint(cron(`\n          schedules: ["@daily"]\n          when: "{{= cronworkflow.failed > }}"`))).toEqual([
      `f1.yaml:6:3: spec.when: invalid expression in "{{=cronworkflow.failed >}}": ${exprError('cronworkflow.failed >')}`,
    ]);
  });
});

function exprError(source: string): string {
  try {
    parseExpr(source);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${source} not to parse`);
}

describe('WorkflowEventBinding', () => {
  const template = `
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: on-push}
        spec:
          entrypoint: hello
          templates:${HELLO}
      `;

  it('accepts a binding to a known template', () => {
    const binding = `
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowEventBinding
        metadata: {name: push}
        spec:
          event: {selector: 'payload.ref == "refs/heads/main" && metadata["x-github-event"] == ["push"]'}
          submit:
            workflowTemplateRef: {name: on-push}
            arguments:
              parameters:
              - name: sha
                valueFrom: {event: payload.after}
      `;
    expect(lint(template, binding)).toEqual([]);
  });

  it('reports a bad selector, an unknown template and a missing template name', () => {
    const binding = `
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowEventBinding
        metadata: {name: push}
        spec:
          event: {selector: 'payload.ref == '}
          submit:
            workflowTemplateRef: {name: on-pull}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowEventBinding
        metadata: {name: tag}
        spec:
          event: {selector: 'true'}
          submit:
            workflowTemplateRef: {clusterScope: true}
      `;
    expect(lint(template, binding)).toEqual([
      `f2.yaml:5:11: spec.event.selector: invalid expression: ${exprError('payload.ref == ')}`,
      'f2.yaml:7:27: spec.submit.workflowTemplateRef.name: WorkflowTemplate "on-pull" is not defined',
      'f2.yaml:15:5: spec.submit.workflowTemplateRef: submit.workflowTemplateRef.name is required',
    ]);
  });
});
