import { describe, expect, it } from 'vitest';
import type { PodBehaviour } from '../simulation/simulated-run.js';
import { byName, phases } from '../test-support.js';
import { retryWorkflow } from './retry-workflow.js';
import { OperationError } from './errors.js';
import { dagBehaviour, dagYaml, first, LATER, podsRun, retryThenRun } from './retry-test-support.js';

describe('retryWorkflow: what runs again', () => {
  it('restartSuccessful + nodeFieldSelector re-runs a succeeded step and what came after it', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: s}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: step-1, template: ok}
    - - {name: step-2, template: ok}
    - - {name: step-3, template: ok}
  - name: ok
    container: {image: busybox, command: ["true"]}
`;
    const run = first(yaml, () => ({}));
    expect(run.r.workflow.status?.phase).toBe('Succeeded');
    const snap = run.r.reconciler.snapshot();
    expect(() => retryWorkflow(snap.workflow, snap.runtime, {}, LATER)).toThrow(
      new OperationError('To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector'),
    );
    const { before, second } = retryThenRun(run, { restartSuccessful: true, nodeFieldSelector: 'displayName=step-2,phase=Succeeded' }, () => ({}));
    expect(phases(before)).toEqual({ s: 'Running', 's[0]': 'Succeeded', 's[0].step-1': 'Succeeded', 's[1]': 'Running' });
    expect(podsRun(second)).toEqual(['s[1].step-2', 's[2].step-3']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('nodeFieldSelector by templateName in a DAG re-runs the matching tasks and their dependents only', () => {
    const run = first(dagYaml, dagBehaviour(false));
    expect(run.r.workflow.status?.phase).toBe('Succeeded');
    const { before, second } = retryThenRun(run, { restartSuccessful: true, nodeFieldSelector: 'templateName=work,name!=d.D' }, dagBehaviour(false));
    expect(Object.keys(phases(before)).sort()).toEqual(['d', 'd.A', 'd.D']);
    expect(podsRun(second)).toEqual(['d.B', 'd.C']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('a failed loop item in a TaskGroup runs again alone', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: l}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: L, template: item, arguments: {parameters: [{name: x, value: "{{item}}"}]}, withItems: [1, 2, 3]}
  - name: item
    inputs: {parameters: [{name: x}]}
    container: {image: busybox, command: [sh, -c, "item {{inputs.parameters.x}}"]}
`;
    let failing = true;
    const behaviour: PodBehaviour = (pod) => ({ exitCode: failing && pod.nodeName === 'l.L(1:2)' ? 1 : 0 });
    const run = first(yaml, behaviour);
    expect(phases(run.r.workflow)).toMatchObject({ l: 'Failed', 'l.L': 'Failed', 'l.L(1:2)': 'Failed' });
    failing = false;
    const { before, second } = retryThenRun(run, {}, behaviour);
    expect(phases(before)).toMatchObject({ l: 'Running', 'l.L': 'Running', 'l.L(0:1)': 'Succeeded', 'l.L(2:3)': 'Succeeded' });
    expect(podsRun(second)).toEqual(['l.L(1:2)']);
    expect(byName(second.workflow)['l.L'].children).toHaveLength(3);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('parameters re-expand a reset TaskGroup with the new values (Argo #15802)', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  entrypoint: main
  arguments: {parameters: [{name: items, value: '["pass","fail"]'}]}
  templates:
  - name: main
    dag:
      tasks:
      - {name: launch, template: pf, arguments: {parameters: [{name: p, value: "{{item}}"}]}, withParam: "{{workflow.parameters.items}}"}
  - name: pf
    retryStrategy: {limit: "0"}
    inputs: {parameters: [{name: p}]}
    container: {image: busybox, command: [sh, -c, "test {{inputs.parameters.p}}"]}
`;
    const behaviour: PodBehaviour = (pod) => ({ exitCode: pod.containers[0].command?.[2]?.includes('fail') ? 1 : 0 });
    const run = first(yaml, behaviour);
    expect(run.r.workflow.status?.phase).toBe('Failed');
    const { before, second } = retryThenRun(run, { parameters: ['items=["pass","again"]'] }, behaviour);
    expect(phases(before)).toEqual({ w: 'Running', 'w.launch': 'Running' });
    expect(podsRun(second)).toEqual(['w.launch(0:pass)(0)', 'w.launch(1:again)(0)']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('resumes nested controllers: a failed task of a DAG inside a step runs again in place', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: n}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: inner, template: inner}
    - - {name: last, template: ok}
  - name: inner
    dag:
      tasks:
      - {name: a, template: ok}
      - {name: b, template: flaky, depends: a}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: flaky
    container: {image: busybox, command: [sh, -c, "flaky"]}
`;
    let failing = true;
    const run = first(yaml, (pod) => ({ exitCode: failing && pod.templateName === 'flaky' ? 1 : 0 }));
    failing = false;
    const { before, second } = retryThenRun(run, {}, () => ({}));
    expect(phases(before)).toEqual({ n: 'Running', 'n[0]': 'Running', 'n[0].inner': 'Running', 'n[0].inner.a': 'Succeeded' });
    expect(podsRun(second)).toEqual(['n[0].inner.b', 'n[1].last']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('keeps a failed step that continueOn let the workflow go past', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: c}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: tolerated, template: bad, continueOn: {failed: true}}
    - - {name: next, template: ok}
    - - {name: broken, template: bad}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: bad
    container: {image: busybox, command: [sh, -c, "bad"]}
`;
    let failing = true;
    const run = first(yaml, (pod) => ({ exitCode: failing && pod.templateName === 'bad' ? 1 : 0 }));
    failing = false;
    const { second } = retryThenRun(run, {}, () => ({}));
    expect(podsRun(second)).toEqual(['c[2].broken']);
    expect(phases(second.workflow)).toMatchObject({ c: 'Succeeded', 'c[0].tolerated': 'Failed' });
  });

  it('runs a step exit hook again when the retry removed it (the step itself is kept)', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: h}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: ok, onExit: hook}
      - {name: b, template: ok}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: hook
    container: {image: busybox, command: [sh, -c, "hook"]}
`;
    const run = first(yaml, () => ({}));
    expect(phases(run.r.workflow)).toMatchObject({ h: 'Succeeded', 'h[0].a.onExit': 'Succeeded' });
    const { before, second } = retryThenRun(run, { restartSuccessful: true, nodeFieldSelector: 'displayName=a.onExit' }, () => ({}));
    expect(phases(before)).toEqual({ h: 'Running', 'h[0]': 'Running', 'h[0].a': 'Succeeded', 'h[0].b': 'Succeeded' });
    expect(podsRun(second)).toEqual(['h[0].a.onExit']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
    expect(byName(second.workflow)['h[0].a'].children).toEqual([byName(second.workflow)['h[0].a.onExit'].id]);
  });

});
