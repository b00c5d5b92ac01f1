/**
 * JSONPath selectors as github.com/evilmonkeyinc/jsonpath (Argo's `jsonpath()` helper) reads
 * them: `$`, `.key`, `['key']`, `["key"]`, `[0]`, `[-1]`, `[0,1]`, `['a','b']`, `[*]`, `.*`,
 * `..key`, `[start:end:step]`, `[?(filter)]`, `[(script)]` and `.length`.
 */
import { ExpressionError } from '../error.js';
import { parseScript, type ScriptNode } from './script.js';

export type PathToken =
  | { kind: 'root' }
  | { kind: 'current' }
  | { kind: 'key'; key: string }
  | { kind: 'length' }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'union'; keys: (string | number | ScriptNode)[] }
  | { kind: 'range'; from: number | ScriptNode | undefined; to: number | ScriptNode | undefined; step: number | ScriptNode | undefined }
  | { kind: 'filter'; expr: ScriptNode; source: string }
  | { kind: 'script'; expr: ScriptNode };

/** Split a selector into tokens. Throws ExpressionError for malformed selectors. */
export function parsePath(path: string): PathToken[] {
  const fail = (message: string, at: number): never => {
    throw ExpressionError.at(`jsonpath: ${message}`, at, path);
  };
  const tokens: PathToken[] = [];
  let pos = 0;
  if (path[0] === '$') tokens.push({ kind: 'root' });
  else if (path[0] === '@') tokens.push({ kind: 'current' });
  else fail("a selector must start with '$' or '@'", 0);
  pos = 1;
  while (pos < path.length) {
    const c = path[pos];
    if (c === '.') {
      if (path[pos + 1] === '.') {
        tokens.push({ kind: 'recursive' });
        pos += 2;
        if (path[pos] === '[') continue;
      } else {
        pos++;
        if (path[pos] === '[') continue; // `$.['key']`
      }
      if (path[pos] === '*') {
        tokens.push({ kind: 'wildcard' });
        pos++;
        continue;
      }
      const m = /^[^.[\]\s()=!<>&|,]+/.exec(path.slice(pos));
      if (!m) fail('expected a key after "."', pos);
      const key = m ? m[0] : '';
      tokens.push(key === 'length' ? { kind: 'length' } : { kind: 'key', key });
      pos += key.length;
      continue;
    }
    if (c === '[') {
      const end = closingBracket(path, pos);
      if (end < 0) fail("missing ']'", pos);
      tokens.push(bracketToken(path.slice(pos + 1, end).trim(), pos + 1, path, fail));
      pos = end + 1;
      continue;
    }
    fail(`unexpected character '${c}'`, pos);
  }
  return tokens;
}

/** Index of the `]` closing the `[` at `open`, skipping quoted strings and nested brackets. */
function closingBracket(path: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  return -1;
}

/** Split on commas (or colons) outside quotes and parentheses. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function unquote(text: string): string | undefined {
  const m = /^(['"])(.*)\1$/s.exec(text);
  if (!m) return undefined;
  return m[2].replace(/\\(.)/g, '$1');
}

function bracketToken(inner: string, at: number, path: string, fail: (message: string, at: number) => never): PathToken {
  const script = (text: string): ScriptNode => {
    try {
      return parseScript(text);
    } catch (err) {
      return fail((err as Error).message, at);
    }
  };
  if (inner === '*') return { kind: 'wildcard' };
  if (inner.startsWith('?(') && inner.endsWith(')')) {
    const source = inner.slice(2, -1);
    if (source.trim() === '') fail('invalid expression, is empty', at);
    return { kind: 'filter', expr: script(source), source };
  }
  if (inner.startsWith('(') && inner.endsWith(')') && splitTop(inner, ',').length === 1) return { kind: 'script', expr: script(inner.slice(1, -1)) };
  const element = (text: string): string | number | ScriptNode => {
    const quoted = unquote(text);
    if (quoted !== undefined) return quoted;
    if (/^-?\d+$/.test(text)) return Number(text);
    if (text.startsWith('(') && text.endsWith(')')) return script(text.slice(1, -1));
    return fail(`invalid token '${text}' in '${path}'`, at);
  };
  const parts = splitTop(inner, ',');
  if (parts.length > 1) return { kind: 'union', keys: parts.map(element) };
  const range = splitTop(inner, ':');
  if (range.length > 1) {
    if (range.length > 3) fail(`invalid range '${inner}'`, at);
    const arg = (text: string | undefined): number | ScriptNode | undefined => {
      if (text === undefined || text === '') return undefined;
      const v = element(text);
      if (typeof v === 'string') return fail(`invalid range argument '${text}'`, at);
      return v;
    };
    return { kind: 'range', from: arg(range[0]), to: arg(range[1]), step: arg(range[2]) };
  }
  const single = element(inner);
  if (typeof single === 'string') return { kind: 'key', key: single };
  if (typeof single === 'number') return { kind: 'index', index: single };
  return { kind: 'script', expr: single };
}
