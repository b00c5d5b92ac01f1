/**
 * A DAG's shape and progress, kept in memory and rebuilt from the nodes when absent, so each task
 * event costs work proportional to that task's dependents (not to the size of the DAG).
 */
import {
  dependsOperands,
  isFulfilled,
  legacyDependenciesAst,
  parseDepends,
  type DAGTask,
  type DependsAst,
  type NodeStatus,
  type Template,
} from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import { hooksFulfilled } from './children.js';

export class DagIndex {
  readonly tasks = new Map<string, DAGTask>();
  readonly order: string[] = [];
  readonly deps = new Map<string, string[]>();
  readonly dependents = new Map<string, string[]>();
  readonly logic = new Map<string, DependsAst | Error | undefined>();
  readonly targets: string[];
  readonly relevant: Set<string>;
  /** Unfinished dependencies per task. */
  readonly remaining = new Map<string, number>();
  /** Tasks whose node is fulfilled and whose hooks are done. */
  readonly done = new Set<string>();
  /** Tasks that have a node. */
  readonly started = new Set<string>();
  /** Started tasks not done yet: running, or ended with their end still to be processed. */
  readonly open = new Set<string>();
  /** Tasks with withItems/withParam/withSequence (the only ones whose node is a TaskGroup), in order. */
  readonly loopTasks: string[] = [];
  private readonly nodeNames = new Map<string, string>();
  /** Task names waiting for capacity. */
  pending: string[] = [];
  failFastStop = false;

  constructor(
    ctx: EngineContext,
    readonly dag: NodeStatus,
    tmpl: Template,
    target: string | undefined,
  ) {
    for (const task of tmpl.dag?.tasks ?? []) {
      this.tasks.set(task.name, task);
      this.order.push(task.name);
      if (task.withItems !== undefined || task.withParam !== undefined || task.withSequence !== undefined) this.loopTasks.push(task.name);
    }
    for (const task of this.tasks.values()) {
      let names: string[] = [];
      try {
        // `depends` wins; legacy `dependencies` only when it is absent (and the list not empty).
        const ast = task.depends
          ? parseDepends(task.depends)
          : task.dependencies && task.dependencies.length > 0
            ? legacyDependenciesAst(task.dependencies)
            : undefined;
        if (ast) {
          this.logic.set(task.name, ast);
          names = [...new Set(dependsOperands(ast).map((o) => o.task))];
        }
      } catch (err) {
        this.logic.set(task.name, err as Error);
      }
      names = names.filter((n) => this.tasks.has(n));
      this.deps.set(task.name, names);
      for (const n of names) {
        const list = this.dependents.get(n) ?? [];
        list.push(task.name);
        this.dependents.set(n, list);
      }
    }
    this.targets = target ? target.split(' ').filter((t) => t !== '') : this.leaves();
    this.relevant = this.ancestry(this.targets);
    for (const name of this.order) {
      const node = this.nodeOf(ctx, name);
      if (node) {
        this.started.add(name);
        if (isFulfilled(node.phase) && hooksFulfilled(ctx, node) && ctx.store.rt(node.id).counted) this.done.add(name);
        else this.open.add(name);
      }
    }
    for (const name of this.order) {
      this.remaining.set(name, this.deps.get(name)!.filter((d) => !this.done.has(d)).length);
    }
  }

  /** `<dag node name>.<task>`, made once per task (looked up at every start, completion and `tasks.X` reference). */
  nodeName(task: string): string {
    let name = this.nodeNames.get(task);
    if (name === undefined) {
      name = `${this.dag.name}.${task}`;
      this.nodeNames.set(task, name);
    }
    return name;
  }

  nodeOf(ctx: EngineContext, task: string): NodeStatus | undefined {
    return ctx.store.byNodeName(this.nodeName(task));
  }

  private leaves(): string[] {
    const isDep = new Set<string>();
    for (const names of this.deps.values()) for (const n of names) isDep.add(n);
    return this.order.filter((n) => !isDep.has(n)).sort();
  }

  private ancestry(targets: string[]): Set<string> {
    const out = new Set<string>();
    const stack = targets.filter((t) => this.tasks.has(t));
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (out.has(t)) continue;
      out.add(t);
      for (const d of this.deps.get(t) ?? []) stack.push(d);
    }
    return out;
  }

  /** The task's transitive dependencies (Argo's GetTaskAncestry), without the task itself. */
  ancestorsOf(task: string): string[] {
    const out = this.ancestry(this.deps.get(task) ?? []);
    out.delete(task);
    return this.order.filter((t) => out.has(t));
  }

  /**
   * ancestorsOf(task) restricted to loop tasks: what loopsResultError needs before each task
   * starts. O(1) in a DAG without loops (walking every ancestor per task was O(N²) in deep DAGs).
   */
  loopAncestorsOf(task: string): string[] {
    if (this.loopTasks.length === 0) return [];
    const out = this.ancestry(this.deps.get(task) ?? []);
    return this.loopTasks.filter((t) => t !== task && out.has(t));
  }

  /** Tasks not started but ready (all dependencies done). */
  readyRoots(): string[] {
    return this.order.filter((n) => this.relevant.has(n) && !this.started.has(n) && this.remaining.get(n) === 0);
  }

  /**
   * A started task that has ended but whose end is still to be processed (later in the same
   * batch of events, or once its exit hook is done): it may yet start its dependents.
   */
  endPending(ctx: EngineContext): boolean {
    for (const task of this.open) {
      const node = this.nodeOf(ctx, task);
      if (node && isFulfilled(node.phase)) return true;
    }
    return false;
  }

  /** Started (or waiting) tasks that are not done yet. */
  inFlight(): number {
    return this.started.size - this.done.size + this.pending.length;
  }
}
