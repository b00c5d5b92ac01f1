/**
 * The fast reader either gives up or gives exactly what the full reader gives: the same values
 * (types included), the same position for every field path (and for paths that do not exist), and
 * only for text the full reader reads without an error, a warning or a duplicate key. Checked on
 * the repository's YAML files, Argo's examples (when ../shared/argo-examples is there, as for the
 * conformance suite), tricky snippets, and many randomly mutated copies of them all.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { LineCounter } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeDocuments } from '../compose.js';
import { SourceMap } from '../source-map.js';
import { fastPosition, fastRead, linePosition } from './fast-reader.js';
import { seededRandom } from './seeded-random.js';

const ROOT = resolve(import.meta.dirname, '../../../../..');

function corpus(): Map<string, string> {
  const files = new Map<string, string>();
  const listed = execSync("git ls-files '*.yaml' '*.yml'", { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of listed) files.set(f, readFileSync(join(ROOT, f), 'utf8'));
  const argo = [process.env.SLIPWAY_ARGO_EXAMPLES, resolve(ROOT, '../shared/argo-examples')].find((d) => d && existsSync(d));
  if (argo) {
    for (const f of readdirSync(argo, { recursive: true, encoding: 'utf8' })) {
      if (/\.ya?ml$/.test(f)) files.set(`argo/${f}`, readFileSync(join(argo, f), 'utf8'));
    }
  }
  SNIPPETS.forEach((s, i) => files.set(`snippet ${i}`, s));
  return files;
}

const SNIPPETS = [
  'a: 1\nb: 0755\nc: 0o17\nd: "0755"\ne: yes\nf: ~\ng: 1.5\nh: .\ni: 1:20\nj: 2001-12-14\nk: .inf\nl: -0\nm: 1_000\nn: 0x1F\no: true\n',
  'a:\n- 1\n- [2, "3", {x: y}]\nb: {c: d, "e f": \'g\'\'h\'}\n',
  'a: |\n  line 1\n\n  line 3\n\nb: |-\n    x\n     y\nc: end\n',
  'list:\n  - name: a\n    value: |\n      echo hi\n  - - nested\n    - seq\n  -\n    k: v\n',
  '---\na: 1\n---\nb: 2\n',
  'a: 1\n---\n',
  'a: b: c\n',
  'a: 1\na: 2\n',
  'a: {x: 1, x: 2}\n',
  'a: [1, 2,]\n',
  'a: "unterminated\n',
  'a: "esc \\x41 \\u0042 \\n"\n',
  'key with spaces: v # comment\n# comment\n"quoted": \'single\'\n',
  'a:\n  b:\n    c: 1\n  d: 2\ne: 3\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: >\n  folded\n',
  'a: plain\n  continued\n',
  '  indented: root\n  second: 1\n',
  'a: 1\n  b: 2\n',
  '- 1\n- 2\n',
  'scalar\n',
  '',
  'a: [1,\n  2]\n',
  'a: {b: [c, {d: e}], f: []}\ng: {}\n',
  'a: http://x.y/z?q=1#frag\nb: x #c\nc: "a # b"\n',
  'on: 1\nnull: 2\n1: 3\n',
  'a: |\n  text\n', 
  'a: |\n  no newline at end',
  '<<: {a: 1}\n',
  '__proto__: 1\n',
  'a:\n\n  b: 1\n\n\nc:\n',
  'a: [x: 1]\n',
  'a: -x\nb: - x\n',
];

/** Every path of a value, and a few that do not exist under it. */
function probes(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path, [...path, 'zz'], [...path, 0], [...path, '0']);
  if (Array.isArray(value)) value.forEach((v, i) => probes(v, [...path, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) probes(v, [...path, k], out);
  return out;
}

/** undefined when they agree (or the fast reader gave up), else what differs. */
function compare(text: string): string | undefined {
  const fast = fastRead(text);
  if (!fast) return undefined;
  const lines = new LineCounter();
  const { documents } = composeDocuments(text, lines);
  if (documents.length !== fast.documents.length) return `documents: ${documents.length} vs fast ${fast.documents.length}`;
  for (const [i, doc] of documents.entries()) {
    if (doc.errors.length > 0 || doc.warnings.length > 0) return `fast reader accepted: ${[...doc.errors, ...doc.warnings][0].message}`;
    const map = new SourceMap(doc.contents, lines);
    if (map.duplicates.length > 0) return 'fast reader accepted a duplicate key';
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const mine = fast.documents[i];
    if (!isDeepStrictEqual(value, mine.value)) return `value: ${JSON.stringify(value)} vs fast ${JSON.stringify(mine.value)}`;
    for (const path of probes(value)) {
      const want = map.position(path);
      const got = linePosition(fast.lineStarts, fastPosition(mine.root, path));
      if (want.line !== got.line || want.col !== got.col) return `position of ${JSON.stringify(path)}: ${want.line}:${want.col} vs fast ${got.line}:${got.col}`;
    }
  }
  return undefined;
}

const PIECES = [' ', '  ', '\n', '-', '- ', ':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '|', '|-', '>', '&a', '*a', '!', '?', '~', '0', '07', 'yes', '---', '\\', 'x'];

function mutate(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const pick = rnd();
  if (pick < 0.4) return text.slice(0, at) + PIECES[Math.floor(rnd() * PIECES.length)] + text.slice(at);
  if (pick < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
  const lines = text.split('\n');
  const l = Math.floor(rnd() * lines.length);
  if (pick < 0.85) lines.splice(l, 0, lines[Math.floor(rnd() * lines.length)]);
  else lines[l] = (rnd() < 0.5 ? ' ' : '') + lines[l].replace(/^ {1,2}/, rnd() < 0.5 ? '' : ' ');
  return lines.join('\n');
}

describe('fast YAML reader', () => {
  const files = corpus();

  it('reads most workflow files, and agrees with the full reader on every one it reads', () => {
    let read = 0;
    for (const [name, text] of files) {
      expect(compare(text), name).toBeUndefined();
      if (fastRead(text)) read++;
    }
    expect(read).toBeGreaterThan(files.size / 3);
  });

  it('agrees with the full reader on randomly mutated files, or gives up', () => {
    const rnd = seededRandom(42);
    const texts = [...files.values()].filter((t) => t.length < 20_000);
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      let text = texts[Math.floor(rnd() * texts.length)];
      const n = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < n; k++) text = mutate(text, rnd);
      const diff = compare(text);
      if (diff !== undefined) expect.fail(`${diff}\n--- text:\n${text}`);
      if (fastRead(text)) accepted++;
    }
    expect(accepted).toBeGreaterThan(400);
  });

  it('reads the benchmark DAG (flow-style tasks) the fast way', () => {
    const tasks = Array.from({ length: 50 }, (_, i) => `          - {name: n${i}, template: noop${i > 0 ? `, dependencies: [n${i - 1}]` : ''}}`);
    const text = `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: d\nspec:\n  entrypoint: main\n  templates:\n    - name: main\n      dag:\n        tasks:\n${tasks.join('\n')}\n    - name: noop\n      container:\n        image: alpine:3\n        command: ["true"]\n`;
    expect(fastRead(text)).toBeDefined();
    expect(compare(text)).toBeUndefined();
  });
});
