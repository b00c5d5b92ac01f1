/**
 * Copying every template a workflow references into its status at submission (Argo's
 * storedTemplates / storedWorkflowTemplateSpec), so a running workflow never sees later edits
 * of a WorkflowTemplate and the engine needs no template lookups afterwards.
 */
import type { TemplateLibrary, TemplateRef, Workflow, WorkflowSpec } from '@slipway/workflow';

export interface SnapshotResult {
  /** `namespaced/NAME` / `cluster/NAME` keys that were stored. */
  stored: string[];
  /** References that could not be found. */
  missing: string[];
}

export function storeReferencedTemplates(workflow: Workflow, library: TemplateLibrary): SnapshotResult {
  const status = (workflow.status ??= {});
  const stored = (status.storedTemplates ??= {});
  const result: SnapshotResult = { stored: [], missing: [] };
  const ref = workflow.spec.workflowTemplateRef;
  const specs: WorkflowSpec[] = [workflow.spec];
  if (ref) {
    const t = ref.clusterScope ? library.getClusterWorkflowTemplate(ref.name) : library.getWorkflowTemplate(ref.name, workflow.metadata.namespace);
    if (!t) result.missing.push(`${ref.clusterScope ? 'cluster' : 'namespaced'}/${ref.name}`);
    else {
      const spec = structuredClone(t.spec);
      (status as { storedWorkflowTemplateSpec?: WorkflowSpec }).storedWorkflowTemplateSpec = spec;
      specs.push(spec);
    }
  }
  const queue = [...specs];
  while (queue.length > 0) {
    const spec = queue.shift()!;
    for (const r of referencesIn(spec)) {
      const key = `${r.clusterScope ? 'cluster' : 'namespaced'}/${r.name}`;
      if (stored[key] || result.missing.includes(key)) continue;
      const t = r.clusterScope ? library.getClusterWorkflowTemplate(r.name) : library.getWorkflowTemplate(r.name, workflow.metadata.namespace);
      if (!t) {
        result.missing.push(key);
        continue;
      }
      const copy = structuredClone(t.spec);
      stored[key] = copy;
      result.stored.push(key);
      queue.push(copy);
    }
  }
  return result;
}

/** Every `templateRef` in a spec (steps, tasks, hooks, exit handlers), without `{{…}}` names. */
function referencesIn(spec: WorkflowSpec): TemplateRef[] {
  const out: TemplateRef[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const ref = o.templateRef as TemplateRef | undefined;
      if (ref && typeof ref.name === 'string' && !ref.name.includes('{{')) out.push(ref);
      for (const v of Object.values(o)) visit(v);
    }
  };
  visit(spec.templates);
  visit(spec.hooks);
  return out;
}
