/** The dependency graph of a DAG template, from `depends` expressions and `dependencies` lists. */
import { dependsOperands, parseDepends } from '../expressions/index.js';
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

export class DagGraph {
  readonly deps = new Map<string, TaskDeps>();
  private readonly ancestorCache = new Map<string, Set<string>>();

  constructor(tasks: readonly DAGTask[]) {
    for (const t of tasks) if (t.name && !this.deps.has(t.name)) this.deps.set(t.name, taskDeps(t));
  }

  /** Every task `name` depends on, directly or not (Argo's GetTaskAncestry). */
  ancestors(name: string): Set<string> {
    const cached = this.ancestorCache.get(name);
    if (cached) return cached;
    const out = new Set<string>();
    const stack = [...(this.deps.get(name)?.names ?? [])];
    while (stack.length > 0) {
      const n = stack.pop() as string;
      if (out.has(n)) continue;
      out.add(n);
      stack.push(...(this.deps.get(n)?.names ?? []));
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
