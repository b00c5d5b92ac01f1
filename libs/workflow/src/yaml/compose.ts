/**
 * Text → `yaml` Documents through the package's CST API (Lexer → Parser → Composer), with the
 * Go-compatible lexer and scalar tags. Also notes where unterminated quoted strings start, so that
 * "missing closing quote" can point at the opening quote rather than at the end of the file.
 */
import { Composer, CST, LineCounter, Parser, type Document } from 'yaml';
import { goCompatibleLexer } from './go-lexer.js';
import { goYamlTags } from './go-yaml-schema.js';

export interface Composed {
  documents: Document.Parsed[];
  /** Offsets of quoted scalars that have no closing quote. */
  unclosedQuotes: number[];
}

export function composeDocuments(text: string, lines: LineCounter): Composed {
  const unclosedQuotes: number[] = [];
  const composer = new Composer({ version: '1.1', customTags: goYamlTags, uniqueKeys: false });
  const documents = Array.from(composer.compose(tokens(text, lines, unclosedQuotes)));
  return { documents, unclosedQuotes };
}

function* tokens(text: string, lines: LineCounter, unclosed: number[]): Generator<CST.Token> {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const noted = function* (batch: Generator<CST.Token>): Generator<CST.Token> {
    for (const token of batch) {
      if (token.type === 'document') noteUnclosedQuotes(token, unclosed);
      yield token;
    }
  };
  for (const lexeme of goCompatibleLexer().lex(text)) yield* noted(parser.next(lexeme));
  yield* noted(parser.end());
}

function noteUnclosedQuotes(doc: CST.Document, out: number[]): void {
  const check = (t: CST.Token | null | undefined): void => {
    if (t && (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && !isClosed(t.source)) {
      out.push(t.offset);
    }
  };
  check(doc.value);
  CST.visit(doc, (item) => {
    check(item.key);
    check(item.value);
  });
}

function isClosed(source: string): boolean {
  const quote = source[0];
  if (source.length < 2 || !source.endsWith(quote)) return false;
  if (quote === "'") return source.slice(1).replace(/''/g, '').endsWith("'");
  let backslashes = 0;
  for (let i = source.length - 2; i > 0 && source[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}
