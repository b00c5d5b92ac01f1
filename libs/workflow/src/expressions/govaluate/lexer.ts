/**
 * Tokenizer for govaluate (github.com/Knetic/govaluate, as vendored by Argo), reproducing its
 * quirks: `-` is a prefix only where a value may start (so `foo-bar` is `foo` minus `bar`),
 * symbols are read as one run of punctuation (`==-1` is the invalid token `==-`), a quoted
 * string ends at either quote character, `\x` is just `x`, and a quoted string that parses as
 * a date becomes a number (Unix seconds).
 */
import { ExpressionError } from '../error.js';
import { parseGoTime } from '../go-format/time.js';

export type TokenKind =
  | 'UNKNOWN' | 'PREFIX' | 'NUMERIC' | 'BOOLEAN' | 'STRING' | 'PATTERN' | 'TIME' | 'VARIABLE' | 'FUNCTION'
  | 'SEPARATOR' | 'ACCESSOR' | 'COMPARATOR' | 'LOGICALOP' | 'MODIFIER' | 'CLAUSE' | 'CLAUSE_CLOSE' | 'TERNARY';

export interface Token {
  kind: TokenKind;
  /** Symbol text, string value, number, boolean, or accessor path. */
  value: string | number | boolean | string[];
  offset: number;
  /** Source text of the token, for messages. */
  text: string;
}

export const PREFIX_SYMBOLS = new Set(['-', '!', '~']);
export const MODIFIER_SYMBOLS = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^', '>>', '<<']);
export const LOGICAL_SYMBOLS = new Set(['&&', '||']);
export const COMPARATOR_SYMBOLS = new Set(['==', '!=', '>', '>=', '<', '<=', '=~', '!~', 'in']);
export const TERNARY_SYMBOLS = new Set(['?', ':', '??']);

/** Which token kinds may follow which (govaluate's lexer state table). */
const NEXT: Record<TokenKind, TokenKind[]> = {
  UNKNOWN: ['PREFIX', 'NUMERIC', 'BOOLEAN', 'VARIABLE', 'PATTERN', 'FUNCTION', 'ACCESSOR', 'STRING', 'TIME', 'CLAUSE'],
  CLAUSE: ['PREFIX', 'NUMERIC', 'BOOLEAN', 'VARIABLE', 'PATTERN', 'FUNCTION', 'ACCESSOR', 'STRING', 'TIME', 'CLAUSE', 'CLAUSE_CLOSE'],
  CLAUSE_CLOSE: ['COMPARATOR', 'MODIFIER', 'NUMERIC', 'BOOLEAN', 'VARIABLE', 'STRING', 'PATTERN', 'TIME', 'CLAUSE', 'CLAUSE_CLOSE', 'LOGICALOP', 'TERNARY', 'SEPARATOR'],
  NUMERIC: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
  BOOLEAN: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
  STRING: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
  TIME: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'SEPARATOR'],
  PATTERN: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'SEPARATOR'],
  VARIABLE: ['MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
  MODIFIER: ['PREFIX', 'NUMERIC', 'VARIABLE', 'FUNCTION', 'ACCESSOR', 'STRING', 'BOOLEAN', 'CLAUSE', 'CLAUSE_CLOSE'],
  COMPARATOR: ['PREFIX', 'NUMERIC', 'BOOLEAN', 'VARIABLE', 'FUNCTION', 'ACCESSOR', 'STRING', 'TIME', 'CLAUSE', 'CLAUSE_CLOSE', 'PATTERN'],
  LOGICALOP: ['PREFIX', 'NUMERIC', 'BOOLEAN', 'VARIABLE', 'FUNCTION', 'ACCESSOR', 'STRING', 'TIME', 'CLAUSE', 'CLAUSE_CLOSE'],
  PREFIX: ['NUMERIC', 'BOOLEAN', 'VARIABLE', 'FUNCTION', 'ACCESSOR', 'CLAUSE', 'CLAUSE_CLOSE'],
  TERNARY: ['PREFIX', 'NUMERIC', 'BOOLEAN', 'STRING', 'TIME', 'VARIABLE', 'FUNCTION', 'ACCESSOR', 'CLAUSE', 'SEPARATOR'],
  FUNCTION: ['CLAUSE'],
  ACCESSOR: ['CLAUSE', 'MODIFIER', 'COMPARATOR', 'LOGICALOP', 'CLAUSE_CLOSE', 'TERNARY', 'SEPARATOR'],
  SEPARATOR: ['PREFIX', 'NUMERIC', 'BOOLEAN', 'STRING', 'TIME', 'VARIABLE', 'FUNCTION', 'ACCESSOR', 'CLAUSE'],
};
const EOF_OK = new Set<TokenKind>(['CLAUSE_CLOSE', 'NUMERIC', 'BOOLEAN', 'STRING', 'TIME', 'PATTERN', 'VARIABLE', 'ACCESSOR']);

