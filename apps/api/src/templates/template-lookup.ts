/**
 * The WorkflowTemplates and ClusterWorkflowTemplates a document references (transitively), at
 * their current revisions, as an in-memory library for lint and the submission snapshot.
 */
import { Injectable } from '@nestjs/common';
import { TemplateRepository, type TemplateKind, type TemplateRecord } from '@slipway/persistence';
import { InMemoryTemplateLibrary } from '@slipway/workflow';
import { isObject } from '../common/documents.js';

export interface ResolvedTemplates {
  library: InMemoryTemplateLibrary;
  /** Keyed `namespaced/NAME` or `cluster/NAME`. */
  records: Map<string, TemplateRecord>;
}

interface Ref {
  name: string;
  cluster: boolean;
}

const MAX_ROUNDS = 20;

@Injectable()
export class TemplateLookup {
  constructor(private readonly templates: TemplateRepository) {}

  async resolve(namespace: string, roots: readonly unknown[]): Promise<ResolvedTemplates> {
    const library = new InMemoryTemplateLibrary();
    const records = new Map<string, TemplateRecord>();
    const seen = new Set<string>();
    let pending = roots.flatMap(referencesIn);
    for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
      const fresh = dedupe(pending).filter((r) => !seen.has(key(r)));
      fresh.forEach((r) => seen.add(key(r)));
      const found = await Promise.all([
        this.fetch('WorkflowTemplate', namespace, fresh.filter((r) => !r.cluster)),
        this.fetch('ClusterWorkflowTemplate', '', fresh.filter((r) => r.cluster)),
      ]);
      pending = [];
      for (const rec of found.flat()) {
        records.set(`${rec.kind === 'ClusterWorkflowTemplate' ? 'cluster' : 'namespaced'}/${rec.name}`, rec);
        library.add(rec.manifest);
        pending.push(...referencesIn(rec.manifest));
      }
    }
    return { library, records };
  }

  private async fetch(kind: TemplateKind, namespace: string, refs: Ref[]): Promise<TemplateRecord[]> {
    if (refs.length === 0) return [];
    return [...(await this.templates.getMany(kind, namespace, refs.map((r) => r.name))).values()];
  }
}

function key(r: Ref): string {
  return `${r.cluster ? 'cluster' : 'namespaced'}/${r.name}`;
}

function dedupe(refs: Ref[]): Ref[] {
  return [...new Map(refs.map((r) => [key(r), r])).values()];
}

/** Every `templateRef` and `workflowTemplateRef` in an object, except names built from `{{…}}`. */
export function referencesIn(value: unknown): Ref[] {
  const out: Ref[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) {
      for (const field of ['templateRef', 'workflowTemplateRef']) {
        const ref = v[field];
        if (isObject(ref) && typeof ref.name === 'string' && ref.name !== '' && !ref.name.includes('{{')) {
          out.push({ name: ref.name, cluster: ref.clusterScope === true });
        }
      }
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return out;
}
