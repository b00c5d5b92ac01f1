/** Read workflow files from disk: files or directories (recursively), in a stable order. */
import { readdir, readFile, stat } from 'node:fs/promises';
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
export async function loadPaths(paths: readonly string[]): Promise<LoadResult> {
  const result: LoadResult = { documents: [], diagnostics: [], skipped: [], files: [] };
  const seen = new Set<string>();
  for (const p of paths) {
    for (const file of await listFiles(p, result.diagnostics)) {
      const key = path.resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      await loadFile(file, result);
    }
  }
  return result;
}

async function loadFile(file: string, result: LoadResult): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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
async function listFiles(p: string, diagnostics: Diagnostic[]): Promise<string[]> {
  let info;
  try {
    info = await stat(p);
  } catch (e) {
    diagnostics.push(ioDiagnostic(p, e));
    return [];
  }
  if (!info.isDirectory()) return [p];
  const entries = await readdir(p, { recursive: true, withFileTypes: true });
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
