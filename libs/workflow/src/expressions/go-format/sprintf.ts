/**
 * Go `fmt.Sprintf` for the verbs Argo meets (withSequence `format`, sprig `printf`-like helpers):
 * `%v %d %s %q %x %X %o %O %b %c %U %e %E %f %F %g %G %t %T %%`, flags `+ - # 0 space`, width,
 * precision, `*` and explicit argument indexes `%[2]d`. Wrong or missing arguments produce Go's
 * in-band markers (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA int=1)`), never an exception.
 */
import { formatFloatE, formatFloatF, formatFloatG } from './float.js';
import { formatGoValue, goTypeName, isGoInt } from './value.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string;
}

const INT_VERBS = 'bcdoOqxXUv';
const FLOAT_VERBS = 'eEfFgGv';
const STRING_VERBS = 'sqvxX';

export function goSprintf(format: string, ...args: unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  for (let i = 0; i < format.length; ) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false, width: undefined, prec: undefined, verb: '' };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === '0') spec.zero = true;
      else if (c === ' ') spec.space = true;
      else break;
    }
    const argIndex = (): void => {
      const m = /^\[(\d+)\]/.exec(format.slice(i));
      if (m) {
        argNum = Number(m[1]) - 1;
        reordered = true;
        i += m[0].length;
      }
    };
    const number = (): number | undefined => {
      argIndex();
      if (format[i] === '*') {
        i++;
        const v = args[argNum++];
        return isGoInt(v) ? v : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = number();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (format[i] === '.') {
      i++;
      spec.prec = number() ?? 0;
    }
    argIndex();
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 37);
    i += verb.length;
    spec.verb = verb;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(spec, args[argNum++]);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args.slice(argNum).map((a) => `${goTypeName(a)}=${formatGoValue(a)}`).join(', ')})`;
  }
  return out;
}

function bad(spec: Spec, arg: unknown): string {
  return arg === null || arg === undefined ? `%!${spec.verb}(<nil>)` : `%!${spec.verb}(${goTypeName(arg)}=${formatGoValue(arg)})`;
}

function padTo(spec: Spec, body: string, numeric: boolean): string {
  const width = spec.width ?? 0;
  const len = [...body].length;
  if (len >= width) return body;
  if (spec.minus) return body + ' '.repeat(width - len);
  if (spec.zero && numeric) {
    const signLen = /^[+\- ]/.test(body) ? 1 : 0;
    return body.slice(0, signLen) + '0'.repeat(width - len) + body.slice(signLen);
  }
  return ' '.repeat(width - len) + body;
}

function signed(spec: Spec, negative: boolean, digits: string): string {
  return (negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '') + digits;
}

function formatInt(spec: Spec, n: number | bigint): string {
  const v = BigInt(n);
  const negative = v < 0n;
  const abs = negative ? -v : v;
  let digits: string;
  let prefix = '';
  switch (spec.verb) {
    case 'b': digits = abs.toString(2); if (spec.sharp) prefix = '0b'; break;
    case 'o': digits = abs.toString(8); if (spec.sharp) prefix = '0'; break;
    case 'O': digits = abs.toString(8); prefix = '0o'; break;
    case 'x': digits = abs.toString(16); if (spec.sharp) prefix = '0x'; break;
    case 'X': digits = abs.toString(16).toUpperCase(); if (spec.sharp) prefix = '0X'; break;
    case 'c': return padTo(spec, String.fromCodePoint(Number(v)), false);
    case 'q': return padTo(spec, goQuoteRune(Number(v)), false);
    case 'U': return padTo(spec, `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, false);
    default: digits = abs.toString(10);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && v === 0n) digits = '';
    digits = digits.padStart(spec.prec, '0');
    return padTo({ ...spec, zero: false }, signed(spec, negative, prefix + digits), true);
  }
  const body = signed(spec, negative, prefix + digits);
  if (spec.zero && !spec.minus && spec.width !== undefined && body.length < spec.width) {
    const lead = body.length - digits.length;
    return body.slice(0, lead) + digits.padStart(spec.width - lead, '0');
  }
  return padTo(spec, body, false);
}

