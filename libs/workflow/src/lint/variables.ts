/**
 * `{{…}}` references and their scope: `{{item}}` only in looping steps/tasks, `{{inputs.parameters.P}}`
 * only for declared inputs, `{{steps.X…}}` only for steps of earlier groups, `{{tasks.X…}}` only for
 * (transitive) dependencies, `{{workflow.parameters.X}}` declared (a warning: it may come at submit
 * time). Expression tags `{{=…}}` must parse. Other variables are left alone.
 */
import type { DAGTask, Invocation, Template } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { DagGraph } from './dag-graph.js';
import { exprSyntaxError } from './expr-check.js';
import { findTags, forEachString, type Tag } from './tags.js';

interface NodeScope {
  kind: 'step' | 'task';
  /** All step/task names of the template. */
  all: ReadonlySet<string>;
  /** Those whose values are available here (asked only when a `{{steps.X…}}` or `{{tasks.X…}}` is found). */
  allowed: { has(name: string): boolean };
  /** The step/task being checked, for messages. */
  current?: string;
}

export interface VarScope {
  /** Template name for messages; undefined outside templates (then only expressions and workflow parameters are checked). */
  template?: string;
  inputs: ReadonlySet<string>;
  itemAllowed: boolean;
  steps?: NodeScope;
  tasks?: NodeScope;
  /** Declared workflow parameters; undefined when they cannot be known (WorkflowTemplates). */
  workflowParams?: ReadonlySet<string>;
}

export function checkStrings(ctx: LintContext, value: unknown, path: Path, scope: VarScope): void {
  forEachString(value, path, (s, at) => {
    for (const tag of findTags(s)) checkTag(ctx, tag, at, scope);
  });
}

/** All strings of a template, each part with the scope Argo gives it. */
export function checkTemplateVariables(ctx: LintContext, tmpl: Template, path: Path, outer: VarScope): void {
  const scope: VarScope = {
    ...outer,
    template: tmpl.name,
    inputs: new Set([...outer.inputs, ...(tmpl.inputs?.parameters ?? []).map((p) => p.name)]),
  };
  const steps = Array.isArray(tmpl.steps) ? tmpl.steps : [];
  const tasks = tmpl.dag?.tasks ?? [];
  const stepNames = new Set(steps.flat().map((s) => s.name));
  const taskNames = new Set(tasks.map((t) => t.name));
  for (const [key, value] of Object.entries(tmpl)) {
    if (key === 'steps') checkSteps(ctx, steps, [...path, 'steps'], scope, stepNames);
    else if (key === 'dag') {
      const { tasks: _tasks, ...rest } = tmpl.dag ?? {};
      checkStrings(ctx, rest, [...path, 'dag'], scope);
      checkTasks(ctx, tasks, [...path, 'dag', 'tasks'], scope, taskNames);
    } else if (key === 'outputs') {
      checkStrings(ctx, value, [...path, key], {
        ...scope,
        steps: steps.length > 0 ? { kind: 'step', all: stepNames, allowed: stepNames } : scope.steps,
        tasks: tasks.length > 0 ? { kind: 'task', all: taskNames, allowed: taskNames } : scope.tasks,
      });
    } else {
      checkStrings(ctx, value, [...path, key], scope);
    }
  }
}

function checkSteps(ctx: LintContext, groups: Invocation[][], path: Path, scope: VarScope, all: Set<string>): void {
  const earlier = new Set<string>();
  groups.forEach((group, i) => {
    if (!Array.isArray(group)) return;
    group.forEach((step, j) => {
      const node: NodeScope = { kind: 'step', all, allowed: earlier, current: step.name };
      checkNode(ctx, step, [...path, i, j], { ...scope, steps: node });
    });
    for (const step of group) earlier.add(step.name);
  });
}

