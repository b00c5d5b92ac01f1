/**
 * The syntax error Go's `json.Unmarshal` reports for a text, word for word (encoding/json
 * scanner.go), or undefined when the text is valid JSON. Argo surfaces these messages, e.g. when a
 * looped step's result is not JSON.
 */

const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };
/** At the end of the input Go's scanner steps once more with a space, which some states reject. */
const SPACE = 0x20;

export function goJsonSyntaxError(text: string): string | undefined {
  const bytes = Buffer.from(text, 'utf8');
  let i = 0;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  const error = (c: number, context: string) => `invalid character ${quoteChar(c)} ${context}`;
  const eof = 'unexpected end of JSON input';

  const skipSpace = () => {
    while (i < bytes.length && isSpace(bytes[i])) i++;
  };

  /** Parses one value starting at i (after spaces); returns an error or undefined. */
  const value = (): string | undefined => {
    skipSpace();
    if (i >= bytes.length) return eof;
    const c = bytes[i];
    if (c === 0x7b /* { */) {
      i++;
      skipSpace();
      if (i >= bytes.length) return eof;
      if (bytes[i] === 0x7d /* } */) {
        i++;
        return undefined;
      }
      for (;;) {
        skipSpace();
        if (i >= bytes.length) return eof;
        if (bytes[i] !== 0x22) return error(bytes[i], 'looking for beginning of object key string');
        const s = string();
        if (s) return s;
        skipSpace();
        if (i >= bytes.length) return eof;
        if (bytes[i] !== 0x3a /* : */) return error(bytes[i], 'after object key');
        i++;
        const v = value();
        if (v) return v;
        skipSpace();
        if (i >= bytes.length) return eof;
        if (bytes[i] === 0x2c /* , */) {
          i++;
          continue;
        }
        if (bytes[i] === 0x7d) {
          i++;
          return undefined;
        }
        return error(bytes[i], 'after object key:value pair');
      }
    }
    if (c === 0x5b /* [ */) {
      i++;
      skipSpace();
      if (i >= bytes.length) return eof;
      if (bytes[i] === 0x5d /* ] */) {
        i++;
        return undefined;
      }
      for (;;) {
        const v = value();
        if (v) return v;
        skipSpace();
        if (i >= bytes.length) return eof;
        if (bytes[i] === 0x2c) {
          i++;
          continue;
        }
        if (bytes[i] === 0x5d) {
          i++;
          return undefined;
        }
        return error(bytes[i], 'after array element');
      }
    }
    if (c === 0x22) return string();
    if (c === 0x2d /* - */ || isDigit(c)) return number();
    const literal = LITERALS[String.fromCharCode(c)];
    if (literal) {
      for (let k = 0; k < literal.length; k++, i++) {
        const context = `in literal ${literal} (expecting ${quoteChar(literal.charCodeAt(k))})`;
        if (i >= bytes.length) return error(SPACE, context);
        if (bytes[i] !== literal.charCodeAt(k)) return error(bytes[i], context);
      }
      return undefined;
    }
    return error(c, 'looking for beginning of value');
  };

  const string = (): string | undefined => {
    i++; // opening quote
    for (;;) {
      if (i >= bytes.length) return eof;
      const c = bytes[i++];
      if (c === 0x22) return undefined;
      if (c < 0x20) return error(c, 'in string literal');
      if (c !== 0x5c) continue;
      if (i >= bytes.length) return error(SPACE, 'in string escape code');
      const e = bytes[i++];
      if ('bfnrt\\/"'.includes(String.fromCharCode(e))) continue;
      if (e !== 0x75 /* u */) return error(e, 'in string escape code');
      for (let k = 0; k < 4; k++) {
        if (i >= bytes.length) return error(SPACE, 'in \\u hexadecimal character escape');
        const h = bytes[i++];
        if (!/[0-9a-fA-F]/.test(String.fromCharCode(h))) return error(h, 'in \\u hexadecimal character escape');
      }
    }
  };

  const number = (): string | undefined => {
    if (bytes[i] === 0x2d) {
      i++;
      if (i >= bytes.length) return error(SPACE, 'in numeric literal');
      if (!isDigit(bytes[i])) return error(bytes[i], 'in numeric literal');
    }
    if (bytes[i] === 0x30) i++;
    else while (i < bytes.length && isDigit(bytes[i])) i++;
    if (i < bytes.length && bytes[i] === 0x2e /* . */) {
      i++;
      if (i >= bytes.length) return error(SPACE, 'after decimal point in numeric literal');
      if (!isDigit(bytes[i])) return error(bytes[i], 'after decimal point in numeric literal');
      while (i < bytes.length && isDigit(bytes[i])) i++;
    }
    if (i < bytes.length && (bytes[i] === 0x65 || bytes[i] === 0x45) /* e E */) {
      i++;
      if (i < bytes.length && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
      if (i >= bytes.length) return error(SPACE, 'in exponent of numeric literal');
      if (!isDigit(bytes[i])) return error(bytes[i], 'in exponent of numeric literal');
      while (i < bytes.length && isDigit(bytes[i])) i++;
    }
    return undefined;
  };

  const err = value();
  if (err) return err;
  skipSpace();
  if (i < bytes.length) return error(bytes[i], 'after top-level value');
  return undefined;
}

/** encoding/json quoteChar: the byte as a Go-quoted rune in single quotes. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if ((c >= 0x80 && c <= 0x9f) || c === 0xad) return `'\\u00${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}
