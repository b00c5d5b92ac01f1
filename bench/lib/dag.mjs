/**
 * The benchmark DAG: node i depends on up to 3 distinct earlier nodes, drawn exactly like
 * perf-floors' gen_dag.py (`k = randint(0, min(3, i)); deps = sample(range(i), k)`).
 */
import { PyRandom } from './py-random.mjs';

/** `deps[i]` lists the indexes node i depends on. */
export function randomDag(n, seed = 42) {
  const rng = new PyRandom(seed);
  const deps = [];
  for (let i = 0; i < n; i++) {
    const k = rng.randint(0, Math.min(3, i));
    deps.push(rng.sampleRange(i, k));
  }
  return deps;
}

export function dagStats(deps) {
  const depth = new Array(deps.length).fill(0);
  let edges = 0;
  let roots = 0;
  for (let i = 0; i < deps.length; i++) {
    edges += deps[i].length;
    if (deps[i].length === 0) roots++;
    let d = 0;
    for (const j of deps[i]) d = Math.max(d, depth[j]);
    depth[i] = d + 1;
  }
  return { nodes: deps.length, edges, roots, criticalPath: Math.max(0, ...depth) };
}

export const taskName = (i) => `n${i}`;

/** An Argo Workflow object: one DAG template, one container template running `true` per task. */
export function dagWorkflow(deps, name = 'bench-dag') {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: deps.map((d, i) => {
              const task = { name: taskName(i), template: 'noop' };
              if (d.length > 0) task.dependencies = d.map(taskName);
              return task;
            }),
          },
        },
        { name: 'noop', container: { image: 'alpine:3', command: ['true'] } },
      ],
    },
  };
}

/** The same workflow as YAML text (flow style per task keeps the file short). */
export function dagWorkflowYaml(deps, name = 'bench-dag') {
  const lines = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Workflow',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  entrypoint: main',
    '  templates:',
    '    - name: main',
    '      dag:',
    '        tasks:',
  ];
  deps.forEach((d, i) => {
    const dependencies = d.length > 0 ? `, dependencies: [${d.map(taskName).join(', ')}]` : '';
    lines.push(`          - {name: ${taskName(i)}, template: noop${dependencies}}`);
  });
  lines.push('    - name: noop', '      container:', '        image: alpine:3', '        command: ["true"]', '');
  return lines.join('\n');
}

/**
 * A Makefile with one phony target per node: `recipes(i)` is node i's command line. `env` is
 * exported first (the executor's PATH), so the processes see what the executor gives them.
 */
export function dagMakefileWith(deps, recipes, env = {}) {
  const names = deps.map((_, i) => taskName(i));
  const lines = Object.entries(env).map(([k, v]) => `export ${k} := ${v}`);
  lines.push(`.PHONY: all ${names.join(' ')}`, `all: ${names.join(' ')}`, '');
  deps.forEach((d, i) => lines.push(`${names[i]}: ${d.map(taskName).join(' ')}`.trimEnd(), `\t@${recipes(i)}`));
  return lines.join('\n') + '\n';
}
