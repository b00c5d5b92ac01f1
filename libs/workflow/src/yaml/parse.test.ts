import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatPath, parseYamlDocuments } from './index.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;
const wf = (...spec: string[]): string =>
  lines('apiVersion: argoproj.io/v1alpha1', 'kind: Workflow', 'metadata:', '  name: w', 'spec:', ...spec);

function spec(text: string): Record<string, unknown> {
  const r = parseYamlDocuments(text, 'w.yaml');
  expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  return r.documents[0].object.spec as Record<string, unknown>;
}

describe('scalars read as Go (sigs.k8s.io/yaml, go-yaml v2) reads them', () => {
  it('reads 0755 and 0o755 as octal, keeps quoted numbers as strings', () => {
    expect(spec(wf('  a: 0755', '  b: 0o755', '  c: "0755"', "  d: '0755'", '  e: -0o17'))).toEqual({
      a: 493,
      b: 493,
      c: '0755',
      d: '0755',
      e: -15,
    });
  });

  it('keeps integers as numbers and reads YAML 1.1 booleans', () => {
    expect(spec(wf('  a: 5', '  b: 1.5', '  c: 1e3', '  d: yes', '  e: "yes"', '  f: off', '  g: 0x1F'))).toEqual({
      a: 5,
      b: 1.5,
      c: 1000,
      d: true,
      e: 'yes',
      f: false,
      g: 31,
    });
  });

  it('keeps what Go keeps as strings: a lone dot, base-60 and dates', () => {
    expect(spec(wf('  a: .', '  b: 1:20', '  c: 2001-12-14', '  d: 1.2.3'))).toEqual({
      a: '.',
      b: '1:20',
      c: '2001-12-14',
      d: '1.2.3',
    });
  });

  it('accepts continuation lines of a flow sequence at the key indentation, as Go does', () => {
    const s = spec(wf('  args: ["', '    echo hello &&', '    echo bye', '  "]', '  next: 1'));
    expect(s).toEqual({ args: [' echo hello && echo bye '], next: 1 });
  });
});

describe('documents', () => {
  it('splits on --- but not on #--- in a comment, and skips empty documents', () => {
    const text = lines(
      '#--- not a separator',
      'apiVersion: argoproj.io/v1alpha1',
      'kind: WorkflowTemplate',
      'metadata: {name: t}',
      '---',
      '# only a comment',
      '---',
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata: {generateName: w-}',
    );
    const r = parseYamlDocuments(text, 'multi.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => [d.index, d.kind, d.name, d.apiVersion])).toEqual([
      [0, 'WorkflowTemplate', 't', 'argoproj.io/v1alpha1'],
      [2, 'Workflow', 'w-', 'argoproj.io/v1alpha1'],
    ]);
  });

  it('returns other kinds as skipped, with an info diagnostic', () => {
    const text = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: cm}', 'data: {a: b}');
    const r = parseYamlDocuments(text, 'cm.yaml');
    expect(r.documents).toEqual([]);
    expect(r.skipped.map((d) => [d.kind, d.name, d.object.data])).toEqual([['ConfigMap', 'cm', { a: 'b' }]]);
    expect(r.diagnostics.map((d) => [formatDiagnostic(d), d.severity])).toEqual([['cm.yaml:2:1: kind: skipping kind ConfigMap', 'info']]);
  });

  it('warns about a document without kind', () => {
    const r = parseYamlDocuments(lines('metadata: {name: x}'), 'x.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(['x.yaml:1:1: document has no kind; ignored']);
    expect(r.skipped).toHaveLength(1);
  });

  it('reads JSON files', () => {
    const r = parseYamlDocuments('{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "j"}}', 'w.json');
    expect(r.documents.map((d) => d.name)).toEqual(['j']);
  });
});

describe('errors', () => {
  it('reports a duplicate key with both lines', () => {
    const text = wf('  templates:', '  - name: a', '    container:', '      args: [x]', '      image: busybox', '      args: [y]');
    const r = parseYamlDocuments(text, 'dup.yaml');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'dup.yaml:11:7: spec.templates[0].container: duplicate key "args" (first defined at line 9)',
    ]);
    expect(r.diagnostics[0].severity).toBe('error');
    expect(r.documents).toHaveLength(1);
  });

  it('turns a syntax error into a positioned diagnostic instead of throwing', () => {
    const r = parseYamlDocuments(wf('  a: "unterminated', '  b: 1'), 'bad.yaml');
    expect(r.documents).toEqual([]);
    const first = r.diagnostics[0];
    expect([first.file, first.line, first.col, first.severity]).toEqual(['bad.yaml', 6, 6, 'error']);
    expect(first.message).toMatch(/quote/);
  });

  it('reports a tab-indented or broken mapping with its line', () => {
    const r = parseYamlDocuments(lines('kind: Workflow', 'spec:', '  a: 1', ' b: 2'), 'indent.yaml');
    expect(r.diagnostics[0].line).toBe(4);
    expect(r.diagnostics[0].severity).toBe('error');
  });
});

describe('positions', () => {
  const text = wf(
    '  entrypoint: main',
    '  templates:',
    '  - name: main',
    '    steps:',
    '    - - name: a',
    '        template: hello',
    '  - name: hello',
    '    container: {image: busybox, args: ["a", "b"]}',
  );
  const doc = parseYamlDocuments(text, 'p.yaml').documents[0];

  it('gives the position of a mapping key', () => {
    expect(doc.position(['spec', 'entrypoint'])).toEqual({ line: 6, col: 3 });
    expect(doc.position(['spec', 'templates', 0, 'steps', 0, 0, 'template'])).toEqual({ line: 11, col: 9 });
  });

  it('gives the position of a sequence item', () => {
    expect(doc.position(['spec', 'templates', 1])).toEqual({ line: 12, col: 5 });
    expect(doc.position(['spec', 'templates', 1, 'container', 'args', 1])).toEqual({ line: 13, col: 45 });
  });

  it('falls back to the nearest ancestor', () => {
    expect(doc.position(['spec', 'templates', 0, 'steps', 0, 0, 'arguments', 'parameters'])).toEqual({ line: 10, col: 9 });
    expect(doc.position(['nothing'])).toEqual({ line: 1, col: 1 });
  });
});

describe('formatting', () => {
  it('formats paths with indices and quoted odd keys', () => {
    expect(formatPath(['spec', 'templates', 2, 'steps', 1, 0, 'template'])).toBe('spec.templates[2].steps[1][0].template');
    expect(formatPath(['metadata', 'labels', 'workflows.argoproj.io/no-test'])).toBe('metadata.labels["workflows.argoproj.io/no-test"]');
  });

  it('formats a diagnostic as file:line:col: path: message', () => {
    const d = { file: 'examples/foo.yaml', line: 12, col: 11, path: 'spec.templates[1].steps[0][0].template', message: 'template "whalesay" is not defined', severity: 'error' as const };
    expect(formatDiagnostic(d)).toBe('examples/foo.yaml:12:11: spec.templates[1].steps[0][0].template: template "whalesay" is not defined');
    expect(formatDiagnostic({ ...d, path: '' })).toBe('examples/foo.yaml:12:11: template "whalesay" is not defined');
  });
});
