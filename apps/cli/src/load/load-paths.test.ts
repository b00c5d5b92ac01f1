import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPaths } from './index.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'slipway-load-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const WF = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: NAME}\n';

describe('loadPaths', () => {
  it('walks directories recursively in sorted order, reading .yaml, .yml and .json only', () => {
    const root = tree({
      'b.yaml': WF.replace('NAME', 'b'),
      'a/z.yml': WF.replace('NAME', 'z'),
      'a/y.json': '{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "y"}}',
      'a/notes.txt': 'not yaml',
      'c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n',
    });
    const r = loadPaths([root]);
    expect(r.files.map((f) => path.relative(root, f))).toEqual(['a/y.json', 'a/z.yml', 'b.yaml', 'c.yaml']);
    expect(r.documents.map((d) => d.name)).toEqual(['y', 'z', 'b']);
    expect(r.skipped.map((d) => d.kind)).toEqual(['ConfigMap']);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['skipping kind ConfigMap']);
  });

  it('reads a file given twice only once, and reports a missing path instead of throwing', () => {
    const root = tree({ 'w.yaml': WF.replace('NAME', 'w') });
    const file = path.join(root, 'w.yaml');
    const missing = path.join(root, 'nope.yaml');
    const r = loadPaths([file, root, missing]);
    expect(r.files).toEqual([file]);
    expect(r.diagnostics).toEqual([{ file: missing, line: 1, col: 1, path: '', message: 'no such file or directory', severity: 'error' }]);
  });
});
