/**
 * Text → `yaml` Documents through the package's CST API (Lexer → Parser → Composer), with the
 * Go-compatible lexer and scalar tags. Also notes where unterminated quoted strings start, so that
 * "missing closing quote" can point at the opening quote rather than at the end of the file.
 */
import type { CST, Document, LineCounter } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import { goCompatibleLexer } from './go-lexer.js';
import { goYamlTags } from './go-yaml-schema.js';

export interface Composed {
  documents: Document.Parsed[];
  /** Offsets of quoted scalars that have no closing quote (worked out when first asked for). */
  unclosedQuotes: () => number[];
}

export function composeDocuments(text: string, lines: LineCounter): Composed {
  const cstDocuments: CST.Document[] = [];
  const composer = new (yamlLib().Composer)({ version: '1.1', customTags: goYamlTags, uniqueKeys: false });
  const documents = Array.from(composer.compose(tokens(text, lines, cstDocuments)));
  let unclosed: number[] | undefined;
  const unclosedQuotes = (): number[] => {
    if (!unclosed) {
      const found: number[] = [];
      for (const doc of cstDocuments) noteUnclosedQuotes(doc, found);
      unclosed = found;
    }
    return unclosed;
  };
  return { documents, unclosedQuotes };
}

function* tokens(text: string, lines: LineCounter, cstDocuments: CST.Document[]): Generator<CST.Token> {
  const parser = new (yamlLib().Parser)(lines.addNewLine);
  lines.addNewLine(0);
  for (const lexeme of goCompatibleLexer().lex(text)) {
    for (const token of parser.next(lexeme)) {
      if (token.type === 'document') cstDocuments.push(token);
      yield token;
    }
  }
  for (const token of parser.end()) {
    if (token.type === 'document') cstDocuments.push(token);
    yield token;
  }
}

function noteUnclosedQuotes(doc: CST.Document, out: number[]): void {
  const check = (t: CST.Token | null | undefined): void => {
    if (t && (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && !isClosed(t.source)) {
      out.push(t.offset);
    }
  };
  check(doc.value);
  yamlLib().CST.visit(doc, (item) => {
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
