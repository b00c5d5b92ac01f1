/** `slipway lint PATH...`: check workflow files the way `argo lint` does, with positions. */
import { compareDiagnostics, formatDiagnostic, lintDocuments, type Diagnostic } from '@slipway/workflow/lint';
import { loadPaths } from '../load/index.js';

export interface LintIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Print one line per error or warning and a summary; resolve to the exit code (1 if any error). */
export function runLint(paths: readonly string[], io: LintIo): number {
  if (paths.length === 0) {
    io.stderr('usage: slipway lint PATH...\n');
    return 2;
  }
  const loaded = loadPaths(paths);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics, ...lintDocuments(loaded.documents)];
  diagnostics.sort(compareDiagnostics);
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const d of diagnostics) {
    if (d.severity === 'info') {
      infos++;
      continue;
    }
    if (d.severity === 'error') errors++;
    else warnings++;
    io.stdout(`${formatDiagnostic(d)}\n`);
  }
  const parts = [count(loaded.files.length, 'file'), count(errors, 'error'), count(warnings, 'warning')];
  if (infos > 0) parts.push(`${infos} info`);
  io.stdout(`${parts.join(', ')}\n`);
  return errors > 0 ? 1 : 0;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