function checkTasks(ctx: LintContext, tasks: DAGTask[], path: Path, scope: VarScope, all: Set<string>): void {
  const graph = DagGraph.of(tasks);
  tasks.forEach((task, i) => {
    const allowed = { has: (name: string) => graph.dependsOn(task.name, name) };
    const node: NodeScope = { kind: 'task', all, allowed, current: task.name };
    checkNode(ctx, task, [...path, i], { ...scope, tasks: node });
  });
}

/** One step or task. Its hooks may also use its own values; an inline template gets its own inputs. */
function checkNode(ctx: LintContext, node: Invocation, path: Path, scope: VarScope): void {
  const looping = (node.withItems?.length ?? 0) > 0 || !!node.withParam || node.withSequence !== undefined;
  const own: VarScope = { ...scope, itemAllowed: scope.itemAllowed || looping };
  for (const [key, value] of Object.entries(node)) {
    const at = [...path, key];
    if (key === 'inline' && node.inline) checkTemplateVariables(ctx, node.inline, at, own);
    else if (key === 'hooks') checkStrings(ctx, value, at, withSelf(own, node.name));
    else checkStrings(ctx, value, at, own);
  }
}

function withSelf(scope: VarScope, name: string): VarScope {
  const add = (n: NodeScope | undefined): NodeScope | undefined =>
    n && n.current === name ? { ...n, allowed: { has: (x: string) => x === name || n.allowed.has(x) } } : n;
  return { ...scope, steps: add(scope.steps), tasks: add(scope.tasks) };
}

function checkTag(ctx: LintContext, tag: Tag, path: Path, scope: VarScope): void {
  const shown = `"{{${tag.expression ? '=' : ''}${tag.text}}}"`;
  if (tag.expression) {
    const err = exprSyntaxError(tag.text);
    if (err) ctx.report.error(path, `invalid expression in ${shown}: ${err}`);
    return;
  }
  const t = tag.text;
  if (t.startsWith('workflow.parameters.')) {
    const name = t.slice('workflow.parameters.'.length);
    if (scope.workflowParams && name !== 'json' && !scope.workflowParams.has(name)) {
      ctx.report.warning(path, `${shown}: workflow parameter "${name}" is not declared in spec.arguments.parameters`);
    }
    return;
  }
  if (scope.template === undefined) return;
  if (t === 'item' || t.startsWith('item.') || t.startsWith('item[')) {
    if (!scope.itemAllowed) {
      ctx.report.error(path, `${shown} is only defined in a step or task with withItems, withParam or withSequence`);
    }
  } else if (t.startsWith('inputs.parameters.')) {
    const name = t.slice('inputs.parameters.'.length);
    if (!scope.inputs.has(name)) ctx.report.error(path, `${shown}: template "${scope.template}" has no input parameter "${name}"`);
  } else if (t.startsWith('steps.') && t !== 'steps.name') {
    checkNodeRef(ctx, shown, t.split('.')[1], scope.steps, 'step', path, scope.template);
  } else if (t.startsWith('tasks.') && t !== 'tasks.name') {
    checkNodeRef(ctx, shown, t.split('.')[1], scope.tasks, 'task', path, scope.template);
  }
}

function checkNodeRef(
  ctx: LintContext,
  shown: string,
  name: string,
  node: NodeScope | undefined,
  kind: 'step' | 'task',
  path: Path,
  template: string,
): void {
  if (!node) {
    const where = kind === 'step' ? 'a steps template' : 'a DAG template';
    ctx.report.error(path, `${shown}: ${kind}s.* variables are only available inside ${where}`);
  } else if (!node.all.has(name)) {
    ctx.report.error(path, `${shown}: there is no ${kind} "${name}" in template "${template}"`);
  } else if (!node.allowed.has(name)) {
    const why =
      kind === 'step'
        ? `step "${name}" is not in an earlier step group, so its values are not available here`
        : `task "${name}" is not a dependency (direct or indirect) of task "${node.current ?? '?'}"`;
    ctx.report.error(path, `${shown}: ${why}`);
  }
}
