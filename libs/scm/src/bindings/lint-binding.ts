/**
 * Lint WorkflowEventBinding documents: Argo's checks from `lintDocuments` (selector and
 * `valueFrom.event` syntax, `workflowTemplateRef`), plus Slipway's `spec.slipway` extensions and
 * parameter rules, each error naming its field with a line and column.
 */
import {
  compareDiagnostics,
  lintDocuments,
  parseYamlDocuments,
  formatPath,
  type Diagnostic,
  type ParsedDocument,
  type TemplateLibrary,
  type WorkflowEventBinding,
} from '@slipway/workflow';
import { readExtensions } from './extensions.js';

export interface LintBindingOptions {
  /** Templates to resolve `submit.workflowTemplateRef` against; without it the reference is not checked. */
  library?: TemplateLibrary;
}

/** Lint YAML or JSON text holding one or more WorkflowEventBindings. */
export function lintBindingText(text: string, file = 'binding.yaml', options: LintBindingOptions = {}): Diagnostic[] {
  const parsed = parseYamlDocuments(text, file);
  const out = [...parsed.diagnostics.filter((d) => d.severity === 'error')];
  const bindings = parsed.documents.filter((d) => d.kind === 'WorkflowEventBinding');
  for (const doc of parsed.documents.filter((d) => d.kind !== 'WorkflowEventBinding')) {
    out.push(at(doc, ['kind'], `expected kind WorkflowEventBinding, got ${doc.kind}`));
  }
  if (parsed.documents.length === 0 && out.length === 0) out.push({ file, line: 1, col: 1, path: '', message: 'no WorkflowEventBinding document', severity: 'error' });
  out.push(...lintBindingDocuments(bindings, options));
  return out.sort(compareDiagnostics);
}

/** Lint a manifest given as an object (e.g. a JSON request body). */
export function lintBindingManifest(manifest: unknown, options: LintBindingOptions = {}): Diagnostic[] {
  return lintBindingText(JSON.stringify(manifest ?? null), 'manifest.json', options);
}

export function lintBindingDocuments(docs: readonly ParsedDocument[], options: LintBindingOptions = {}): Diagnostic[] {
  const argo = lintDocuments(docs, { library: options.library }).filter((d) => keepArgoDiagnostic(d, options));
  const ours = docs.flatMap((doc) => slipwayDiagnostics(doc));
  return [...argo, ...ours].sort(compareDiagnostics);
}

function keepArgoDiagnostic(d: Diagnostic, options: LintBindingOptions): boolean {
  if (d.path === 'spec.slipway' && d.message.startsWith('unknown field')) return false;
  if (!options.library && d.path === 'spec.submit.workflowTemplateRef.name' && d.message.endsWith('is not defined')) return false;
  return true;
}

function slipwayDiagnostics(doc: ParsedDocument): Diagnostic[] {
  const binding = doc.object as unknown as WorkflowEventBinding;
  if (typeof binding.spec !== 'object' || binding.spec === null) return [];
  const out: Diagnostic[] = readExtensions(binding).errors.map((e) => at(doc, e.path, e.message));
  const params = binding.spec.submit?.arguments?.parameters;
  const names = new Set<string>();
  (Array.isArray(params) ? params : []).forEach((p, i) => {
    if (typeof p?.name === 'string') names.add(p.name);
    if (p && p.valueFrom?.event === undefined) {
      out.push(at(doc, ['spec', 'submit', 'arguments', 'parameters', i], 'valueFrom.event is required: a binding takes every parameter from the event'));
    }
  });
  const overrides = (binding.spec as { slipway?: { parameters?: unknown } }).slipway?.parameters;
  if (overrides && typeof overrides === 'object') {
    for (const name of Object.keys(overrides)) {
      if (!names.has(name)) out.push(at(doc, ['spec', 'slipway', 'parameters', name], `no submit parameter "${name}" to apply this safePattern to`));
    }
  }
  return out;
}

function at(doc: ParsedDocument, path: (string | number)[], message: string): Diagnostic {
  const pos = doc.position(path) ?? { line: 1, col: 1 };
  return { file: doc.file, line: pos.line, col: pos.col, path: formatPath(path), message, severity: 'error' };
}
