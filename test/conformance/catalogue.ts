/**
 * The conformance target: Argo's own examples (../shared/argo-examples) with the outcome Argo gives
 * each, from CATALOGUE.tsv. Shared by the conformance test and `scripts/conformance.mjs`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CatalogueRow {
  file: string;
  kind: string;
  shellRunnable: boolean;
  expected: string;
  notes: string;
  companions: string[];
}

export function findArgoExamples(): string {
  const candidates = [
    process.env.SLIPWAY_ARGO_EXAMPLES,
    resolve(import.meta.dirname, '../../../shared/argo-examples'),
    resolve(process.cwd(), '../shared/argo-examples'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(join(p, 'CATALOGUE.tsv')));
  if (!found) throw new Error(`Argo examples not found (looked in ${candidates.join(', ')}); set SLIPWAY_ARGO_EXAMPLES`);
  return found;
}

export function readCatalogue(root: string): CatalogueRow[] {
  const lines = readFileSync(join(root, 'CATALOGUE.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const notes = cells[col('notes')] ?? '';
    const companions = [...notes.matchAll(/companions: ([^|]+)/g)]
      .flatMap((m) => m[1].split(/,\s*|\s*\+\s*/))
      .map((c) => c.trim())
      .filter((c) => c.startsWith('examples/') && c.endsWith('.yaml'));
    return {
      file: cells[col('file')],
      kind: cells[col('kind')],
      shellRunnable: (cells[col('shell_runnable')] ?? '').startsWith('yes'),
      expected: cells[col('expected_phase')],
      notes,
      companions: [...new Set(companions)],
    };
  });
}

/** What `slipway run` needs beyond the file for a few examples (what Argo's e2e or a user supplies). */
export const EXTRA_ARGS: Record<string, string[]> = {
  'examples/workflow-event-binding/event-consumer-workflowtemplate.yaml': ['-p', 'appellation=Mr Slipway'],
  'examples/suspend-template-outputs.yaml': ['--auto-resume', '--set', 'approve.message=approved by slipway'],
  'examples/suspend-template.yaml': ['--auto-resume'],
  'examples/intermediate-parameters.yaml': ['--auto-resume'],
};

/** The rows the conformance run covers: shell-runnable, with a Succeeded or Failed outcome. */
export function runnableRows(root: string): CatalogueRow[] {
  return readCatalogue(root).filter((r) => r.shellRunnable && (r.expected === 'Succeeded' || r.expected === 'Failed'));
}
