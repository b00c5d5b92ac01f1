/**
 * expr-lang tokenizer: identifiers (letters, digits, `_`, `$`), numbers (`1_000`, `0x2A`, `0o52`,
 * `0b1010`, `.5`, `1e3`), strings `'…'` / `"…"` with Go escapes, raw strings in backticks (a
 * doubled backtick is a literal one), comments `//` and `/* *\/`, and operators. Word operators
 * (`and`, `in`, `matches`, …) come out as operators.
 */
import { ExpressionError } from '../error.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'op' | 'bracket' | 'eof';

export interface Token {
  kind: TokenKind;
  value: string;
  offset: number;
}

const WORD_OPERATORS = new Set(['not', 'in', 'or', 'and', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else']);

const isIdentChar = (c: string | undefined): boolean => c !== undefined && (c === '_' || c === '$' || /[\p{L}\p{Nd}]/u.test(c));
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  if (t.kind === 'string') return `string ${JSON.stringify(t.value)}`;
  return `'${t.value}'`;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const fail = (message: string, at: number): never => {
    throw ExpressionError.at(message, at, source);
  };
  const charAt = (i: number): string => {
    const cp = source.codePointAt(i);
    return cp === undefined ? '' : String.fromCodePoint(cp);
  };
  while (pos < source.length) {
    const start = pos;
    const c = charAt(pos);
    const push = (kind: TokenKind, value: string): void => {
      tokens.push({ kind, value, offset: start });
    };
    if (/\s/u.test(c)) {
      pos += c.length;
      continue;
    }
    if (c === '/' && source[pos + 1] === '/') {
      const nl = source.indexOf('\n', pos);
      pos = nl < 0 ? source.length : nl + 1;
      continue;
    }
    if (c === '/' && source[pos + 1] === '*') {
      const end = source.indexOf('*/', pos + 2);
      if (end < 0) fail('unclosed comment', start);
      pos = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const { value, end } = readString(source, pos, fail);
      push('string', value);
      pos = end;
      continue;
    }
    if (c === '`') {
      let value = '';
      pos++;
      for (;;) {
        if (pos >= source.length) fail('literal not terminated', start);
        if (source[pos] === '`') {
          if (source[pos + 1] === '`') {
            value += '`';
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        value += source[pos++];
      }
      push('string', value);
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(source[pos + 1]))) {
      const m = /^(0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*|[0-9_]*(\.(?!\.)[0-9_]*)?([eE][+-]?[0-9_]*)?)/.exec(source.slice(pos));
      const text = m ? m[0] : c;
      pos += text.length;
      if (isIdentChar(charAt(pos)) || (source[pos] === '.' && isDigit(source[pos + 1]))) {
        fail(`bad number syntax: "${source.slice(start, pos + 1)}"`, start);
      }
      push('number', text);
      continue;
    }
    if (isIdentChar(c)) {
      let word = '';
      while (pos < source.length && isIdentChar(charAt(pos))) {
        const ch = charAt(pos);
        word += ch;
        pos += ch.length;
      }
      push(WORD_OPERATORS.has(word) ? 'op' : 'ident', word);
      continue;
    }
    const two = source.slice(pos, pos + 2);
    if (['?.', '??', '||', '&&', '==', '!=', '<=', '>=', '**', '..', '::'].includes(two)) {
      pos += 2;
      push('op', two);
      continue;
    }
    if ('([{'.includes(c) || ')]}'.includes(c)) {
      pos++;
      push('bracket', c);
      continue;
    }
    if ('?/#|:,;%+-^&!=*<>.'.includes(c)) {
      pos++;
      push('op', c);
      continue;
    }
    fail(`unrecognized character '${c}'`, start);
  }
  tokens.push({ kind: 'eof', value: '', offset: source.length });
  return tokens;
}

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?' };

/** Read a quoted string starting at `start`; `end` is just past the closing quote. */
function readString(source: string, start: number, fail: (message: string, at: number) => never): { value: string; end: number } {
  const quote = source[start];
  let out = '';
  let pos = start + 1;
  for (;;) {
    const c = source[pos];
    if (c === undefined || c === '\n') fail('literal not terminated', start);
    if (c === quote) break;
    if (c !== '\\') {
      out += c;
      pos++;
      continue;
    }
    const e = source[pos + 1];
    if (e === undefined) fail('literal not terminated', start);
    pos += 2;
    if (SIMPLE[e] !== undefined) {
      out += SIMPLE[e];
      continue;
    }
    let m: RegExpExecArray | null;
    if (e === 'u' && source[pos] === '{' && (m = /^\{([0-9a-fA-F]{1,6})\}/.exec(source.slice(pos)))) {
      out += String.fromCodePoint(parseInt(m[1], 16));
      pos += m[0].length;
      continue;
    }
    const width = e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = source.slice(pos, pos + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail('unable to unescape string', pos - 2);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) fail('unable to unescape string', pos - 2);
      out += String.fromCodePoint(cp);
      pos += width;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const oct = source.slice(pos - 1, pos + 2);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) fail('unable to unescape string', pos - 2);
      out += String.fromCharCode(parseInt(oct, 8));
      pos += 2;
      continue;
    }
    fail('unable to unescape string', pos - 2);
  }
  return { value: out.replace(/\r\n?/g, '\n'), end: pos + 1 };
}
