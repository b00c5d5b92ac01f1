import { describe, expect, it } from 'vitest';
import { byName, phases, run } from './test-support.js';

const wf = (templates: string, entry = 'main', extra = '') => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: w
spec:
  entrypoint: ${entry}
${extra}
  templates:
${templates}
  - name: echo
    inputs:
      parameters: [{name: msg}]
    container: {image: busybox, command: [echo], args: ["{{inputs.parameters.msg}}"]}
`;

describe('loops', () => {
  it('withItems names children (i:value) under the step group, maps as sorted k:v', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: s
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [1, "two (2)", true]
    - - name: m
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item.b}}-{{item.a}}"}]}
        withItems: [{b: x, a: 1}]`));
    expect(Object.keys(phases(r.workflow)).sort()).toEqual([
      'w', 'w[0]', 'w[0].s(0:1)', 'w[0].s(1:two 2)', 'w[0].s(2:true)', 'w[1]', 'w[1].m(0:a:1,b:x)',
    ]);
    expect(r.pods.map((p) => p.containers[0].args?.[0])).toEqual(['1', 'two (2)', 'true', 'x-1']);
    expect(byName(r.workflow)['w[0].s(1:two 2)'].displayName).toBe('s(1:two 2)');
  });

  it('withSequence counts, formats and descends when end < start; items are strings', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: up
        template: echo
        arguments: {parameters: [{name: msg, value: "user{{item}}"}]}
        withSequence: {count: "3", format: "%02X"}
      - name: down
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withSequence: {start: "5", end: "3"}`));
    const names = Object.keys(phases(r.workflow));
    expect(names).toEqual(expect.arrayContaining(['w[0].up(0:00)', 'w[0].up(2:02)', 'w[0].down(0:5)', 'w[0].down(2:3)']));
    expect(r.pods.map((p) => p.containers[0].args?.[0])).toEqual(['user00', 'user01', 'user02', '5', '4', '3']);
  });

  it('withParam over an empty list gives a Skipped node "Skipped, empty params"', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: none
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withParam: "[]"`));
    const n = byName(r.workflow)['w[0].none'];
    expect(n.type).toBe('Skipped');
    expect(n.phase).toBe('Skipped');
    expect(n.message).toBe('Skipped, empty params');
    expect(r.workflow.status?.phase).toBe('Succeeded');
  });

  it('withParam that is not a JSON list errors the step group (no child node), with Go\'s json message', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: bad
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withParam: "not json"`));
    // Argo's expandStepGroup error marks only the group (steps.go executeStepGroup).
    const message = "withParam value could not be parsed as a JSON list: not json: invalid character 'o' in literal null (expecting 'u')";
    expect(r.workflow.status?.phase).toBe('Failed');
    expect(byName(r.workflow)['w[0].bad']).toBeUndefined();
    expect(byName(r.workflow)['w[0]']).toMatchObject({ phase: 'Error', message });
    expect(r.workflow.status?.message).toBe(message);
  });

  it('aggregates loop outputs: parameters as a list of maps, a parameter as a list, results as parsed JSON', () => {
    const r = run(
      wf(`
  - name: main
    steps:
    - - name: gen
        template: gen
        arguments: {parameters: [{name: n, value: "{{item}}"}]}
        withItems: [1, 2, 3]
    - - name: show
        template: echo
        arguments: {parameters: [{name: msg, value: "{{steps.gen.outputs.parameters}}|{{steps.gen.outputs.parameters.num}}|{{steps.gen.outputs.result}}"}]}
  - name: gen
    inputs: {parameters: [{name: n}]}
    script: {image: python, command: [python], source: "print({{inputs.parameters.n}})"}
    outputs:
      parameters:
      - name: num
        valueFrom: {path: /tmp/num}`),
      (pod) => (pod.templateName === 'gen' ? { stdout: `${pod.template.inputs?.parameters?.[0].value}\n`, outputs: { num: pod.template.inputs?.parameters?.[0].value ?? null } } : {}),
    );
    const show = r.pods.find((p) => p.templateName === 'echo')!;
    expect(show.containers[0].args?.[0]).toBe('[{"num":"1"},{"num":"2"},{"num":"3"}]|["1","2","3"]|[1,2,3]');
  });

  it('DAG loops create a TaskGroup node with the expanded children', () => {
    const r = run(wf(`
  - name: main
    dag:
      tasks:
      - name: t
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [a, b]`));
    const nodes = byName(r.workflow);
    expect(nodes['w.t'].type).toBe('TaskGroup');
    expect(nodes['w.t'].phase).toBe('Succeeded');
    expect(nodes['w.t'].children).toEqual([nodes['w.t(0:a)'].id, nodes['w.t(1:b)'].id]);
  });
});
