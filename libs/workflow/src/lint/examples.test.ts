/**
 * Lint all of Argo's own examples together (companion WorkflowTemplates resolve across files).
 * Every file must be clean except the ones that are genuinely broken.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseYamlDocuments, type Diagnostic, type ParsedDocument } from '../yaml/index.js';
import { lintDocuments } from './index.js';

const ROOT = process.env.ARGO_EXAMPLES_DIR ?? '/work/shared/argo-examples';

/** The only findings expected in the corpus, each a real defect (see the comments). */
const EXPECTED = [
  // `generateName` is indented under `labels`, so the Workflow has neither name nor generateName,
  // and "fun-with-gifs-" is not a valid label value; the API server rejects the manifest.
  'examples/fun-with-gifs.yaml:12:1: metadata: name or generateName is required ("generateName" is indented under metadata.labels)',
  'examples/fun-with-gifs.yaml:15:5: metadata.labels.generateName: invalid label value "fun-with-gifs-": it must be 63 characters or less, and begin and end with an alphanumeric character ([a-z0-9A-Z]) with dashes (-), underscores (_), dots (.) and alphanumerics between',
  // The `name: k8s-jobs` line is indented into the block text of the no-test-reasons annotation,
  // so this Workflow has no name or generateName either.
  'examples/k8s-jobs.yaml:8:1: metadata: name or generateName is required (a "name:" line is part of the text of annotation "workflows.argoproj.io/no-test-reasons")',
  // `annotations` appears twice under metadata (go-yaml's strict decoding, used by `argo lint`, rejects it).
  'examples/k8s-patch-json-workflow.yaml:13:3: metadata: duplicate key "annotations" (first defined at line 6)',
];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

describe.skipIf(!existsSync(path.join(ROOT, 'examples')))('Argo examples corpus', () => {
  it('lints all 217 files together; only the genuinely broken ones have errors', () => {
    const files = yamlFiles(path.join(ROOT, 'examples'));
    expect(files).toHaveLength(217);
    const documents: ParsedDocument[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const file of files) {
      const parsed = parseYamlDocuments(readFileSync(path.join(ROOT, file), 'utf8'), file);
      documents.push(...parsed.documents);
      diagnostics.push(...parsed.diagnostics);
    }
    diagnostics.push(...lintDocuments(documents));

    const problems = diagnostics.filter((d) => d.severity !== 'info').map(formatDiagnostic).sort();
    const filesWithErrors = [...new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file))];
    expect(problems, `files with errors: ${filesWithErrors.join(', ')}\n${problems.join('\n')}`).toEqual(EXPECTED);
    // ConfigMap, PersistentVolumeClaim and ResourceQuota documents are skipped, not linted.
    expect(diagnostics.filter((d) => d.severity === 'info').map((d) => d.message).sort()).toEqual([
      'skipping kind ConfigMap',
      'skipping kind PersistentVolumeClaim',
      'skipping kind ResourceQuota',
    ]);
  });
});
