/**
 * A `yaml` Lexer relaxed the way Go's YAML reader is: inside a flow collection (`[…]`, `{…}`) and
 * inside quoted scalars, continuation lines need not be indented past the enclosing block. Argo
 * examples rely on this, e.g.
 *
 *     args: ["
 *       echo hello
 *     "]
 *
 * The `yaml` package documents feeding the Parser from one's own Lexer; the relaxation replaces one
 * internal method on the instance. Should that method ever be missing, the stock (strict) lexer is
 * used, and such files get a syntax error rather than a wrong reading.
 */
import type { Lexer } from 'yaml';
import { yamlLib } from './yaml-lib.js';

interface LexerInternals {
  buffer: string;
  flowLevel: number;
  continueScalar: (this: LexerInternals, offset: number) => number;
  parseQuotedScalar: (this: LexerInternals) => Generator<string, string>;
}

export function goCompatibleLexer(): Lexer {
  const lexer = new (yamlLib().Lexer)();
  const internals = lexer as unknown as LexerInternals;
  const strictContinue = internals.continueScalar as LexerInternals['continueScalar'] | undefined;
  const quoted = internals.parseQuotedScalar as LexerInternals['parseQuotedScalar'] | undefined;
  if (typeof strictContinue !== 'function' || typeof quoted !== 'function') return lexer;
  let inQuoted = false;
  internals.parseQuotedScalar = function* (this: LexerInternals) {
    inQuoted = true;
    try {
      return yield* quoted.call(this);
    } finally {
      inQuoted = false;
    }
  };
  internals.continueScalar = function (this: LexerInternals, offset: number): number {
    if (!inQuoted && !(this.flowLevel > 0)) return strictContinue.call(this, offset);
    const marker = this.buffer.substring(offset, offset + 3);
    const after = this.buffer[offset + 3];
    if ((marker === '---' || marker === '...') && (after === undefined || /\s/.test(after))) return -1;
    return offset;
  };
  return lexer;
}
