/** Helpers for the lint tests: inline YAML in, formatted diagnostics out. */
import { formatDiagnostic, parseYamlDocuments } from '../yaml/index.js';
import { lintDocuments } from './lint.js';

/** Strip the first newline and the common indentation, so line 1 is the line after the backtick. */
export function yaml(text: string): string {
  const body = text.replace(/^\n/, '');
  const indents = body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const indent = Math.min(...indents);
  return body
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

/**
 * Parse and lint files given as inline YAML (named f1.yaml, f2.yaml, …) together; return the
 * errors and warnings (warnings prefixed with `warning: `) as formatted lines.
 */
export function lintText(...files: string[]): string[] {
  const parsed = files.map((text, i) => parseYamlDocuments(yaml(text), `f${i + 1}.yaml`));
  return [...parsed.flatMap((p) => p.diagnostics), ...lintDocuments(parsed.flatMap((p) => p.documents))]
    .filter((d) => d.severity !== 'info')
    .map((d) => `${d.severity === 'warning' ? 'warning: ' : ''}${formatDiagnostic(d)}`);
}

/** A leaf template named `hello`, indented to sit under `templates:` at ten spaces. */
export const HELLO = `
          - name: hello
            container:
              image: busybox`;