/** Layouts govaluate tries on every quoted string (parsing.go tryParseTime). */
const TIME_LAYOUTS = [
  'Mon Jan _2 15:04:05 2006', 'Mon Jan _2 15:04:05 MST 2006', 'Mon Jan 02 15:04:05 -0700 2006', '3:04PM',
  '2006-01-02T15:04:05Z07:00', '2006-01-02T15:04:05.999999999Z07:00', '2006-01-02', '2006-01-02 15:04',
  '2006-01-02 15:04:05', '2006-01-02 15:04:05-07:00', '2006-01-02T15Z0700', '2006-01-02T15:04Z0700',
  '2006-01-02T15:04:05Z0700', '2006-01-02T15:04:05.999999999Z0700',
];

const isSpace = (c: string): boolean => /\s/u.test(c);
const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);
const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isQuote = (c: string): boolean => c === "'" || c === '"';

export function tokenize(source: string): Token[] {
  const chars = [...source];
  // Offsets are reported in UTF-16 units; map code-point index → offset.
  const offsets: number[] = [];
  let acc = 0;
  for (const c of chars) {
    offsets.push(acc);
    acc += c.length;
  }
  offsets.push(acc);
  const tokens: Token[] = [];
  let pos = 0;
  const fail = (message: string, at: number): never => {
    throw ExpressionError.at(message, offsets[at], source);
  };
  /** Read while `ok`, honouring `\` escapes; stops at whitespace when `breakOnSpace`. */
  const readWhile = (ok: (c: string) => boolean, breakOnSpace: boolean): string => {
    let out = '';
    while (pos < chars.length) {
      let c = chars[pos];
      if (c === '\\' && pos + 1 < chars.length) {
        c = chars[pos + 1];
        pos += 2;
        out += c;
        continue;
      }
      if (breakOnSpace && isSpace(c)) break;
      if (!ok(c)) break;
      out += c;
      pos++;
    }
    return out;
  };
  while (pos < chars.length) {
    const c = chars[pos];
    if (isSpace(c)) {
      pos++;
      continue;
    }
    const start = pos;
    const last = tokens.length ? tokens[tokens.length - 1].kind : 'UNKNOWN';
    const push = (kind: TokenKind, value: Token['value']): void => {
      tokens.push({ kind, value, offset: offsets[start], text: chars.slice(start, pos).join('') });
    };
    if (isDigit(c) || c === '.') {
      if (c === '0' && chars[pos + 1] === 'x' && pos + 2 < chars.length) {
        pos += 2;
        const hex = readWhile((h) => /[0-9a-fA-F]/.test(h), true);
        if (!/^[0-9a-fA-F]+$/.test(hex)) fail(`Unable to parse hex value '${hex}' to uint64`, start);
        push('NUMERIC', parseInt(hex, 16));
        continue;
      }
      const text = readWhile((d) => isDigit(d) || d === '.', true);
      if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) fail(`Unable to parse numeric value '${text}' to float64`, start);
      push('NUMERIC', Number(text));
    } else if (c === ',') {
      pos++;
      push('SEPARATOR', ',');
    } else if (c === '[') {
      pos++;
      const name = readWhile((b) => b !== ']', false);
      if (chars[pos] !== ']') fail('Unclosed parameter bracket', start);
      pos++;
      push('VARIABLE', name);
    } else if (isLetter(c)) {
      const word = readWhile((w) => isLetter(w) || isDigit(w) || w === '_' || w === '.', true);
      if (word === 'true' || word === 'false') push('BOOLEAN', word === 'true');
      else if (word === 'in' || word === 'IN') push('COMPARATOR', 'in');
      else if (word.includes('.')) {
        if (word.endsWith('.')) fail(`Hanging accessor on token '${word}'`, start);
        const parts = word.split('.');
        for (const part of parts.slice(1)) {
          const first = [...part][0] ?? '';
          if (first.toUpperCase() !== first) fail(`Unable to access unexported field '${part}' in token '${word}'`, start);
        }
        push('ACCESSOR', parts);
      } else push('VARIABLE', word);
    } else if (isQuote(c)) {
      pos++;
      const text = readWhile((q) => !isQuote(q), false);
      if (pos >= chars.length) fail('Unclosed string literal', start);
      pos++;
      const time = parseTimeLiteral(text);
      if (time !== undefined) push('TIME', time);
      else push('STRING', text);
    } else if (c === '(' || c === ')') {
      pos++;
      push(c === '(' ? 'CLAUSE' : 'CLAUSE_CLOSE', c);
    } else {
      const symbol = readWhile((s) => !(isDigit(s) || isLetter(s) || '()[]'.includes(s) || isQuote(s)), true);
      if (NEXT[last].includes('PREFIX') && PREFIX_SYMBOLS.has(symbol)) push('PREFIX', symbol);
      else if (MODIFIER_SYMBOLS.has(symbol)) push('MODIFIER', symbol);
      else if (LOGICAL_SYMBOLS.has(symbol)) push('LOGICALOP', symbol);
      else if (COMPARATOR_SYMBOLS.has(symbol)) push('COMPARATOR', symbol);
      else if (TERNARY_SYMBOLS.has(symbol)) push('TERNARY', symbol);
      else fail(`Invalid token: '${symbol}'`, start);
    }
  }
  return tokens;
}

