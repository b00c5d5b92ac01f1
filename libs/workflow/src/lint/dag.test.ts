import { describe, expect, it } from 'vitest';
import { parseDepends } from '../expressions/index.js';
import { HELLO, lintText as lint } from './test-support.js';

function dagWorkflow(tasks: string): string {
  return `
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          templates:
          - name: main
            dag:
              tasks:${tasks}${HELLO}
      `;
}

function dependsError(source: string): string {
  try {
    parseDepends(source);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${source} not to parse`);
}

describe('DAG', () => {
  it('accepts depends and dependencies that name known tasks', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello}
              - {name: b, template: hello, depends: "a"}
              - {name: c, template: hello, depends: "a.Succeeded && (b || b.Failed)"}`),
      ),
    ).toEqual([]);
  });

  it('reports depends that does not parse', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello}
              - {name: b, template: hello, depends: "a &&"}`),
      ),
    ).toEqual([`f1.yaml:11:36: spec.templates[0].dag.tasks[1].depends: invalid depends expression: ${dependsError('a &&')}`]);
  });

  it('reports unknown tasks in depends and dependencies', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello, depends: "ghost.Succeeded"}
              - {name: b, template: hello, dependencies: [a, phantom]}`).replace('depends: "ghost.Succeeded"', 'dependencies: [ghost]'),
      ),
    ).toEqual([
      'f1.yaml:10:36: spec.templates[0].dag.tasks[0].dependencies: depends on unknown task "ghost"',
      'f1.yaml:11:36: spec.templates[0].dag.tasks[1].dependencies: depends on unknown task "phantom"',
    ]);
  });

  it('reports a dependency cycle with its path', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello, depends: "c"}
              - {name: b, template: hello, depends: "a"}
              - {name: c, template: hello, depends: "b"}
              - {name: d, template: hello, depends: "d"}`),
      ),
    ).toEqual([
      'f1.yaml:10:36: spec.templates[0].dag.tasks[0].depends: dependency cycle: a -> c -> b -> a',
      'f1.yaml:13:36: spec.templates[0].dag.tasks[3].depends: dependency cycle: d -> d',
    ]);
  });

  it('reports target tasks that do not exist', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello}`).replace('dag:\n', 'dag:\n              target: "a z"\n'),
      ),
    ).toEqual(['f1.yaml:9:7: spec.templates[0].dag.target: target task "z" is not defined']);
  });

  it('reports depends and dependencies on one task', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello}
              - {name: b, template: hello, depends: "a", dependencies: [a]}`),
      ),
    ).toEqual(['f1.yaml:11:50: spec.templates[0].dag.tasks[1].dependencies: depends and dependencies cannot both be set; use depends']);
  });

  it('reports duplicate task names', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello}
              - {name: a, template: hello}`),
      ),
    ).toEqual(['f1.yaml:11:10: spec.templates[0].dag.tasks[1].name: duplicate task name "a" (first defined at line 10)']);
  });

  it('reports items-only results on tasks without a loop', () => {
    expect(
      lint(
        dagWorkflow(`
              - {name: a, template: hello}
              - {name: b, template: hello, depends: "a.AnySucceeded"}`),
      ),
    ).toEqual(['f1.yaml:11:36: spec.templates[0].dag.tasks[1].depends: "a.AnySucceeded" needs task "a" to have withItems, withParam or withSequence']);
  });
});
