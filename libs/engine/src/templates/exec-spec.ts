/** The spec a Workflow actually runs: its own, merged over its `workflowTemplateRef` (Argo's execWf). */
import type { Parameter, TemplateLibrary, Workflow, WorkflowSpec } from '@slipway/workflow';

export function resolveExecSpec(workflow: Workflow, library: TemplateLibrary): { spec: WorkflowSpec; error?: string } {
  const own = workflow.spec;
  const ref = own.workflowTemplateRef;
  if (!ref) return { spec: own };
  const status = (workflow.status ??= {});
  const stored = (status as { storedWorkflowTemplateSpec?: WorkflowSpec }).storedWorkflowTemplateSpec;
  let base = stored;
  if (!base) {
    const tmpl = ref.clusterScope ? library.getClusterWorkflowTemplate(ref.name) : library.getWorkflowTemplate(ref.name, workflow.metadata.namespace);
    if (!tmpl) {
      const kind = ref.clusterScope ? 'clusterworkflowtemplates' : 'workflowtemplates';
      return { spec: own, error: `${kind}.argoproj.io "${ref.name}" not found` };
    }
    base = structuredClone(tmpl.spec);
    (status as { storedWorkflowTemplateSpec?: WorkflowSpec }).storedWorkflowTemplateSpec = base;
  }
  const { workflowTemplateRef: _ref, ...overrides } = own;
  const spec: WorkflowSpec = { ...structuredClone(base), ...structuredClone(overrides) };
  spec.templates = [...(base.templates ?? []), ...(own.templates ?? [])];
  spec.arguments = {
    ...(base.arguments ?? {}),
    ...(own.arguments ?? {}),
    parameters: mergeParameters(base.arguments?.parameters, own.arguments?.parameters),
  };
  if (!spec.arguments.parameters) delete spec.arguments.parameters;
  return { spec };
}

function mergeParameters(base: Parameter[] | undefined, over: Parameter[] | undefined): Parameter[] | undefined {
  if (!base && !over) return undefined;
  const out = (base ?? []).map((p) => ({ ...p }));
  for (const p of over ?? []) {
    const i = out.findIndex((q) => q.name === p.name);
    if (i >= 0) out[i] = { ...out[i], ...p };
    else out.push({ ...p });
  }
  return out;
}
