export {
  compareDiagnostics,
  formatDiagnostic,
  formatPath,
  type Diagnostic,
  type FieldPath,
  type Severity,
  type SourcePosition,
} from './diagnostic.js';
export { parseYamlDocuments, type ParsedDocument, type ParseResult } from './parse.js';
