/** Where lint rules report findings: one reporter per document, positions taken from its source. */
import type { TemplateLibrary } from '../library/template-library.js';
import { formatPath, type Diagnostic, type FieldPath, type Severity } from '../yaml/diagnostic.js';
import type { ParsedDocument } from '../yaml/parse.js';

export type Path = (string | number)[];

export class Reporter {
  readonly doc: ParsedDocument;
  private readonly out: Diagnostic[];

  constructor(doc: ParsedDocument, out: Diagnostic[]) {
    this.doc = doc;
    this.out = out;
  }

  error(path: FieldPath, message: string): void {
    this.report(path, message, 'error');
  }

  warning(path: FieldPath, message: string): void {
    this.report(path, message, 'warning');
  }

  report(path: FieldPath, message: string, severity: Severity): void {
    const pos = this.doc.position(path) ?? { line: 1, col: 1 };
    this.out.push({ file: this.doc.file, line: pos.line, col: pos.col, path: formatPath(path), message, severity });
  }
}

/** What every rule of one document needs. */
export interface LintContext {
  report: Reporter;
  library: TemplateLibrary;
}
