import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLint } from './lint.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'slipway-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

function run(paths: string[]): { code: number; stdout: string[]; stderr: string } {
  let out = '';
  let err = '';
  const code = runLint(paths, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, stdout: out.split('\n').filter((l) => l !== ''), stderr: err };
}

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: lib
spec:
  templates:
  - name: say
    inputs:
      parameters:
      - name: message
    container:
      image: busybox
      args: ["{{inputs.parameters.message}}"]
`;

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: greet
        templateRef: {name: lib, template: say}
        arguments:
          parameters:
          - {name: message, value: "{{workflow.parameters.greeting}}"}
`;

describe('slipway lint', () => {
  it('prints nothing but the summary and exits 0 for clean files', () => {
    const root = tree({ 'lib.yaml': TEMPLATE, 'wf/hello.yaml': WORKFLOW.replace('{{workflow.parameters.greeting}}', 'hi') });
    expect(run([root])).toEqual({ code: 0, stdout: ['2 files, 0 errors, 0 warnings'], stderr: '' });
  });

  it('prints errors and warnings with the paths as given, counts infos, and exits 1 on errors', () => {
    const root = tree({
      'lib.yaml': TEMPLATE,
      'wf/hello.yaml': WORKFLOW,
      'wf/broken.yaml': WORKFLOW.replace('template: say', 'template: shout'),
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n',
    });
    const rel = path.relative(process.cwd(), root);
    const result = run([rel]);
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([
      `${path.join(rel, 'wf/broken.yaml')}:11:34: spec.templates[0].steps[0][0].templateRef.template: template "shout" is not defined in WorkflowTemplate "lib"`,
      `${path.join(rel, 'wf/broken.yaml')}:14:29: spec.templates[0].steps[0][0].arguments.parameters[0].value: "{{workflow.parameters.greeting}}": workflow parameter "greeting" is not declared in spec.arguments.parameters`,
      `${path.join(rel, 'wf/hello.yaml')}:14:29: spec.templates[0].steps[0][0].arguments.parameters[0].value: "{{workflow.parameters.greeting}}": workflow parameter "greeting" is not declared in spec.arguments.parameters`,
      '4 files, 1 error, 2 warnings, 1 info',
    ]);
  });

  it('reports a missing path', () => {
    const result = run(['does/not/exist.yaml']);
    expect(result).toEqual({
      code: 1,
      stdout: ['does/not/exist.yaml:1:1: no such file or directory', '0 files, 1 error, 0 warnings'],
      stderr: '',
    });
  });

  it('asks for a path when given none', () => {
    expect(run([])).toEqual({ code: 2, stdout: [], stderr: 'usage: slipway lint PATH...\n' });
  });
});
