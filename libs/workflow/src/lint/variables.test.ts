import { describe, expect, it } from 'vitest';
import { parseExpr, parseWhen } from '../expressions/index.js';
import { lintText as lint } from './test-support.js';

function syntaxError(parse: () => unknown): string {
  try {
    parse();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a syntax error');
}

const PRINT = `
          - name: print
            inputs: {parameters: [{name: msg}]}
            container: {image: busybox, args: ["{{inputs.parameters.msg}}"]}`;

describe('variable scope', () => {
  it('allows steps of earlier groups and reports later, same-group and unknown steps', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: first
                template: print
                arguments: {parameters: [{name: msg, value: "{{steps.second.outputs.result}}"}]}
              - name: sibling
                template: print
                arguments: {parameters: [{name: msg, value: "{{steps.first.outputs.result}}"}]}
            - - name: second
                template: print
                arguments: {parameters: [{name: msg, value: "{{steps.first.outputs.result}} {{steps.nobody.id}}"}]}
                hooks:
                  exit: {template: print, arguments: {parameters: [{name: msg, value: "{{steps.second.status}}"}]}}${PRINT}
      `),
    ).toEqual([
      'f1.yaml:11:46: spec.templates[0].steps[0][0].arguments.parameters[0].value: "{{steps.second.outputs.result}}": step "second" is not in an earlier step group, so its values are not available here',
      'f1.yaml:14:46: spec.templates[0].steps[0][1].arguments.parameters[0].value: "{{steps.first.outputs.result}}": step "first" is not in an earlier step group, so its values are not available here',
      'f1.yaml:17:46: spec.templates[0].steps[1][0].arguments.parameters[0].value: "{{steps.nobody.id}}": there is no step "nobody" in template "main"',
    ]);
  });

  it('allows only transitive dependencies in tasks.X references', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            dag:
              tasks:
              - {name: a, template: print, arguments: {parameters: [{name: msg, value: x}]}}
              - {name: b, template: print, depends: a, arguments: {parameters: [{name: msg, value: "{{tasks.a.outputs.result}}"}]}}
              - {name: c, template: print, depends: b, arguments: {parameters: [{name: msg, value: "{{tasks.a.outputs.result}}"}]}}
              - {name: d, template: print, arguments: {parameters: [{name: msg, value: "{{tasks.c.outputs.result}}"}]}}${PRINT}
      `),
    ).toEqual([
      'f1.yaml:13:73: spec.templates[0].dag.tasks[3].arguments.parameters[0].value: "{{tasks.c.outputs.result}}": task "c" is not a dependency (direct or indirect) of task "d"',
    ]);
  });

  it('reports input parameters the template does not declare', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            inputs: {parameters: [{name: msg, value: hi}]}
            container: {image: busybox, args: ["{{inputs.parameters.msg}} {{inputs.parameters.mesage}}"]}
      `),
    ).toEqual(['f1.yaml:9:40: spec.templates[0].container.args[0]: "{{inputs.parameters.mesage}}": template "main" has no input parameter "mesage"']);
  });

  it('reports {{item}} outside a loop', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: looped
                template: print
                withItems: [1, 2]
                arguments: {parameters: [{name: msg, value: "{{item}}"}]}
              - name: plain
                template: print
                arguments: {parameters: [{name: msg, value: "{{item}}"}]}${PRINT}
      `),
    ).toEqual([
      'f1.yaml:15:46: spec.templates[0].steps[0][1].arguments.parameters[0].value: "{{item}}" is only defined in a step or task with withItems, withParam or withSequence',
    ]);
  });

  it('warns about undeclared workflow parameters in a Workflow, not in a WorkflowTemplate', () => {
    const template = (kind: string): string => `
        apiVersion: argoproj.io/v1alpha1
        kind: ${kind}
        metadata: {name: w}
        spec:
          entrypoint: main
          arguments: {parameters: [{name: known}]}
          templates:
          - name: main
            container: {image: busybox, args: ["{{workflow.parameters.known}}", "{{workflow.parameters.unknown}}"]}
      `;
    expect(lint(template('Workflow'))).toEqual([
      'warning: f1.yaml:9:73: spec.templates[0].container.args[1]: "{{workflow.parameters.unknown}}": workflow parameter "unknown" is not declared in spec.arguments.parameters',
    ]);
    expect(lint(template('WorkflowTemplate'))).toEqual([]);
  });

  it('parse-checks {{=expression}} tags', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            container: {image: busybox, args: ["{{=asInt(1) + }}", "{{= sprig.upper('ok') }}"]}
      `),
    ).toEqual([`f1.yaml:8:40: spec.templates[0].container.args[0]: invalid expression in "{{=asInt(1) +}}": ${syntaxError(() => parseExpr('asInt(1) +'))}`]);
  });

  it('parse-checks when expressions with {{…}} replaced by a placeholder', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: flip
                template: print
                arguments: {parameters: [{name: msg, value: x}]}
            - - name: heads
                template: print
                when: "{{steps.flip.outputs.result}} == heads"
                arguments: {parameters: [{name: msg, value: x}]}
              - name: broken
                template: print
                when: "{{steps.flip.outputs.result}} == (heads"
                arguments: {parameters: [{name: msg, value: x}]}${PRINT}
      `),
    ).toEqual([
      `f1.yaml:18:9: spec.templates[0].steps[1][1].when: invalid when expression: ${syntaxError(() => parseWhen('slipwayPlaceholder == (heads'))}`,
    ]);
  });
});
