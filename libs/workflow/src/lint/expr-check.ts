/** Parse-checks for the expression languages found in workflows (the parsers live in ../expressions). */
import { parseExpr } from '../expressions/exprlang/parser.js';
import { parseWhen } from '../expressions/govaluate/parser.js';
import { replaceTags } from './tags.js';

/** A word that every grammar reads as a plain identifier, standing in for `{{…}}` tags. */
const PLACEHOLDER = 'slipwayPlaceholder';

/** Error message of an expr-lang expression (bare, or the inside of `{{=…}}`), if it does not parse. */
export function exprSyntaxError(source: string): string | undefined {
  return attempt(() => parseExpr(replaceTags(source, PLACEHOLDER)));
}

/** Error message of a govaluate `when`, after each `{{…}}` is replaced by a placeholder word. */
export function whenSyntaxError(source: string): string | undefined {
  return attempt(() => parseWhen(replaceTags(source, PLACEHOLDER)));
}

export function attempt(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
