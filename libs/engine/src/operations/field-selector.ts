/**
 * Node field selectors (`--node-field-selector`): Kubernetes field-selector syntax
 * (`k8s.io/apimachinery/pkg/fields`) over the node fields Argo exposes (SelectorMatchesNode).
 */
import type { NodeStatus } from '@slipway/workflow';
import { OperationError } from './errors.js';

interface Term {
  field: string;
  value: string;
  negated: boolean;
}

export type NodeSelector = (node: NodeStatus) => boolean;

/** `displayName=step-1,phase!=Succeeded` → a predicate; every term must hold (an empty selector matches all). */
export function parseNodeFieldSelector(selector: string): NodeSelector {
  const terms: Term[] = [];
  for (const part of splitTerms(selector)) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (!term) throw new OperationError(`invalid selector: '${selector}'; can't understand '${part}'`);
    terms.push(term);
  }
  return (node) => {
    const fields = nodeFields(node);
    return terms.every((t) => ((fields.get(t.field) ?? '') === t.value) !== t.negated);
  };
}

/** The fields a selector can test (Argo's SelectorMatchesNode). */
export function nodeFields(node: NodeStatus): Map<string, string> {
  const fields = new Map<string, string>([
    ['displayName', node.displayName],
    ['templateName', node.templateRef ? node.templateRef.template : (node.templateName ?? '')],
    ['phase', node.phase],
    ['name', node.name],
    ['id', node.id],
  ]);
  if (node.templateRef) {
    fields.set('templateRef.name', node.templateRef.name);
    fields.set('templateRef.template', node.templateRef.template);
  }
  for (const p of node.inputs?.parameters ?? []) fields.set(`inputs.parameters.${p.name}.value`, p.value ?? '');
  return fields;
}

/** Split on commas not escaped by a backslash (escapes are kept for unescapeValue). */
function splitTerms(selector: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '\\' && i + 1 < selector.length) {
      current += c + selector[++i];
    } else if (c === ',') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** `field!=v`, `field==v`, `field=v`: the first operator found from the left wins. */
function splitTerm(term: string): Term | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), value: unescapeValue(term.slice(i + op.length)), negated: op === '!=' };
      }
    }
  }
  return undefined;
}

/** Values may contain `\\`, `\,` and `\=`; an unescaped `,` or `=` is an error (as in Kubernetes). */
function unescapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const next = value[i + 1];
      if (next !== '\\' && next !== ',' && next !== '=') throw new OperationError(`invalid field selector value '${value}': invalid escape sequence`);
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      throw new OperationError(`invalid field selector value '${value}': unescaped '${c}'`);
    } else out += c;
  }
  return out;
}
