/**
 * Sprig (github.com/Masterminds/sprig/v3, GenericFuncMap) string, regex, encoding and hash
 * functions, with sprig's argument order (`replace old new src`, `contains substr s`, …).
 */
import { goQuote } from '../go-format/sprintf.js';
import { formatGoValue } from '../go-format/value.js';
import { goRegExp } from '../regex.js';
import { goBase64Decode, goReplace, goSplit, goTrim } from './builtins.js';
import { goTypeName, isNil } from './values.js';

export type SprigFunction = (...args: unknown[]) => unknown;

export function str(fn: string, v: unknown): string {
  if (typeof v === 'string') return v;
  throw new Error(`sprig.${fn}: expected a string argument, got ${goTypeName(v)}`);
}

export function int(fn: string, v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  throw new Error(`sprig.${fn}: expected an int argument, got ${goTypeName(v)}`);
}

/** sprig's strval: strings as-is, everything else as Go `%v`. */
export function strval(v: unknown): string {
  return typeof v === 'string' ? v : formatGoValue(v);
}

/** sprig's strslice: a list becomes its non-nil elements as strings; a scalar a one-element list. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x) => !isNil(x)).map(strval);
  return isNil(v) ? [] : [strval(v)];
}

const WORD_START = /(^|[\s\p{P}])(\p{L})/gu;

/** Go's regexp ReplaceAllString template: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expandTemplate(template: string): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$$';
    const name = braced ?? bare ?? '';
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });
}

function globalRegExp(pattern: string): RegExp {
  const re = goRegExp(pattern);
  return new RegExp(re.source, `${re.flags}g`);
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

function indent(fn: string, n: unknown, s: unknown): string {
  const pad = ' '.repeat(Math.max(0, int(fn, n)));
  return pad + str(fn, s).replace(/\n/g, `\n${pad}`);
}

// node:crypto is loaded when a template first hashes, not at every start of a CLI run (≈ 3.5 ms).
const hash = (algorithm: string) => (s: unknown) =>
  process.getBuiltinModule('node:crypto').createHash(algorithm).update(str(`${algorithm}sum`, s), 'utf8').digest('hex');

export const SPRIG_STRINGS: Record<string, SprigFunction> = {
  trim: (s) => str('trim', s).replace(/^\s+|\s+$/gu, ''),
  trimAll: (cut, s) => goTrim(str('trimAll', s), str('trimAll', cut)),
  trimall: (cut, s) => goTrim(str('trimall', s), str('trimall', cut)),
  trimPrefix: (p, s) => (str('trimPrefix', s).startsWith(str('trimPrefix', p)) ? str('trimPrefix', s).slice(str('trimPrefix', p).length) : s),
  trimSuffix: (p, s) => {
    const text = str('trimSuffix', s);
    const suffix = str('trimSuffix', p);
    return suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
  },
  upper: (s) => str('upper', s).toUpperCase(),
  lower: (s) => str('lower', s).toLowerCase(),
  title: (s) => str('title', s).replace(WORD_START, (_m, pre: string, c: string) => pre + c.toUpperCase()),
  untitle: (s) => str('untitle', s).replace(/^\p{L}/u, (c) => c.toLowerCase()),
  swapcase: (s) => [...str('swapcase', s)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  snakecase: (s) => str('snakecase', s).replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[\s-]+/g, '_').toLowerCase(),
  kebabcase: (s) => str('kebabcase', s).replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[\s_]+/g, '-').toLowerCase(),
  camelcase: (s) => str('camelcase', s).split(/[_\s-]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(''),
  repeat: (count, s) => str('repeat', s).repeat(Math.max(0, int('repeat', count))),
  substr: (start, end, s) => {
    const text = str('substr', s);
    const a = int('substr', start);
    const b = int('substr', end);
    if (a < 0) return text.slice(0, b);
    if (b < 0 || b > text.length) return text.slice(a);
    return text.slice(a, b);
  },
  nospace: (s) => str('nospace', s).replace(/\s/gu, ''),
  trunc: (c, s) => {
    const n = int('trunc', c);
    const text = str('trunc', s);
    if (n < 0 && text.length + n > 0) return text.slice(text.length + n);
    if (n >= 0 && text.length > n) return text.slice(0, n);
    return text;
  },
  abbrev: (width, s) => {
    const w = int('abbrev', width);
    const text = str('abbrev', s);
    return w < 4 || text.length <= w ? text : `${text.slice(0, w - 3)}...`;
  },
  initials: (s) => str('initials', s).split(/\s+/).filter(Boolean).map((w) => [...w][0]).join(''),
  contains: (sub, s) => str('contains', s).includes(str('contains', sub)),
  hasPrefix: (p, s) => str('hasPrefix', s).startsWith(str('hasPrefix', p)),
  hasSuffix: (p, s) => str('hasSuffix', s).endsWith(str('hasSuffix', p)),
  quote: (...xs) => xs.filter((x) => !isNil(x)).map((x) => goQuote(strval(x))).join(' '),
  squote: (...xs) => xs.filter((x) => !isNil(x)).map((x) => `'${formatGoValue(x)}'`).join(' '),
  cat: (...xs) => xs.filter((x) => !isNil(x)).map(formatGoValue).join(' '),
  indent: (n, s) => indent('indent', n, s),
  nindent: (n, s) => `\n${indent('nindent', n, s)}`,
  replace: (old, repl, src) => goReplace(str('replace', src), str('replace', old), str('replace', repl)),
  plural: (one, many, count) => (int('plural', count) === 1 ? one : many),
  toString: (v: unknown) => strval(v),
  toStrings: (v) => strslice(v),
  join: (sep, v) => strslice(v).join(str('join', sep)),
  split: (sep, s) => Object.fromEntries(goSplit(str('split', s), str('split', sep)).map((p, i) => [`_${i}`, p])),
  splitList: (sep, s) => goSplit(str('splitList', s), str('splitList', sep)),
  splitn: (sep, n, s) => Object.fromEntries(goSplit(str('splitn', s), str('splitn', sep), int('splitn', n)).map((p, i) => [`_${i}`, p])),
  sortAlpha: (v) => strslice(v).sort(),
  wrap: (width, s) => {
    const w = int('wrap', width);
    const out: string[] = [];
    let line = '';
    for (const word of str('wrap', s).split(/ +/)) {
      if (line && line.length + 1 + word.length > w) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
    return out.join('\n');
  },
  b64enc: (s) => Buffer.from(str('b64enc', s), 'utf8').toString('base64'),
  b64dec: (s) => {
    try {
      return goBase64Decode(str('b64dec', s));
    } catch (err) {
      return (err as Error).message;
    }
  },
  sha1sum: hash('sha1'),
  sha256sum: hash('sha256'),
  sha512sum: hash('sha512'),
  adler32sum: (s) => String(adler32(str('adler32sum', s))),
  regexMatch: (re, s) => {
    try {
      return goRegExp(str('regexMatch', re)).test(str('regexMatch', s));
    } catch {
      return false;
    }
  },
  mustRegexMatch: (re, s) => goRegExp(str('mustRegexMatch', re)).test(str('mustRegexMatch', s)),
  regexFind: (re, s) => goRegExp(str('regexFind', re)).exec(str('regexFind', s))?.[0] ?? '',
  regexFindAll: (re, s, n) => {
    const limit = int('regexFindAll', n);
    const all = [...str('regexFindAll', s).matchAll(globalRegExp(str('regexFindAll', re)))].map((m) => m[0]);
    return limit < 0 ? all : all.slice(0, limit);
  },
  regexReplaceAll: (re, s, repl) =>
    str('regexReplaceAll', s).replace(globalRegExp(str('regexReplaceAll', re)), expandTemplate(str('regexReplaceAll', repl))),
  regexReplaceAllLiteral: (re, s, repl) =>
    str('regexReplaceAllLiteral', s).replace(globalRegExp(str('regexReplaceAllLiteral', re)), () => str('regexReplaceAllLiteral', repl)),
  regexSplit: (re, s, n) => {
    const text = str('regexSplit', s);
    const limit = int('regexSplit', n);
    if (limit === 0) return [];
    const parts: string[] = [];
    let start = 0;
    for (const m of text.matchAll(globalRegExp(str('regexSplit', re)))) {
      if (limit > 0 && parts.length === limit - 1) break;
      if (m[0] === '' && (m.index === 0 || m.index === text.length)) continue;
      parts.push(text.slice(start, m.index));
      start = m.index + m[0].length;
    }
    parts.push(text.slice(start));
    return parts;
  },
  regexQuoteMeta: (s) => str('regexQuoteMeta', s).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),
};
