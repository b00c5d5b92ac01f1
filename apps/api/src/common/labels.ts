/** Matching labels against a Kubernetes label selector in memory (templates, watch streams). */
import { parseLabelSelector } from '@slipway/persistence';

type Term = ReturnType<typeof parseLabelSelector>[number];

/** A predicate over labels; parse errors (LabelSelectorError) surface as 400s. */
export function labelMatcher(selector: string | undefined): (labels: Record<string, string> | undefined) => boolean {
  const terms = parseLabelSelector(selector);
  return (labels) => terms.every((t) => matches(t, labels ?? {}));
}

function matches(term: Term, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, term.key);
  switch (term.op) {
    case '=':
      return labels[term.key] === term.value;
    case '!=':
      return labels[term.key] !== term.value;
    case 'in':
      return has && term.values.includes(labels[term.key]);
    case 'notin':
      return !has || !term.values.includes(labels[term.key]);
    case 'exists':
      return has;
    case 'notExists':
      return !has;
  }
}
