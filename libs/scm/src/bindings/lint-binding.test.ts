/** Linting WorkflowEventBindings: Argo's checks plus spec.slipway, with positions. */
import { InMemoryTemplateLibrary, formatDiagnostic, type WorkflowTemplate } from '@slipway/workflow';
import { describe, expect, it } from 'vitest';
import { argoExampleText, GITLAB_PUSH_BINDING } from '../testdata/bindings.js';
import { lintBindingManifest, lintBindingText } from './lint-binding.js';

const errors = (text: string, opts = {}) => lintBindingText(text, 'b.yaml', opts).filter((d) => d.severity === 'error').map(formatDiagnostic);

describe('lintBindingText', () => {
  it("accepts Argo's examples and the Slipway extensions", () => {
    expect(errors(argoExampleText('event-consumer-workfloweventbinding.yaml'))).toEqual([]);
    expect(errors(argoExampleText('github-path-filter-workfloweventbinding.yaml'))).toEqual([]);
    expect(errors(GITLAB_PUSH_BINDING)).toEqual([]);
  });

  it('names each bad spec.slipway field with its line and column', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: bad
spec:
  event:
    selector: payload.ref == "refs/heads/main"
  submit:
    workflowTemplateRef:
      name: build
    arguments:
      parameters:
        - name: branch
          valueFrom:
            event: payload.ref
        - name: fixed
          value: x
  slipway:
    hook: ""
    branches: main
    tags: [v1, 3]
    concurrency:
      key: constant
      cancelInProgress: "yes"
    alerts:
      to: [not-an-address]
    parameters:
      branch:
        safePattern: "([a-z"
      other:
        safePattern: ".*"
    retries: 3
`;
    expect(errors(text)).toEqual([
      'b.yaml:16:11: spec.submit.arguments.parameters[1]: valueFrom.event is required: a binding takes every parameter from the event',
      'b.yaml:19:5: spec.slipway.hook: must be the name of a registered webhook hook',
      'b.yaml:20:5: spec.slipway.branches: must be a non-empty list of strings',
      'b.yaml:21:16: spec.slipway.tags[1]: must be a non-empty string',
      'b.yaml:23:7: spec.slipway.concurrency.key: must use the event, e.g. "{{payload.ref}}" (a constant key would group every run together)',
      'b.yaml:24:7: spec.slipway.concurrency.cancelInProgress: must be true or false',
      'b.yaml:26:12: spec.slipway.alerts.to[0]: "not-an-address" is not an e-mail address',
      'b.yaml:29:9: spec.slipway.parameters.branch.safePattern: invalid regular expression: Invalid regular expression: /([a-z/u: Unterminated character class',
      'b.yaml:30:7: spec.slipway.parameters.other: no submit parameter "other" to apply this safePattern to',
      'b.yaml:32:5: spec.slipway.retries: unknown field "retries" (known: hook, branches, tags, paths, concurrency, alerts, parameters)',
    ]);
  });

  it("keeps Argo's own checks: selector syntax, valueFrom.event syntax, required fields", () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata: {name: x}
spec:
  event:
    selector: payload.ref ==
  submit:
    workflowTemplateRef: {name: build}
    arguments:
      parameters:
        - name: p
          valueFrom: {event: "payload.("}
`;
    const found = errors(text);
    expect(found.some((e) => e.startsWith('b.yaml:6:5: spec.event.selector: invalid expression'))).toBe(true);
    expect(found.some((e) => e.startsWith('b.yaml:12:23: spec.submit.arguments.parameters[0].valueFrom.event: invalid expression'))).toBe(true);
  });

  it('checks workflowTemplateRef only when given the templates', () => {
    expect(errors(GITLAB_PUSH_BINDING, { library: new InMemoryTemplateLibrary() })).toEqual([
      'b.yaml:11:7: spec.submit.workflowTemplateRef.name: WorkflowTemplate "java-compile-build-deploy" is not defined',
    ]);
    const lib = new InMemoryTemplateLibrary();
    lib.add({ apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: 'java-compile-build-deploy' }, spec: { templates: [] } } as unknown as WorkflowTemplate);
    expect(errors(GITLAB_PUSH_BINDING, { library: lib })).toEqual([]);
  });

  it('other kinds, YAML errors and empty input', () => {
    expect(errors('apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec: {entrypoint: a, templates: [{name: a, container: {image: x}}]}\n')).toEqual([
      'b.yaml:2:1: kind: expected kind WorkflowEventBinding, got Workflow',
    ]);
    expect(errors('a: [')[0]).toMatch(/^b\.yaml:1:/);
    expect(errors('')).toEqual(['b.yaml:1:1: no WorkflowEventBinding document']);
  });

  it('lints a manifest object (an API request body)', () => {
    const manifest = { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowEventBinding', metadata: { name: 'm' }, spec: { event: { selector: 'true' }, slipway: { tags: [] } } };
    expect(lintBindingManifest(manifest).map((d) => `${d.path}: ${d.message}`)).toEqual(['spec.slipway.tags: must be a non-empty list of strings']);
  });
});
