import { describe, expect, it } from 'vitest';
import { InMemoryTemplateLibrary } from '../library/template-library.js';
import { formatDiagnostic, parseYamlDocuments } from '../yaml/index.js';
import { lintDocuments } from './index.js';
import { HELLO, lintText as lint, yaml } from './test-support.js';

const LIBRARY = `
  apiVersion: argoproj.io/v1alpha1
  kind: WorkflowTemplate
  metadata:
    name: library
  spec:
    arguments:
      parameters:
      - name: greeting
        value: hi
    templates:
    - name: say
      inputs:
        parameters:
        - name: message
        - name: volume
          default: "3"
      container:
        image: busybox
        args: ["{{inputs.parameters.message}}"]
`;

describe('template references', () => {
  it('reports an undefined entrypoint', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:${HELLO}
      `),
    ).toEqual(['f1.yaml:5:3: spec.entrypoint: template "main" is not defined']);
  });

  it('requires an entrypoint on a Workflow', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          templates:${HELLO}
      `),
    ).toEqual(['f1.yaml:4:1: spec: entrypoint is required']);
  });

  it('reports undefined templates in steps, tasks, hooks and onExit', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          onExit: cleanup
          templates:
          - name: main
            steps:
            - - name: a
                template: whalesay
                hooks:
                  exit: {template: notify}
          - name: graph
            dag:
              tasks:
              - name: b
                template: hello
                onExit: bye
          ${HELLO.trim()}
      `),
    ).toEqual([
      'f1.yaml:6:3: spec.onExit: template "cleanup" is not defined',
      'f1.yaml:11:9: spec.templates[0].steps[0][0].template: template "whalesay" is not defined',
      'f1.yaml:13:18: spec.templates[0].steps[0][0].hooks.exit.template: template "notify" is not defined',
      'f1.yaml:19:9: spec.templates[1].dag.tasks[0].onExit: template "bye" is not defined',
    ]);
  });

  it('resolves templateRef across documents and reports unknown templates and WorkflowTemplates', () => {
    expect(
      lint(
        LIBRARY,
        `
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: ok
                templateRef: {name: library, template: say}
                arguments: {parameters: [{name: message, value: hello}]}
              - name: no-template
                templateRef: {name: library, template: shout}
              - name: no-library
                templateRef: {name: other, template: say}
              - name: no-cluster
                templateRef: {name: library, template: say, clusterScope: true}
      `,
      ),
    ).toEqual([
      'f2.yaml:13:38: spec.templates[0].steps[0][1].templateRef.template: template "shout" is not defined in WorkflowTemplate "library"',
      'f2.yaml:15:23: spec.templates[0].steps[0][2].templateRef.name: WorkflowTemplate "other" is not defined',
      'f2.yaml:17:23: spec.templates[0].steps[0][3].templateRef.name: ClusterWorkflowTemplate "library" is not defined',
    ]);
  });

  it('resolves templateRef through a caller-supplied library', () => {
    const library = new InMemoryTemplateLibrary([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterWorkflowTemplate', metadata: { name: 'shared' }, spec: { templates: [{ name: 't', container: { image: 'x' } }] } },
    ]);
    const text = yaml(`
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata: {name: w}
      spec:
        entrypoint: main
        templates:
        - name: main
          steps:
          - - name: a
              templateRef: {name: shared, template: t, clusterScope: true}
    `);
    const docs = parseYamlDocuments(text, 'w.yaml').documents;
    expect(lintDocuments(docs, { library }).map(formatDiagnostic)).toEqual([]);
  });

  it('reports an unknown spec.workflowTemplateRef', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: w-}
        spec:
          workflowTemplateRef:
            name: nowhere
      `),
    ).toEqual(['f1.yaml:6:5: spec.workflowTemplateRef.name: WorkflowTemplate "nowhere" is not defined']);
  });
});

describe('required input parameters', () => {
  it('reports a step that does not supply a required input, also through templateRef', () => {
    expect(
      lint(
        LIBRARY,
        `
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - name: local
                template: print
              - name: remote
                templateRef: {name: library, template: say}
                arguments:
                  parameters:
                  - {name: volume, value: "11"}
                  - {name: unused-extra, value: "fine"}
          - name: print
            inputs:
              parameters:
              - name: text
              - name: colour
                value: red
            container: {image: busybox}
      `,
      ),
    ).toEqual([
      'f2.yaml:9:9: spec.templates[0].steps[0][0]: template "print" requires input parameter "text", which is not supplied',
      'f2.yaml:13:9: spec.templates[0].steps[0][1].arguments: template "say" requires input parameter "message", which is not supplied',
    ]);
  });

  it('checks the entrypoint inputs against spec.arguments', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: print
          arguments:
            parameters:
            - name: colour
              value: blue
          templates:
          - name: print
            inputs:
              parameters:
              - name: text
              - name: colour
            container: {image: busybox}
      `),
    ).toEqual(['f1.yaml:6:3: spec.arguments: entrypoint template "print" requires input parameter "text", which is not supplied in spec.arguments']);
  });

  it('counts the referenced WorkflowTemplate arguments for workflowTemplateRef', () => {
    const library = `
      apiVersion: argoproj.io/v1alpha1
      kind: WorkflowTemplate
      metadata: {name: tpl}
      spec:
        entrypoint: print
        arguments:
          parameters:
          - name: text
        templates:
        - name: print
          inputs:
            parameters:
            - name: text
            - name: colour
          container: {image: busybox}
    `;
    expect(
      lint(
        library,
        `
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: w-}
        spec:
          workflowTemplateRef: {name: tpl}
          arguments:
            parameters:
            - {name: colour, value: red}
      `,
      ),
    ).toEqual([]);
  });

  it('requires a value for each argument of a step', () => {
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
            - - name: a
                template: hello
                arguments:
                  parameters:
                  - name: message
          ${HELLO.trim()}
      `),
    ).toEqual(['f1.yaml:13:13: spec.templates[0].steps[0][0].arguments.parameters[0]: parameter "message" needs a value or valueFrom']);
  });
});
