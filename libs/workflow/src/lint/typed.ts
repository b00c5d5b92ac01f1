/** From a parsed document to a typed Argo object, checking fields and value types on the way. */
import type { ArgoObject, Kind } from '../model/spec.js';
import { formatPath, type Diagnostic } from '../yaml/diagnostic.js';
import type { ParsedDocument } from '../yaml/parse.js';
import { checkSchema, type SchemaIssue } from './schema/check.js';

const ROOT_TYPE: Record<Kind, string> = {
  Workflow: 'Workflow',
  WorkflowTemplate: 'WorkflowTemplate',
  ClusterWorkflowTemplate: 'WorkflowTemplate',
  CronWorkflow: 'CronWorkflow',
  WorkflowEventBinding: 'WorkflowEventBinding',
};

export interface TypedDocument {
  /** The document with unknown or wrongly typed fields left out, AnyString values as strings. */
  value: ArgoObject | undefined;
  /** Unknown fields and wrong value types (errors). */
  diagnostics: Diagnostic[];
}

/** Check a document against Argo's schema and return the cleaned, typed object. */
export function toTypedObject(doc: ParsedDocument): TypedDocument {
  const rootType = doc.kind !== undefined && Object.hasOwn(ROOT_TYPE, doc.kind) ? ROOT_TYPE[doc.kind as Kind] : undefined;
  if (rootType === undefined) return { value: undefined, diagnostics: [] };
  const issues: SchemaIssue[] = [];
  const value = checkSchema(doc.object, rootType, [], issues) as ArgoObject | undefined;
  const diagnostics = issues.map((issue): Diagnostic => {
    const pos = doc.position(issue.path) ?? { line: 1, col: 1 };
    return { file: doc.file, line: pos.line, col: pos.col, path: formatPath(issue.path), message: issue.message, severity: 'error' };
  });
  return { value, diagnostics };
}
