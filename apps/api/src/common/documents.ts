/**
 * Argo documents in request bodies: `{"workflow": {...}}` (Argo Server's shape) or the bare
 * document, in JSON or YAML. Positions point into the body as sent, so lint errors carry the
 * line:col the author sees.
 */
import {
  API_VERSION,
  lintDocuments,
  parseYamlDocuments,
  type Diagnostic,
  type Kind,
  type ParsedDocument,
  type SourcePosition,
  type TemplateLibrary,
} from '@slipway/workflow';
import type { Request } from 'express';
import { stringify } from 'yaml';
import { invalid } from './api-error.js';
import { bodyFormat, rawBody } from './body.js';
import { jsonErrorPosition } from './json-position.js';

export interface BodyDocument {
  doc: ParsedDocument;
  /** The other fields of the wrapper (e.g. `serverDryRun`). */
  extra: Record<string, unknown>;
  /** The document as YAML text: the body itself when it was a bare YAML document. */
  source: string;
}

const FILE = 'body';

/** Read the document under `wrapperKey` (or the bare document) and check its kind. */
export function readBodyDocument(req: Request, wrapperKey: string, kinds: readonly Kind[]): BodyDocument {
  const text = rawBody(req);
  if (text.trim() === '') throw invalid(`body: ${wrapperKey} is required`);
  const format = bodyFormat(req);
  let outer: ParsedDocument;
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const { line, col } = jsonErrorPosition(text);
      throw invalid(`body: invalid JSON at ${line}:${col}: ${(err as Error).message}`);
    }
    if (!isObject(value)) throw invalid('body: must be a JSON object');
    outer = lazyDocument(text, value);
  } else {
    const parsed = parseYamlDocuments(text, FILE);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw lintError(errors);
    const docs = [...parsed.documents, ...parsed.skipped].sort((a, b) => a.index - b.index);
    if (docs.length === 0) throw invalid('body: no document found');
    if (docs.length > 1) throw invalid(`body: expected one document, got ${docs.length}`);
    outer = docs[0];
  }
  const wrapped = isObject(outer.object[wrapperKey]);
  if (!wrapped && typeof outer.object.kind !== 'string') {
    throw invalid(`body: expected {"${wrapperKey}": {...}} or a ${kinds.join('/')} document`);
  }
  const object = (wrapped ? outer.object[wrapperKey] : outer.object) as Record<string, unknown>;
  const extra = wrapped ? Object.fromEntries(Object.entries(outer.object).filter(([k]) => k !== wrapperKey)) : {};
  object.apiVersion ??= API_VERSION;
  object.kind ??= kinds[0];
  if (!kinds.includes(object.kind as Kind)) {
    throw invalid(`${wrapped ? `${wrapperKey}.` : ''}kind: expected ${kinds.join(' or ')}, got ${JSON.stringify(object.kind)}`);
  }
  const prefix = wrapped ? [wrapperKey] : [];
  const doc = documentOf(object, (path) => outer.position([...prefix, ...path]));
  const source = format === 'yaml' && !wrapped ? text : stringify(object);
  return { doc, extra, source };
}

/** A document built by the server (e.g. from a template), linted without source positions. */
export function objectDocument(object: Record<string, unknown>): ParsedDocument {
  return documentOf(object, () => undefined);
}

function documentOf(object: Record<string, unknown>, position: ParsedDocument['position']): ParsedDocument {
  const meta = isObject(object.metadata) ? object.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : undefined;
  return {
    file: FILE,
    index: 0,
    kind: object.kind as string,
    apiVersion: object.apiVersion as string,
    name,
    object,
    position,
  };
}

/** JSON bodies: positions are only computed (by parsing the text as YAML) when a lint error needs one. */
function lazyDocument(text: string, value: Record<string, unknown>): ParsedDocument {
  let positioned: ParsedDocument | undefined | null;
  const position = (path: readonly (string | number)[]): SourcePosition | undefined => {
    if (positioned === undefined) {
      const parsed = parseYamlDocuments(text, FILE);
      positioned = [...parsed.documents, ...parsed.skipped][0] ?? null;
    }
    return positioned?.position(path);
  };
  return { file: FILE, index: 0, object: value, position };
}

/** Lint; errors become one 400 naming line:col and field of each. */
export function lintOrThrow(doc: ParsedDocument, library: TemplateLibrary): void {
  const errors = lintDocuments([doc], { library }).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw lintError(errors);
}

export function lintError(errors: Diagnostic[]): Error {
  const lines = errors.map((d) => `${d.line}:${d.col}: ${d.path ? `${d.path}: ` : ''}${d.message}`);
  return invalid(lines.join('\n'), errors.map(({ line, col, path, message }) => ({ line, col, field: path, message })));
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
