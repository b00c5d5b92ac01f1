/** Split a YAML (or JSON) file into Argo documents, keeping field positions. Pure: text in, data out. */
import type { LineCounter, YAMLError } from 'yaml';
import { KINDS, type Kind } from '../model/spec.js';
import { formatPath, type Diagnostic, type FieldPath, type Severity, type SourcePosition } from './diagnostic.js';
import { composeDocuments } from './compose.js';
import { fastPosition, fastRead, linePosition } from './fast/fast-reader.js';
import { SourceMap } from './source-map.js';
import { yamlLib } from './yaml-lib.js';

export interface ParsedDocument {
  file: string;
  /** Index of the document in its file (0-based, counting every `---` section). */
  index: number;
  kind?: string;
  apiVersion?: string;
  /** `metadata.name`, else `metadata.generateName`. */
  name?: string;
  object: Record<string, unknown>;
  /** Line/column of that field's key (of the item, for sequence items), else of its nearest ancestor. */
  position(path: FieldPath): SourcePosition | undefined;
}

export interface ParseResult {
  /** Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow and WorkflowEventBinding documents. */
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
  /** Documents of other kinds (ConfigMap, PersistentVolumeClaim, …), kept for tools that need them. */
  skipped: ParsedDocument[];
}

const KIND_SET: ReadonlySet<string> = new Set<Kind>(KINDS);

export function parseYamlDocuments(text: string, file: string): ParseResult {
  const result: ParseResult = { documents: [], diagnostics: [], skipped: [] };
  const fast = fastRead(text);
  if (fast) {
    fast.documents.forEach((doc, index) => {
      addDocument(result, file, index, doc.value, (path) => linePosition(fast.lineStarts, fastPosition(doc.root, path)));
    });
    return result;
  }
  return parseFully(text, file, result);
}

/** The `yaml` package's reader: every construct, with its errors and warnings. */
function parseFully(text: string, file: string, result: ParseResult): ParseResult {
  const lines = new (yamlLib().LineCounter)();
  let composed;
  try {
    composed = composeDocuments(text, lines);
  } catch (e) {
    // The parser reports problems as errors on documents; this is only a safety net.
    result.diagnostics.push({ file, line: 1, col: 1, path: '', message: `cannot parse: ${(e as Error).message}`, severity: 'error' });
    return result;
  }
  const { documents: list, unclosedQuotes } = composed;
  const report = (pos: SourcePosition, path: string, message: string, severity: Severity): void => {
    result.diagnostics.push({ file, line: pos.line, col: pos.col, path, message, severity });
  };

  list.forEach((doc, index) => {
    for (const err of doc.errors) report(errorPosition(err, lines, unclosedQuotes), '', yamlMessage(err), 'error');
    for (const warn of doc.warnings.filter((w) => !GO_ACCEPTS.has(w.code))) {
      report(errorPosition(warn, lines, () => []), '', yamlMessage(warn), 'warning');
    }
    if (doc.errors.length > 0 || doc.contents === null) return;

    const map = new SourceMap(doc.contents, lines);
    for (const dup of map.duplicates) {
      report(dup.position, formatPath(dup.mapPath), `duplicate key "${dup.key}" (first defined at line ${dup.firstLine})`, 'error');
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      report(map.position([]), '', `cannot read document: ${(e as Error).message}`, 'error');
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      report(map.position([]), '', 'document is not a mapping; ignored', 'warning');
      return;
    }
    addDocument(result, file, index, value as Record<string, unknown>, (path) => map.position(path));
  });
  return result;
}

function addDocument(result: ParseResult, file: string, index: number, object: Record<string, unknown>, position: (path: FieldPath) => SourcePosition): void {
  const parsed = toParsedDocument(file, index, object, position);
  if (parsed.kind !== undefined && KIND_SET.has(parsed.kind)) {
    result.documents.push(parsed);
    return;
  }
  result.skipped.push(parsed);
  const { line, col } = position(['kind']);
  if (parsed.kind === undefined) {
    result.diagnostics.push({ file, line, col, path: '', message: 'document has no kind; ignored', severity: 'warning' });
  } else {
    result.diagnostics.push({ file, line, col, path: 'kind', message: `skipping kind ${parsed.kind}`, severity: 'info' });
  }
}

/** Warnings about layouts Go reads without complaint (e.g. a closing `]` at the key's indentation). */
const GO_ACCEPTS: ReadonlySet<string> = new Set(['BAD_INDENT']);

function toParsedDocument(file: string, index: number, object: Record<string, unknown>, position: (path: FieldPath) => SourcePosition): ParsedDocument {
  const metadata = object.metadata;
  const meta = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const name = str(meta.name) ?? str(meta.generateName);
  return {
    file,
    index,
    kind: str(object.kind),
    apiVersion: str(object.apiVersion),
    name,
    object,
    position,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Where an error is; a missing closing quote is shown at the opening quote, as Go does. */
function errorPosition(err: YAMLError, lines: LineCounter, unclosedQuotes: () => readonly number[]): SourcePosition {
  let offset = err.pos[0];
  if (err.code === 'MISSING_CHAR' && /closing .?quote/.test(err.message)) {
    const start = unclosedQuotes().filter((q) => q <= offset).at(-1);
    if (start !== undefined) offset = start;
  }
  const { line, col } = lines.linePos(offset);
  return { line, col };
}

function yamlMessage(err: YAMLError): string {
  const first = err.message.split('\n')[0].trim();
  return first.replace(/ at line \d+, column \d+:?$/, '');
}
