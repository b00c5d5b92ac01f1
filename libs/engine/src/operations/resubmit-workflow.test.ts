import { describe, expect, it } from 'vitest';
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { run, START } from '../test-support.js';
import { simulate } from '../simulation/simulated-run.js';
import { InMemoryTemplateLibrary } from '@slipway/workflow';
import { resubmitWorkflow, RESUBMITTED_FROM_LABEL } from './resubmit-workflow.js';
import { parseNodeFieldSelector } from './field-selector.js';
import { OperationError } from './errors.js';

const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: hello
  labels: {team: a}
  annotations: {note: keep}
spec:
  entrypoint: main
  arguments: {parameters: [{name: a, value: "1"}, {name: b, value: "2", enum: ["2", "3"]}]}
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "exit {{workflow.parameters.b}}"]}
`;

function finished(): Workflow {
  const r = run(yaml, () => ({ exitCode: 1 }));
  const wf = r.workflow;
  wf.metadata.labels = {
    ...wf.metadata.labels,
    'workflows.argoproj.io/creator': 'someone',
    'workflows.argoproj.io/creator-email': 'someone.at.example.com',
    'workflows.argoproj.io/workflow-archiving-status': 'Pending',
    'workflows.argoproj.io/workflow-template': 'tmpl',
  };
  wf.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'o-1' }];
  wf.spec.shutdown = 'Stop';
  wf.spec.activeDeadlineSeconds = 0;
  return wf;
}

const ids = { nameSuffix: 'xyz12', uid: 'uid-2', now: START + 7_200_000 };

describe('resubmitWorkflow', () => {
  it('gives a new workflow with the same spec, user labels and annotations and no status', () => {
    const old = finished();
    expect(old.status?.phase).toBe('Failed');
    const copy = structuredClone(old);
    const wf = resubmitWorkflow(old, {}, ids);
    expect(old).toEqual(copy);
    expect(wf.status).toBeUndefined();
    expect(wf.metadata).toEqual({
      name: 'hello-xyz12',
      generateName: 'hello-',
      namespace: 'default',
      uid: 'uid-2',
      creationTimestamp: '2026-03-01T12:00:00Z',
      labels: { team: 'a', 'workflows.argoproj.io/workflow-template': 'tmpl', [RESUBMITTED_FROM_LABEL]: 'hello' },
      annotations: { note: 'keep' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'o-1' }],
    });
    const { shutdown: _s, activeDeadlineSeconds: _a, ...spec } = old.spec;
    expect(wf.spec).toEqual(spec);
    expect(wf.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(wf.kind).toBe('Workflow');
  });

  it('keeps the original generateName and overrides parameters like Argo (overrides first)', () => {
    const old = finished();
    old.metadata.generateName = 'greet-';
    const wf = resubmitWorkflow(old, { parameters: ['b=0', 'c=x=y'] }, ids);
    expect(wf.metadata.name).toBe('greet-xyz12');
    expect(wf.spec.arguments?.parameters).toEqual([
      { name: 'b', value: '0' },
      { name: 'c', value: 'x=y' },
      { name: 'a', value: '1' },
    ]);
    const r = simulate(wf, new InMemoryTemplateLibrary([]), (pod) => ({ exitCode: Number(/exit (\d+)/.exec(pod.containers[0].command![2])![1]) }), { start: ids.now });
    expect(r.workflow.status?.phase).toBe('Succeeded');
    expect(Object.values(r.workflow.status?.nodes ?? {}).map((n: NodeStatus) => n.id)).toEqual(['greet-xyz12']);
  });

  it('is deterministic and refuses bad parameters and memoized mode', () => {
    const old = finished();
    expect(resubmitWorkflow(old, { parameters: ['a=9'] }, ids)).toEqual(resubmitWorkflow(old, { parameters: ['a=9'] }, ids));
    expect(() => resubmitWorkflow(old, { parameters: ['a'] }, ids)).toThrow(new OperationError('expected parameter of the form: NAME=VALUE. Received: a'));
    expect(() => resubmitWorkflow(old, { memoized: true }, ids)).toThrow(/memoized resubmit is not supported/);
    const running = { ...old, status: { phase: 'Running' as const } };
    expect(() => resubmitWorkflow(running, { memoized: true }, ids)).toThrow('workflow must be Failed/Error to resubmit in memoized mode');
  });
});

describe('node field selectors', () => {
  const node: NodeStatus = {
    id: 'w-1', name: 'w[0].step-1', displayName: 'step-1', type: 'Pod', phase: 'Succeeded', templateName: 'ok',
    inputs: { parameters: [{ name: 'x', value: 'a,b' }] },
  };
  it.each([
    ['displayName=step-1', true],
    ['displayName==step-1', true],
    ['displayName!=step-1', false],
    ['displayName=step-1,phase=Succeeded', true],
    ['displayName=step-1,phase=Failed', false],
    ['templateName=ok,id=w-1,name=w[0].step-1', true],
    ['inputs.parameters.x.value=a\\,b', true],
    ['templateRef.name=', true],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(parseNodeFieldSelector(selector)(node)).toBe(expected);
  });

  it('matches templateRef fields and rejects what Kubernetes rejects', () => {
    const ref = { ...node, templateName: undefined, templateRef: { name: 'lib', template: 'echo' } };
    expect(parseNodeFieldSelector('templateName=echo,templateRef.name=lib')(ref)).toBe(true);
    expect(() => parseNodeFieldSelector('phase')).toThrow("invalid selector: 'phase'; can't understand 'phase'");
    expect(() => parseNodeFieldSelector('name=a=b')).toThrow(OperationError);
    expect(() => parseNodeFieldSelector('name=a\\x')).toThrow(OperationError);
  });
});
