/**
 * Lint work on large DAGs grows linearly with the number of tasks: counted (graphs built, steps of
 * ancestry walks), never timed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, parseYamlDocuments } from '../yaml/index.js';
import { dagGraphWork } from './dag-graph.js';
import { lintDocuments } from './lint.js';

/** A chain (the worst case for ancestry): task i depends on task i-1 and passes on its output. */
function chain(n: number, transitiveRefFromLast = false): string {
  const lines = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Workflow',
    'metadata: {name: chain}',
    'spec:',
    '  entrypoint: main',
    '  templates:',
    '    - name: main',
    '      dag:',
    '        tasks:',
    '          - {name: t0, template: echo, arguments: {parameters: [{name: p, value: x}]}}',
  ];
  for (let i = 1; i < n; i++) {
    const from = transitiveRefFromLast && i === n - 1 ? 0 : i - 1;
    lines.push(
      `          - {name: t${i}, template: echo, dependencies: [t${i - 1}], arguments: {parameters: [{name: p, value: "{{tasks.t${from}.outputs.result}}"}]}}`,
    );
  }
  lines.push('    - name: echo', '      inputs: {parameters: [{name: p}]}', '      container: {image: alpine:3, command: [echo, "{{inputs.parameters.p}}"]}', '');
  return lines.join('\n');
}

function lint(text: string): string[] {
  const parsed = parseYamlDocuments(text, 'chain.yaml');
  return [...parsed.diagnostics, ...lintDocuments(parsed.documents)].filter((d) => d.severity !== 'info').map(formatDiagnostic);
}

describe('lint of large DAGs', () => {
  beforeEach(() => {
    dagGraphWork.graphs = 0;
    dagGraphWork.ancestorSteps = 0;
  });

  it('builds the dependency graph once and walks no ancestry for references to direct dependencies', () => {
    expect(lint(chain(10_000))).toEqual([]);
    expect(dagGraphWork).toEqual({ graphs: 1, ancestorSteps: 0 });
  });

  it('walks the ancestry only of a task that refers to an indirect dependency', () => {
    expect(lint(chain(10_000, true))).toEqual([]);
    expect(dagGraphWork.graphs).toBe(1);
    expect(dagGraphWork.ancestorSteps).toBe(9_999);
  });

  it('still reports a reference to a task that is not a dependency, at its position', () => {
    const text = chain(3).replace('"{{tasks.t1.outputs.result}}"', '"{{tasks.t2.outputs.result}}"');
    expect(lint(text)).toEqual([
      'chain.yaml:12:95: spec.templates[0].dag.tasks[2].arguments.parameters[0].value: "{{tasks.t2.outputs.result}}": task "t2" is not a dependency (direct or indirect) of task "t2"',
    ]);
  });
});
