import { describe, expect, it } from 'vitest';
import { HELLO, lintText as lint } from './test-support.js';

describe('structure', () => {
  it('accepts a minimal workflow', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: hello-
        spec:
          entrypoint: hello
          templates:${HELLO}
      `),
    ).toEqual([]);
  });

  it('checks the workflows.slipway.dev/executor label and annotation', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: hello-
          labels: {workflows.slipway.dev/executor: kubernetes}
          annotations: {workflows.slipway.dev/executor: docker}
        spec:
          entrypoint: hello
          templates:${HELLO}
      `),
    ).toEqual(['f1.yaml:6:17: metadata.annotations["workflows.slipway.dev/executor"]: "docker" is not an executor (use kubernetes or local)']);
  });

  it('reports custom metric definitions that can never emit, naming the field', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: m-}
        spec:
          entrypoint: hello
          metrics:
            prometheus:
            - {name: runs, help: Runs, counter: {value: "1"}}
            - {name: bad-name, help: H, counter: {value: "1"}, gauge: {value: "1"}}
          templates:
          - name: hello
            container: {image: alpine}
            metrics:
              prometheus:
              - {name: "t_{{inputs.parameters.x}}", counter: {value: "1"}}
              - {name: h, help: H, histogram: {value: "{{duration}}"}}
              - {name: live, help: H, gauge: {value: "{{status}}", realtime: true}}
              - {name: ok, help: H, labels: [{key: my-key, value: v}], gauge: {value: "{{duration}}", realtime: true}}
      `),
    ).toEqual([
      'f1.yaml:9:7: spec.metrics.prometheus[1]: exactly one of gauge, counter or histogram is required; found gauge and counter',
      'f1.yaml:9:8: spec.metrics.prometheus[1].name: "bad-name" is not a valid metric name (letters, digits and _)',
      'f1.yaml:15:9: spec.templates[0].metrics.prometheus[0]: help is required',
      'f1.yaml:15:10: spec.templates[0].metrics.prometheus[0].name: "{{inputs.parameters.x}}": template "hello" has no input parameter "x"',
      'f1.yaml:16:28: spec.templates[0].metrics.prometheus[1].histogram: buckets are required',
      'f1.yaml:17:39: spec.templates[0].metrics.prometheus[2].gauge.value: a realtime gauge may only use {{duration}} or {{workflow.duration}}',
      'f1.yaml:18:39: spec.templates[0].metrics.prometheus[3].labels[0].key: "my-key" is not a valid label name (letters, digits and _)',
    ]);
  });

  it('requires apiVersion argoproj.io/v1alpha1', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1beta1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: hello
          templates:${HELLO}
      `),
    ).toEqual(['f1.yaml:1:1: apiVersion: apiVersion must be argoproj.io/v1alpha1, got "argoproj.io/v1beta1"']);
  });

  it('requires a name or generateName, and explains a misplaced one', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          labels:
            generateName: hello
        spec:
          entrypoint: hello
          templates:${HELLO}
      `),
    ).toEqual(['f1.yaml:3:1: metadata: name or generateName is required ("generateName" is indented under metadata.labels)']);
  });

  it('requires metadata.name on a WorkflowTemplate', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          generateName: t-
        spec:
          templates:${HELLO}
      `),
    ).toEqual(['f1.yaml:3:1: metadata: name is required']);
  });

  it('rejects invalid label values', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: w
          labels:
            team: "-infra-"
        spec:
          entrypoint: hello
          templates:${HELLO}
      `),
    ).toEqual([
      'f1.yaml:6:5: metadata.labels.team: invalid label value "-infra-": it must be 63 characters or less, and begin and end with an alphanumeric character ([a-z0-9A-Z]) with dashes (-), underscores (_), dots (.) and alphanumerics between',
    ]);
  });

  it('reports unknown fields with a suggestion, in Argo types and in a container', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: hello
          templates:
          - name: hello
            retryStrategy:
              limits: 3
            container:
              image: busybox
              someExtraField: foo
      `),
    ).toEqual([
      'f1.yaml:9:7: spec.templates[0].retryStrategy.limits: unknown field "limits" in RetryStrategy (did you mean "limit"?)',
      'f1.yaml:12:7: spec.templates[0].container.someExtraField: unknown field "someExtraField" in Container',
    ]);
  });

  it('accepts any field below Kubernetes types', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: hello
          affinity: {nodeAffinity: {anything: [1, 2]}}
          templates:
          - name: hello
            container:
              image: busybox
              resources: {limits: {memory: 1Gi}, whatever: true}
              securityContext: {runAsNonRoot: true}
      `),
    ).toEqual([]);
  });

  it('reports values of the wrong type', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: hello
          templates:
          - name: hello
            daemon: "yes please"
            container:
              image: busybox
              args: echo hello
      `),
    ).toEqual([
      'f1.yaml:8:5: spec.templates[0].daemon: expected true or false, got a string ("yes please")',
      'f1.yaml:11:7: spec.templates[0].container.args: expected a list, got a string ("echo hello")',
    ]);
  });

  it('accepts an integer or a string for int-or-string fields, and checks the string', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          parallelism: "2"
          templates:
          - name: main
            parallelism: 1
            steps:
            - - name: a
                template: hello
          - name: hello
            activeDeadlineSeconds: "30"
            retryStrategy: {limit: "10"}
            container: {image: busybox}
          - name: bad
            retryStrategy: {limit: ten}
            container: {image: busybox}
      `),
    ).toEqual(['f1.yaml:18:21: spec.templates[2].retryStrategy.limit: expected an integer, got "ten"']);
  });

  it('requires exactly one template type', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: both
          templates:
          - name: both
            container: {image: busybox}
            script: {image: python, source: "print(1)"}
          - name: none
            inputs: {}
      `),
    ).toEqual([
      'f1.yaml:7:5: spec.templates[0]: a template needs exactly one of container, script, containerSet, resource, suspend, steps, dag, http, plugin, data; found container and script',
      'f1.yaml:10:5: spec.templates[1]: a template needs exactly one of container, script, containerSet, resource, suspend, steps, dag, http, plugin, data; found none',
    ]);
  });

  it('reports duplicate template names', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: hello
          templates:${HELLO}${HELLO}
      `),
    ).toEqual(['f1.yaml:10:5: spec.templates[1].name: duplicate template name "hello" (first defined at line 7)']);
  });

  it('reports invalid template names', () => {
    expect(
      lint(`
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: say_hello
          templates:
          - name: say_hello
            container: {image: busybox}
      `),
    ).toEqual([
      "f1.yaml:7:5: spec.templates[0].name: name \"say_hello\" is invalid: it must consist of alpha-numeric characters or '-', and start with an alpha-numeric character",
    ]);
  });
});
