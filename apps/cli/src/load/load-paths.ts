/**
 * Read workflow files from disk: files or directories (recursively), in a stable order.
 * Synchronously: the command can do nothing else meanwhile, and each asynchronous call would be a
 * round trip through libuv's thread pool (≈ 1–2 ms of a `slipway run`'s start for one file).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseYamlDocuments, type Diagnostic, type ParsedDocument } from '@slipway/workflow/lint';

export interface LoadResult {
  /** Argo documents (Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow, WorkflowEventBinding). */
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
  /** Documents of other kinds (ConfigMap, …). */
  skipped: ParsedDocument[];
  /** Every file read, as it is named in diagnostics. */
  files: string[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Load every manifest under `paths`. A missing or unreadable path is a diagnostic, not a throw. */
export function loadPaths(paths: readonly string[]): LoadResult {
  const result: LoadResult = { documents: [], diagnostics: [], skipped: [], files: [] };
  const seen = new Set<string>();
  for (const p of paths) {
    for (const file of listFiles(p, result.diagnostics)) {
      const key = path.resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      loadFile(file, result);
    }
  }
  return result;
}

function loadFile(file: string, result: LoadResult): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    result.diagnostics.push(ioDiagnostic(file, e));
    return;
  }
  result.files.push(file);
  const parsed = parseYamlDocuments(text, file);
  result.documents.push(...parsed.documents);
  result.diagnostics.push(...parsed.diagnostics);
  result.skipped.push(...parsed.skipped);
}

/** The manifest files a path stands for, sorted; a directory is walked recursively. */
function listFiles(p: string, diagnostics: Diagnostic[]): string[] {
  let info;
  try {
    info = statSync(p);
  } catch (e) {
    diagnostics.push(ioDiagnostic(p, e));
    return [];
  }
  if (!info.isDirectory()) return [p];
  const entries = readdirSync(p, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(e.parentPath, e.name))
    .sort(compareCodeUnits);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ioDiagnostic(file: string, e: unknown): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' ? 'no such file or directory' : e instanceof Error ? e.message : String(e);
  return { file, line: 1, col: 1, path: '', message, severity: 'error' };
}
