/** Rules for WorkflowEventBinding specs: the selector and what gets submitted. */
import type { WorkflowEventBinding } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { exprSyntaxError } from './expr-check.js';
import { checkArguments } from './invocation.js';
import { lookupWorkflowTemplate, notDefined } from './resolve.js';
import { hasTag } from './tags.js';

export function checkEventBinding(ctx: LintContext, binding: WorkflowEventBinding): void {
  const spec = binding.spec;
  const path: Path = ['spec'];
  const selector = spec.event?.selector;
  if (selector === undefined || selector.trim() === '') {
    ctx.report.error([...path, 'event'], 'event.selector is required');
  } else {
    const err = exprSyntaxError(selector);
    if (err) ctx.report.error([...path, 'event', 'selector'], `invalid expression: ${err}`);
  }
  const submit = spec.submit;
  if (!submit) return;
  const refPath = [...path, 'submit', 'workflowTemplateRef'];
  const ref = submit.workflowTemplateRef as typeof submit.workflowTemplateRef | undefined;
  if (!ref?.name) {
    ctx.report.error(ref ? refPath : [...path, 'submit'], 'submit.workflowTemplateRef.name is required');
  } else if (!hasTag(ref.name) && !lookupWorkflowTemplate(ctx.library, ref.name, ref.clusterScope)) {
    ctx.report.error([...refPath, 'name'], notDefined(ref.name, ref.clusterScope));
  }
  const argsPath = [...path, 'submit', 'arguments'];
  checkArguments(ctx, submit.arguments, argsPath, false);
  (submit.arguments?.parameters ?? []).forEach((p, i) => {
    const event = p.valueFrom?.event;
    if (event === undefined) return;
    const err = exprSyntaxError(event);
    if (err) ctx.report.error([...argsPath, 'parameters', i, 'valueFrom', 'event'], `invalid expression: ${err}`);
  });
}
