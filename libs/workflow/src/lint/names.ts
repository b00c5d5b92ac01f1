/** Names of templates, steps, tasks, parameters and artifacts: required, well-formed, unique. */
import type { LintContext, Path } from './context.js';
import { hasTag } from './tags.js';

export interface NameRule {
  pattern: RegExp;
  description: string;
  maxLength?: number;
}

/** Templates, steps and tasks (Argo's workflowFieldNameFmt). */
export const FIELD_NAME: NameRule = {
  pattern: /^[a-zA-Z0-9][-a-zA-Z0-9]*$/,
  description: "must consist of alpha-numeric characters or '-', and start with an alpha-numeric character",
  maxLength: 128,
};

/** Parameters and artifacts. */
export const PARAM_NAME: NameRule = {
  pattern: /^[-a-zA-Z0-9_]+$/,
  description: "must consist of alpha-numeric characters, '_' or '-'",
};

export function nameProblem(name: string, rule: NameRule): string | undefined {
  if (hasTag(name)) return undefined;
  if (rule.maxLength !== undefined && name.length > rule.maxLength) {
    return `name "${name}" is longer than ${rule.maxLength} characters`;
  }
  if (!rule.pattern.test(name)) return `name "${name}" is invalid: it ${rule.description}`;
  return undefined;
}

/**
 * Check `items[i].name` for each item of a list; `what` names the kind of thing in messages
 * ("template", "step", …). Returns the index of each valid name.
 */
export function checkFieldNames(
  ctx: LintContext,
  items: readonly { name?: string }[],
  path: Path,
  rule: NameRule,
  what = 'name',
  itemPath: (i: number) => Path = (i) => [...path, i],
): Map<string, number> {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const at = itemPath(i);
    if (item.name === undefined || item.name === '') {
      ctx.report.error(at, `${what === 'name' ? 'a' : /^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`} name is required`);
      return;
    }
    const problem = nameProblem(item.name, rule);
    if (problem) ctx.report.error([...at, 'name'], problem);
    const first = seen.get(item.name);
    if (first !== undefined) {
      const line = ctx.report.doc.position([...itemPath(first), 'name'])?.line;
      const label = what === 'name' ? 'name' : `${what} name`;
      ctx.report.error([...at, 'name'], `duplicate ${label} "${item.name}" (first defined at line ${line ?? '?'})`);
    } else {
      seen.set(item.name, i);
    }
  });
  return seen;
}