function formatFloat(spec: Spec, v: number): string {
  let body: string;
  switch (spec.verb) {
    case 'e': case 'E': body = formatFloatE(v, spec.prec ?? 6, spec.verb === 'E'); break;
    case 'f': case 'F': body = formatFloatF(v, spec.prec ?? 6); break;
    case 'g': case 'G': body = formatFloatG(v, spec.prec ?? -1, spec.verb === 'G'); break;
    default: body = formatFloatG(v, spec.prec ?? -1); break;
  }
  if (!body.startsWith('-') && !body.startsWith('+')) body = signed(spec, false, body);
  else if (body === '+Inf' && !spec.plus) body = spec.space ? ' Inf' : 'Inf';
  return padTo(spec, body, Number.isFinite(v));
}

function formatString(spec: Spec, s: string): string {
  const cut = spec.prec === undefined ? s : [...s].slice(0, spec.prec).join('');
  switch (spec.verb) {
    case 'q': return padTo(spec, spec.sharp && !/[`\p{Cc}]/u.test(cut) ? `\`${cut}\`` : goQuote(cut, spec.plus), false);
    case 'x': case 'X': {
      const bytes = [...Buffer.from(s, 'utf8').subarray(0, spec.prec ?? undefined)].map((b) => b.toString(16).padStart(2, '0'));
      const hex = bytes.map((b) => (spec.sharp ? `0x${b}` : b)).join(spec.space ? ' ' : '');
      return padTo(spec, spec.verb === 'X' ? hex.toUpperCase() : hex, false);
    }
    default: return padTo(spec, cut, false);
  }
}

function formatArg(spec: Spec, arg: unknown): string {
  const { verb } = spec;
  if (verb === 'T') return padTo(spec, goTypeName(arg), false);
  if (verb === 'v' && (arg === null || arg === undefined)) return padTo(spec, '<nil>', false);
  if (typeof arg === 'boolean') return verb === 't' || verb === 'v' ? padTo(spec, String(arg), false) : bad(spec, arg);
  if (typeof arg === 'bigint' || isGoInt(arg)) {
    if (INT_VERBS.includes(verb)) return formatInt(spec, arg);
    if (FLOAT_VERBS.includes(verb)) return formatFloat(spec, Number(arg));
    return bad(spec, arg);
  }
  if (typeof arg === 'number') return FLOAT_VERBS.includes(verb) ? formatFloat(spec, arg) : bad(spec, arg);
  if (typeof arg === 'string') return STRING_VERBS.includes(verb) ? formatString(spec, arg) : bad(spec, arg);
  if (Array.isArray(arg) && verb !== 'v' && verb !== 's') {
    return `[${arg.map((a) => formatArg({ ...spec, width: spec.width }, a)).join(' ')}]`;
  }
  if (verb === 'v' || verb === 's') return padTo(spec, formatGoValue(arg), false);
  return bad(spec, arg);
}

/** Go `strconv.Quote` (with `asciiOnly` = `strconv.QuoteToASCII`). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += quoteChar(ch, cp, '"', asciiOnly);
  }
  return `${out}"`;
}

function goQuoteRune(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return `'${quoteChar(ch, cp, "'", false)}'`;
}

function quoteChar(ch: string, cp: number, quote: string, asciiOnly: boolean): string {
  if (ch === quote || ch === '\\') return `\\${ch}`;
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  if (named[ch]) return named[ch];
  const printable = cp >= 0x20 && cp !== 0x7f && !/[\p{C}\p{Zl}\p{Zp}]/u.test(ch) && (cp < 0x80 || !/\p{Z}/u.test(ch) || ch === ' ');
  if (printable && (!asciiOnly || cp < 0x80)) return ch;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
