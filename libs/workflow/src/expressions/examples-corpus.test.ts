/**
 * Every expression in Argo's examples must parse with the right grammar: `{{=…}}` tags and the
 * bare expr-lang fields with exprlang, `when:` (after substituting plain tags) with govaluate,
 * `depends:` with the depends grammar. The JSONPaths inside `jsonpath(…)` calls must parse too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseDepends } from './depends/index.js';
import { parseExpr, type ExprNode } from './exprlang/index.js';
import { parseWhen } from './govaluate/index.js';
import { parsePath } from './jsonpath/index.js';

const ROOT = process.env.ARGO_EXAMPLES_DIR ?? '/work/shared/argo-examples';
const EXPR_FIELDS = new Set(['expression', 'fromExpression', 'event']);

interface Found {
  grammar: 'expr' | 'when' | 'depends';
  source: string;
  where: string;
}

function collect(value: unknown, where: string, kind: string, parentKey: string, out: Found[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, `${where}[${i}]`, kind, parentKey, out));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, `${where}.${k}`, kind, k, out);
    return;
  }
  if (typeof value !== 'string') return;
  for (const m of value.matchAll(/\{\{=([\s\S]*?)\}\}/g)) out.push({ grammar: 'expr', source: m[1], where });
  const plain = value.replace(/\{\{=[\s\S]*?\}\}/g, 'true').replace(/\{\{[^}]*\}\}/g, 'x');
  if (parentKey === 'when' && !value.trim().startsWith('{{=')) out.push({ grammar: 'when', source: plain, where });
  else if (parentKey === 'depends') out.push({ grammar: 'depends', source: value, where });
  else if (EXPR_FIELDS.has(parentKey) || (parentKey === 'selector' && kind === 'WorkflowEventBinding')) {
    out.push({ grammar: 'expr', source: plain, where });
  } else if (parentKey === 'successCondition' && where.includes('.http.')) {
    out.push({ grammar: 'expr', source: plain, where });
  }
}

function jsonPathsIn(node: ExprNode, out: string[]): void {
  if (node.kind === 'call' && node.callee.kind === 'ident' && node.callee.name === 'jsonpath') {
    const p = node.args[1];
    if (p?.kind === 'string') out.push(p.value);
  }
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) v.forEach((c) => isNode(c) && jsonPathsIn(c, out));
    else if (isNode(v)) jsonPathsIn(v, out);
  }
}

function isNode(v: unknown): v is ExprNode {
  return v !== null && typeof v === 'object' && 'kind' in v && 'offset' in v;
}

describe.skipIf(!existsSync(path.join(ROOT, 'examples')))('expressions in the Argo examples', () => {
  const found: Found[] = [];
  const dir = path.join(ROOT, 'examples');
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const file = path.relative(ROOT, path.join(entry.parentPath, entry.name));
    for (const doc of parseAllDocuments(readFileSync(path.join(ROOT, file), 'utf8'), { logLevel: 'error' })) {
      const js: unknown = doc.toJS();
      const kind = js !== null && typeof js === 'object' && 'kind' in js ? String(js.kind) : '';
      collect(js, file, kind, '', found);
    }
  }

  it('finds the expressions', () => {
    expect(found.filter((f) => f.grammar === 'when').length).toBeGreaterThan(30);
    expect(found.filter((f) => f.grammar === 'depends').length).toBeGreaterThan(30);
    expect(found.filter((f) => f.grammar === 'expr').length).toBeGreaterThan(30);
  });

  it('parses every one of them', () => {
    const failures: string[] = [];
    for (const f of found) {
      try {
        if (f.grammar === 'when') parseWhen(f.source);
        else if (f.grammar === 'depends') parseDepends(f.source);
        else {
          const paths: string[] = [];
          jsonPathsIn(parseExpr(f.source).root, paths);
          paths.forEach((p) => parsePath(p));
        }
      } catch (err) {
        failures.push(`${f.where} (${f.grammar}) ${JSON.stringify(f.source)}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
