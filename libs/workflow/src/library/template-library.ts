/** The WorkflowTemplates and ClusterWorkflowTemplates a workflow may reference. Plain data; no I/O. */
import type { Template, WorkflowTemplate } from '../model/spec.js';

export interface TemplateLibrary {
  getWorkflowTemplate(name: string, namespace?: string): WorkflowTemplate | undefined;
  getClusterWorkflowTemplate(name: string): WorkflowTemplate | undefined;
}

export class InMemoryTemplateLibrary implements TemplateLibrary {
  private readonly namespaced = new Map<string, WorkflowTemplate>();
  private readonly cluster = new Map<string, WorkflowTemplate>();

  constructor(templates: Iterable<WorkflowTemplate> = []) {
    for (const t of templates) this.add(t);
  }

  add(template: WorkflowTemplate): void {
    const name = template.metadata.name ?? '';
    if (template.kind === 'ClusterWorkflowTemplate') this.cluster.set(name, template);
    else this.namespaced.set(name, template);
  }

  getWorkflowTemplate(name: string): WorkflowTemplate | undefined {
    return this.namespaced.get(name);
  }

  getClusterWorkflowTemplate(name: string): WorkflowTemplate | undefined {
    return this.cluster.get(name);
  }

  list(): WorkflowTemplate[] {
    return [...this.namespaced.values(), ...this.cluster.values()];
  }
}

/** Find a template by name in a spec's `templates` list. */
export function findTemplate(templates: Template[] | undefined, name: string): Template | undefined {
  return templates?.find((t) => t.name === name);
}
