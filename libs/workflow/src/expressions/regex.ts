/**
 * Go `regexp` (RE2 syntax) patterns compiled to JavaScript RegExps, for govaluate `=~`, expr-lang
 * `matches`, sprig `regex*` and JSONPath `=~`. Matching is unanchored, like Go's `MatchString`.
 *
 * Translated: `(?P<name>…)`, leading flag groups `(?i)`/`(?s)`/`(?m)`, `\A`, `\z`, `\Q…\E`,
 * POSIX classes `[[:alpha:]]`, `\pL`, Go's `.` (everything but `\n`) and Go's ASCII `\s`.
 * Anything RE2 rejects that JS accepts (backreferences, lookaround) is rejected too.
 */
const cache = new Map<string, RegExp>();

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const GO_SPACE = '\\t\\n\\f\\r ';

export class GoRegexError extends Error {}

/** Compile (and cache) a Go regular expression. Throws GoRegexError with Go-like wording. */
export function goRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const { source, flags } = translate(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new GoRegexError(`error parsing regexp: invalid pattern \`${pattern}\`: ${(err as Error).message}`);
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Go's `regexp.MatchString(pattern, s)`. */
export function goRegexMatch(pattern: string, subject: string): boolean {
  return goRegExp(pattern).test(subject);
}

function translate(pattern: string): { source: string; flags: string } {
  let rest = pattern;
  const flagSet = new Set<string>();
  // Leading global flags: (?i) (?s) (?m) (?is) …; `U` (ungreedy) has no JS equivalent.
  for (let m = /^\(\?([imsU]+)\)/.exec(rest); m; m = /^\(\?([imsU]+)\)/.exec(rest)) {
    for (const f of m[1]) {
      if (f === 'U') throw new GoRegexError(`error parsing regexp: unsupported flag U in \`${pattern}\``);
      flagSet.add(f);
    }
    rest = rest.slice(m[0].length);
  }
  const dotAll = flagSet.has('s');
  const multiline = flagSet.has('m');
  const unicode = /\\[pP]/.test(rest);
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') {
      const n = rest[i + 1];
      if (n === undefined) throw new GoRegexError(`error parsing regexp: trailing backslash at end of expression: \`${pattern}\``);
      i++;
      if (n === 'Q') {
        const end = rest.indexOf('\\E', i + 1);
        const literal = end < 0 ? rest.slice(i + 1) : rest.slice(i + 1, end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? rest.length : end + 1;
      } else if (n === 'A' && !inClass) out += '(?<![\\s\\S])';
      else if (n === 'z' && !inClass) out += '(?![\\s\\S])';
      else if (n === 's') out += inClass ? GO_SPACE : `[${GO_SPACE}]`;
      else if (n === 'S') out += inClass ? '\\S' : `[^${GO_SPACE}]`;
      else if ((n === 'p' || n === 'P') && rest[i + 1] !== '{') {
        out += `\\${n}{${rest[i + 1]}}`;
        i++;
      } else if (/[1-9]/.test(n)) {
        throw new GoRegexError(`error parsing regexp: invalid escape sequence: \`\\${n}\``);
      } else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === '[' && rest[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest.slice(i));
        if (m && POSIX[m[2]]) {
          if (m[1]) throw new GoRegexError(`error parsing regexp: negated POSIX class unsupported in \`${pattern}\``);
          out += POSIX[m[2]];
          i += m[0].length - 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (rest[i + 1] === '^') out += rest[++i];
      if (rest[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && rest[i + 1] === '?') {
      if (rest[i + 2] === 'P' && rest[i + 3] === '<') {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest[i + 2] === '=' || rest[i + 2] === '!' || (rest[i + 2] === '<' && /[=!]/.test(rest[i + 3] ?? ''))) {
        throw new GoRegexError(`error parsing regexp: invalid or unsupported Perl syntax: \`${rest.slice(i, i + 3)}\``);
      }
    }
    if (c === '.') {
      out += dotAll ? '[\\s\\S]' : '[^\\n]';
      continue;
    }
    out += c;
  }
  const flags = (flagSet.has('i') ? 'i' : '') + (multiline ? 'm' : '') + (unicode ? 'u' : '');
  return { source: out, flags };
}