/** Unix seconds when the string parses as one of govaluate's date layouts (in UTC). */
export function parseTimeLiteral(text: string): number | undefined {
  for (const layout of TIME_LAYOUTS) {
    const date = parseGoTime(text, layout);
    if (date) return Math.floor(date.getTime() / 1000);
  }
  return undefined;
}

/** govaluate's balance and token-order checks (checkBalance, checkExpressionSyntax). */
export function checkSyntax(tokens: Token[], source: string): void {
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'CLAUSE') depth++;
    if (t.kind === 'CLAUSE_CLOSE') depth--;
  }
  if (depth !== 0) throw new ExpressionError('Unbalanced parenthesis', undefined, source);
  let state: TokenKind = 'UNKNOWN';
  let previous: Token | undefined;
  for (const t of tokens) {
    if (!NEXT[state].includes(t.kind)) {
      if (previous?.kind === 'VARIABLE' && t.kind === 'CLAUSE') {
        throw ExpressionError.at(`Undefined function ${String(previous.value)}`, previous.offset, source);
      }
      const before = previous ? `${state} [${previous.text}]` : `${state} [<nil>]`;
      throw ExpressionError.at(`Cannot transition token types from ${before} to ${t.kind} [${t.text}]`, t.offset, source);
    }
    state = t.kind;
    previous = t;
  }
  if (!EOF_OK.has(state)) throw ExpressionError.at('Unexpected end of expression', source.length, source);
}
