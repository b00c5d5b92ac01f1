/** The dependency graph of a DAG template, from `depends` expressions and `dependencies` lists. */
import { dependsOperands, parseDepends } from '../expressions/depends/depends.js';
import type { DAGTask } from '../model/spec.js';

export interface TaskDeps {
  /** Tasks this task depends on, in order of appearance, without repeats. */
  names: string[];
  /** Results named in `depends` per task (`Succeeded`, `AnySucceeded`, …). */
  results: Map<string, string[]>;
  /** Parse error of `depends`, if any. */
  error?: string;
}

export function taskDeps(task: DAGTask): TaskDeps {
  const names: string[] = [];
  const results = new Map<string, string[]>();
  const add = (name: string, result?: string): void => {
    if (!results.has(name)) {
      names.push(name);
      results.set(name, []);
    }
    if (result !== undefined) results.get(name)?.push(result);
  };
  for (const d of task.dependencies ?? []) add(d);
  if (task.depends !== undefined && task.depends.trim() !== '') {
    try {
      for (const op of dependsOperands(parseDepends(task.depends))) add(op.task, op.result);
    } catch (e) {
      return { names, results, error: e instanceof Error ? e.message : String(e) };
    }
  }
  return { names, results };
}

/** Work counters, for tests that check lint work grows linearly with the number of tasks. */
export const dagGraphWork = { graphs: 0, ancestorSteps: 0 };

const graphs = new WeakMap<readonly DAGTask[], DagGraph>();

export class DagGraph {
  readonly deps = new Map<string, TaskDeps>();
  private readonly ancestorCache = new Map<string, Set<string>>();

  /** The graph of a DAG's task list, built once however many rules ask (the list is not changed during lint). */
  static of(tasks: readonly DAGTask[]): DagGraph {
    let graph = graphs.get(tasks);
    if (!graph) {
      graph = new DagGraph(tasks);
      graphs.set(tasks, graph);
    }
    return graph;
  }

  constructor(tasks: readonly DAGTask[]) {
    dagGraphWork.graphs++;
    for (const t of tasks) if (t.name && !this.deps.has(t.name)) this.deps.set(t.name, taskDeps(t));
  }

  /** Whether task `name` depends on `other`, directly or not; a direct dependency needs no ancestry walk. */
  dependsOn(name: string, other: string): boolean {
    return this.deps.get(name)?.results.has(other) === true || this.ancestors(name).has(other);
  }

  /** Every task `name` depends on, directly or not (Argo's GetTaskAncestry). */
  ancestors(name: string): Set<string> {
    const cached = this.ancestorCache.get(name);
    if (cached) return cached;
    const out = new Set<string>();
    const stack = [...(this.deps.get(name)?.names ?? [])];
    while (stack.length > 0) {
      const n = stack.pop() as string;
      dagGraphWork.ancestorSteps++;
      if (out.has(n)) continue;
      out.add(n);
      for (const d of this.deps.get(n)?.names ?? []) stack.push(d);
    }
    this.ancestorCache.set(name, out);
    return out;
  }

  /** Each distinct cycle once, as the list of task names along it (first name repeated at the end). */
  cycles(order: readonly string[]): string[][] {
    const state = new Map<string, 'open' | 'done'>();
    const found: string[][] = [];
    const seen = new Set<string>();
    const visit = (name: string, trail: string[]): void => {
      state.set(name, 'open');
      trail.push(name);
      for (const dep of this.deps.get(name)?.names ?? []) {
        if (!this.deps.has(dep)) continue;
        if (state.get(dep) === 'open') {
          const cycle = [...trail.slice(trail.indexOf(dep)), dep];
          const key = [...cycle.slice(0, -1)].sort().join('\u0000');
          if (!seen.has(key)) {
            seen.add(key);
            found.push(cycle);
          }
        } else if (!state.has(dep)) {
          visit(dep, trail);
        }
      }
      trail.pop();
      state.set(name, 'done');
    };
    for (const name of order) if (!state.has(name)) visit(name, []);
    return found;
  }
}
