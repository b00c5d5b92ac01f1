/**
 * Lint a file before sending it, with the same code as `slipway lint`. Templates it references
 * (`templateRef`, `workflowTemplateRef`) that the file does not define are fetched from the server,
 * so a workflow that uses a server-side WorkflowTemplate lints clean and a typo is caught with its
 * line:col before anything is submitted.
 */
import {
  compareDiagnostics,
  InMemoryTemplateLibrary,
  lintDocuments,
  type Diagnostic,
  type ParsedDocument,
  type WorkflowTemplate,
} from '@slipway/workflow';
import { loadPaths } from '../load/index.js';
import { ApiResponseError } from './api-client.js';
import type { SlipwayApi } from './slipway-api.js';

export interface LintedFile {
  /** The Argo documents of the file. */
  documents: ParsedDocument[];
  /** Errors and warnings, sorted (infos dropped). */
  diagnostics: Diagnostic[];
  errors: number;
}

const MAX_FETCHES = 100;

export async function lintFile(file: string, api: SlipwayApi): Promise<LintedFile> {
  const loaded = loadPaths([file]);
  const library = await referencedTemplates(api, loaded.documents);
  const diagnostics = [...loaded.diagnostics, ...lintDocuments(loaded.documents, { library })]
    .filter((d) => d.severity !== 'info')
    .sort(compareDiagnostics);
  return { documents: loaded.documents, diagnostics, errors: diagnostics.filter((d) => d.severity === 'error').length };
}

interface Ref {
  name: string;
  cluster: boolean;
}

/** The server's templates the documents reference (transitively), that the documents do not define. */
async function referencedTemplates(api: SlipwayApi, docs: readonly ParsedDocument[]): Promise<InMemoryTemplateLibrary> {
  const library = new InMemoryTemplateLibrary();
  const known = new Set<string>();
  for (const d of docs) {
    if ((d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate') && d.name) known.add(key(d.name, d.kind === 'ClusterWorkflowTemplate'));
  }
  const queue: Ref[] = docs.flatMap((d) => collectRefs(d.object));
  let fetches = 0;
  while (queue.length > 0 && fetches < MAX_FETCHES) {
    const ref = queue.shift()!;
    const k = key(ref.name, ref.cluster);
    if (known.has(k)) continue;
    known.add(k);
    fetches++;
    let template: WorkflowTemplate;
    try {
      template = await api.getTemplate(ref.name, ref.cluster);
    } catch (err) {
      if (err instanceof ApiResponseError && err.status === 404) continue; // lint reports it, with its position
      throw err;
    }
    template.kind ??= ref.cluster ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
    library.add(template);
    queue.push(...collectRefs(template));
  }
  return library;
}

function key(name: string, cluster: boolean): string {
  return `${cluster ? 'c' : 'n'}/${name}`;
}

/** Every `templateRef` / `workflowTemplateRef` with a literal name, anywhere in the object. */
export function collectRefs(value: unknown, out: Ref[] = []): Ref[] {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'templateRef' || k === 'workflowTemplateRef') && v && typeof v === 'object') {
        const ref = v as { name?: unknown; clusterScope?: unknown };
        if (typeof ref.name === 'string' && ref.name && !ref.name.includes('{{')) out.push({ name: ref.name, cluster: ref.clusterScope === true });
      }
      collectRefs(v, out);
    }
  }
  return out;
}
