import { describe, expect, it } from 'vitest';
import { byName, phases, run } from './test-support.js';
import type { PodBehaviour } from './simulation/simulated-run.js';

const wf = (templates: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: w
spec:
  entrypoint: main
  templates:
${templates}
  - name: say
    inputs:
      parameters: [{name: msg}]
    script: {image: alpine, command: [sh], source: "echo {{inputs.parameters.msg}}"}
  - name: echo
    inputs:
      parameters: [{name: msg}]
    container: {image: busybox, command: [echo], args: ["{{inputs.parameters.msg}}"]}
`;

/** The script prints its message (the substituted source ends with it). */
const say: PodBehaviour = (pod) => ({ stdout: `${pod.scriptSource?.replace(/^echo /, '') ?? ''}\n` });

describe("loop results are aggregated as JSON, as Argo's processAggregateNodeOutputs does", () => {
  it('a steps loop whose results are JSON feeds the next group a list', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: s
        template: say
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [1, 2]
    - - name: t
        template: echo
        arguments: {parameters: [{name: msg, value: "{{steps.s.outputs.result}}"}]}`), say);
    expect(r.workflow.status?.phase).toBe('Succeeded');
    expect(byName(r.workflow)['w[1].t'].inputs?.parameters?.[0].value).toBe('[1,2]');
  });

  it('a steps loop whose result is not JSON errors the steps node with Go\'s json message', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: s
        template: say
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [hello, tails]
    - - name: t
        template: echo
        arguments: {parameters: [{name: msg, value: "never"}]}`), say);
    expect(phases(r.workflow)).toEqual({ w: 'Error', 'w[0]': 'Succeeded', 'w[0].s(0:hello)': 'Succeeded', 'w[0].s(1:tails)': 'Succeeded' });
    expect(byName(r.workflow).w.message).toBe("invalid character 'h' looking for beginning of value");
    expect(r.workflow.status?.phase).toBe('Error');
  });

  it('a DAG task whose looped ancestor has a non-JSON result is an Error node; so is the DAG', () => {
    const r = run(wf(`
  - name: main
    dag:
      tasks:
      - name: s
        template: say
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [tails]
      - name: t
        depends: s
        template: echo
        arguments: {parameters: [{name: msg, value: "x"}]}`), say);
    const nodes = byName(r.workflow);
    expect(nodes['w.t']).toMatchObject({ type: 'Skipped', phase: 'Error', message: "invalid character 'a' in literal true (expecting 'r')" });
    expect(nodes.w.phase).toBe('Error');
  });

  it('a DAG whose looped leaf has a non-JSON result ends in Error', () => {
    const r = run(wf(`
  - name: main
    dag:
      tasks:
      - name: s
        template: say
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [a b]`), say);
    expect(byName(r.workflow).w).toMatchObject({ phase: 'Error', message: "invalid character 'a' looking for beginning of value" });
  });

  it('container loops whose stdout nobody references capture no result and aggregate fine', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: s
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [hello]
    - - name: t
        template: echo
        arguments: {parameters: [{name: msg, value: "done"}]}`), () => ({ stdout: 'hello\n' }));
    expect(r.workflow.status?.phase).toBe('Succeeded');
  });
});

describe("step group errors, as Argo's executeStepGroup reports them", () => {
  it("a step's bad `when` fails the group before any child starts: no node, 'failed to resolve references'", () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: fine
        template: echo
        arguments: {parameters: [{name: msg, value: "x"}]}
      - name: bad
        template: echo
        when: "1 +"
        arguments: {parameters: [{name: msg, value: "x"}]}`));
    expect(phases(r.workflow)).toEqual({ w: 'Failed', 'w[0]': 'Error' });
    expect(byName(r.workflow)['w[0]'].message).toMatch(/^failed to resolve references: Invalid 'when' expression '1 \+'/);
    expect(r.pods).toHaveLength(0);
  });

  it("a looped item's bad `when` is an Error node of its own; the group errors", () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: s
        template: echo
        when: "{{item}} +"
        arguments: {parameters: [{name: msg, value: "x"}]}
        withItems: [1]`));
    expect(byName(r.workflow)['w[0].s(0:1)']).toMatchObject({ type: 'Skipped', phase: 'Error' });
    expect(byName(r.workflow)['w[0]'].phase).toBe('Error');
  });

  it('withParam "null" is an empty loop; "Skipped, empty params" children come first in the group', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: a
        template: echo
        arguments: {parameters: [{name: msg, value: "x"}]}
      - name: b
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withParam: "null"`));
    const nodes = byName(r.workflow);
    expect(nodes['w[0].b']).toMatchObject({ type: 'Skipped', phase: 'Skipped', message: 'Skipped, empty params' });
    expect(nodes['w[0]'].children).toEqual([nodes['w[0].b'].id, nodes['w[0].a'].id]);
    expect(r.workflow.status?.phase).toBe('Succeeded');
  });

  it('withParam of a JSON object names Go\'s unmarshal type error', () => {
    const r = run(wf(`
  - name: main
    steps:
    - - name: b
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withParam: '{"a": 1}'`));
    expect(byName(r.workflow)['w[0]'].message).toBe(
      'withParam value could not be parsed as a JSON list: {"a": 1}: json: cannot unmarshal object into Go value of type []v1alpha1.Item',
    );
  });
});
