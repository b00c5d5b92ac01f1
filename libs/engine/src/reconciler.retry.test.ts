import { describe, expect, it } from 'vitest';
import { byName, phases, run, START } from './test-support.js';

const retryWf = (strategy: string, extraTemplate = '') => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: r}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: flaky
        template: flaky
  - name: flaky
    retryStrategy:
${strategy}
    container: {image: busybox, command: [sh, -c, "exit 1"]}
${extraTemplate}
`;

describe('retryStrategy', () => {
  it('limit n allows n+1 attempts named N(0)..N(n) under a Retry node; the last failure wins', () => {
    const r = run(retryWf('      limit: "2"'), () => ({ exitCode: 1 }));
    const n = byName(r.workflow);
    expect(n['r[0].flaky'].type).toBe('Retry');
    expect(n['r[0].flaky'].children).toEqual(['r[0].flaky(0)', 'r[0].flaky(1)', 'r[0].flaky(2)'].map((x) => n[x].id));
    expect(n['r[0].flaky(1)'].nodeFlag).toEqual({ retried: true });
    expect(n['r[0].flaky'].phase).toBe('Failed');
    expect(n['r[0].flaky'].message).toBe('No more retries left');
    expect(r.workflow.status?.phase).toBe('Failed');
  });

  it('stops as soon as an attempt succeeds and takes its outputs', () => {
    const r = run(retryWf('      limit: 5'), (_pod, attempt) => ({ exitCode: attempt < 2 ? 1 : 0 }));
    expect(phases(r.workflow)).toMatchObject({ 'r[0].flaky(0)': 'Failed', 'r[0].flaky(1)': 'Failed', 'r[0].flaky(2)': 'Succeeded', 'r[0].flaky': 'Succeeded' });
    expect(byName(r.workflow)['r[0].flaky'].outputs?.exitCode).toBe('0');
  });

  it('retryPolicy OnError does not retry a Failed attempt', () => {
    const r = run(retryWf('      limit: 3\n      retryPolicy: OnError'), () => ({ exitCode: 1 }));
    expect(Object.keys(phases(r.workflow)).filter((k) => k.includes('('))).toEqual(['r[0].flaky(0)']);
  });

  it('expression sees lastRetry.exitCode and stops with Argo\'s message', () => {
    const r = run(retryWf('      limit: 10\n      expression: "asInt(lastRetry.exitCode) > 1"'), (_p, attempt) => ({ exitCode: attempt === 0 ? 2 : 1 }));
    const n = byName(r.workflow);
    expect(n['r[0].flaky'].children).toHaveLength(2);
    expect(n['r[0].flaky'].message).toBe('retryStrategy.expression evaluated to false');
  });

  it('backoff waits duration * factor^(n-1), capped, before the next attempt', () => {
    const r = run(retryWf('      limit: 3\n      backoff: {duration: "10s", factor: 2, cap: "15s"}'), () => ({ exitCode: 1, durationMs: 1000 }));
    const n = byName(r.workflow);
    const started = [0, 1, 2, 3].map((i) => Date.parse(n[`r[0].flaky(${i})`].startedAt!) - START);
    // attempt k+1 starts when attempt k ended (1 s) plus 10 s, 15 s (20 s capped), 15 s
    expect(started).toEqual([0, 11_000, 27_000, 43_000]);
  });

  it('{{retries}} is the attempt index inside the template', () => {
    const r = run(retryWf('      limit: 2', '').replace('command: [sh, -c, "exit 1"]', 'command: [echo, "try {{retries}}"]'), () => ({ exitCode: 1 }));
    expect(r.pods.map((p) => p.containers[0].command?.[1])).toEqual(['try 0', 'try 1', 'try 2']);
  });
});
