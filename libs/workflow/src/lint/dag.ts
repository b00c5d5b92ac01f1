/** DAG templates: task names, `depends`/`dependencies`, cycles and `target`. */
import type { DAGTemplate } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { DagGraph } from './dag-graph.js';
import { checkFieldNames, FIELD_NAME } from './names.js';
import { hasTag } from './tags.js';

const ITEM_RESULTS = new Set(['AnySucceeded', 'AllFailed']);

export function checkDag(ctx: LintContext, dag: DAGTemplate, path: Path): void {
  const tasks = dag.tasks ?? [];
  const tasksPath = [...path, 'tasks'];
  if (tasks.length === 0) {
    ctx.report.error(path, 'a DAG needs at least one task');
    return;
  }
  const index = checkFieldNames(ctx, tasks, tasksPath, FIELD_NAME, 'task');
  const graph = DagGraph.of(tasks);
  const usingDepends = tasks.some((t) => t.depends !== undefined && t.depends !== '');

  tasks.forEach((task, i) => {
    const at = [...tasksPath, i];
    const deps = graph.deps.get(task.name);
    if (!deps || index.get(task.name) !== i) return;
    if (deps.error !== undefined) ctx.report.error([...at, 'depends'], `invalid depends expression: ${deps.error}`);
    const hasDependencies = (task.dependencies?.length ?? 0) > 0;
    if (usingDepends && hasDependencies) {
      const message = task.depends
        ? 'depends and dependencies cannot both be set; use depends'
        : 'dependencies cannot be used in a DAG whose other tasks use depends';
      ctx.report.error([...at, 'dependencies'], message);
    }
    if ((usingDepends || hasDependencies) && /^[0-9]/.test(task.name)) {
      ctx.report.error([...at, 'name'], `task name "${task.name}" cannot begin with a digit when depends or dependencies are used`);
    }
    if (usingDepends && task.continueOn !== undefined) {
      ctx.report.error([...at, 'continueOn'], 'continueOn cannot be used in a DAG that uses depends; use "task.Failed" or "task.Errored" in depends instead');
    }
    for (const name of deps.names) {
      const field = task.dependencies?.includes(name) ? 'dependencies' : 'depends';
      const depIndex = index.get(name);
      if (depIndex === undefined) {
        ctx.report.error([...at, field], `depends on unknown task "${name}"`);
        continue;
      }
      const results = deps.results.get(name) ?? [];
      const dep = tasks[depIndex];
      const loops = (dep.withItems?.length ?? 0) > 0 || !!dep.withParam || dep.withSequence !== undefined;
      const itemResult = results.find((r) => ITEM_RESULTS.has(r));
      if (itemResult && !loops) {
        ctx.report.error([...at, 'depends'], `"${name}.${itemResult}" needs task "${name}" to have withItems, withParam or withSequence`);
      }
    }
  });

  for (const cycle of graph.cycles(tasks.map((t) => t.name))) {
    const i = index.get(cycle[0]) ?? 0;
    const field = tasks[i].dependencies?.length ? 'dependencies' : 'depends';
    ctx.report.error([...tasksPath, i, field], `dependency cycle: ${cycle.join(' -> ')}`);
  }

  if (dag.target !== undefined && !hasTag(dag.target)) {
    for (const name of dag.target.split(' ').filter((n) => n !== '')) {
      if (!index.has(name)) ctx.report.error([...path, 'target'], `target task "${name}" is not defined`);
    }
  }
}
