/**
 * govaluate grammar as Argo uses it for `when:`. Precedence, loosest first:
 *   `,`  <  `? : ??`  <  `||`  <  `&&`  <  comparators (`== != < <= > >= =~ !~ in`)
 *   <  `& | ^`  <  `<< >>`  <  `+ -`  <  `* / %`  <  `**`  <  prefix `- ! ~`
 * All binary operators are left-associative. Bare words become strings (Argo's shouldExecute
 * turns govaluate variables into string literals), and a string right of `=~`/`!~` is compiled
 * as a Go regexp at parse time.
 */
import { ExpressionError } from '../error.js';
import { goRegExp } from '../regex.js';
import { checkSyntax, tokenize, type Token } from './lexer.js';

export type WhenValue = number | string | boolean;

export type WhenNode =
  | { kind: 'literal'; value: WhenValue; offset: number; /** a bare word turned into a string, or a quoted date */ origin: 'number' | 'string' | 'word' | 'time' | 'boolean' }
  | { kind: 'accessor'; path: string[]; offset: number }
  | { kind: 'unary'; op: string; operand: WhenNode; offset: number }
  | { kind: 'binary'; op: string; left: WhenNode; right: WhenNode; offset: number }
  | { kind: 'group'; inner: WhenNode | undefined; offset: number };

/** The parsed form of a `when:` expression. */
export interface WhenAst {
  source: string;
  root: WhenNode;
}

const LEVELS: { kinds: Token['kind'][]; ops: string[] }[] = [
  { kinds: ['SEPARATOR'], ops: [','] },
  { kinds: ['TERNARY'], ops: ['?', ':', '??'] },
  { kinds: ['LOGICALOP'], ops: ['||'] },
  { kinds: ['LOGICALOP'], ops: ['&&'] },
  { kinds: ['COMPARATOR'], ops: ['==', '!=', '>', '>=', '<', '<=', '=~', '!~', 'in'] },
  { kinds: ['MODIFIER'], ops: ['&', '|', '^'] },
  { kinds: ['MODIFIER'], ops: ['<<', '>>'] },
  { kinds: ['MODIFIER'], ops: ['+', '-'] },
  { kinds: ['MODIFIER'], ops: ['*', '/', '%'] },
  { kinds: ['MODIFIER'], ops: ['**'] },
];

/** Parse a `when:` expression (after `{{…}}` substitution). Throws ExpressionError. */
export function parseWhen(source: string): WhenAst {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new ExpressionError('empty expression', undefined, source);
  checkSyntax(tokens, source);
  // Argo re-checks after turning variables into strings: `-foo` is then a PREFIX before a STRING.
  checkSyntax(tokens.map((t) => (t.kind === 'VARIABLE' ? { ...t, kind: 'STRING' as const } : t)), source);
  const parser = new Parser(tokens, source);
  const root = parser.parseLevel(0);
  if (!root) throw ExpressionError.at('expected a value', 0, source);
  if (parser.pos < tokens.length) {
    const t = tokens[parser.pos];
    throw ExpressionError.at(`unexpected token '${t.text}'`, t.offset, source);
  }
  return { source, root };
}

class Parser {
  pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  parseLevel(level: number): WhenNode | undefined {
    if (level >= LEVELS.length) return this.parseUnary();
    const { kinds, ops } = LEVELS[level];
    let left = this.parseLevel(level + 1);
    for (let t = this.peek(); t && kinds.includes(t.kind) && ops.includes(String(t.value)); t = this.peek()) {
      this.pos++;
      const right = this.parseLevel(level + 1);
      const op = String(t.value);
      if (!left || !right) throw ExpressionError.at(`operator '${op}' is missing an operand`, t.offset, this.source);
      left = { kind: 'binary', op, left, right: this.compilePattern(op, right), offset: t.offset };
    }
    return left;
  }

  /** `=~ 'hea'`: govaluate compiles a literal pattern while parsing, so a bad one is a parse error. */
  private compilePattern(op: string, right: WhenNode): WhenNode {
    if ((op === '=~' || op === '!~') && right.kind === 'literal' && typeof right.value === 'string' && right.origin !== 'time') {
      try {
        goRegExp(right.value);
      } catch (err) {
        throw ExpressionError.at((err as Error).message, right.offset, this.source);
      }
    }
    return right;
  }

  private parseUnary(): WhenNode | undefined {
    const t = this.peek();
    if (t?.kind === 'PREFIX') {
      this.pos++;
      const operand = this.parseUnary();
      if (!operand) throw ExpressionError.at(`prefix '${String(t.value)}' is missing an operand`, t.offset, this.source);
      return { kind: 'unary', op: String(t.value), operand, offset: t.offset };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): WhenNode | undefined {
    const t = this.peek();
    if (!t) return undefined;
    switch (t.kind) {
      case 'CLAUSE': {
        this.pos++;
        const inner = this.parseLevel(0);
        const close = this.peek();
        if (close?.kind !== 'CLAUSE_CLOSE') {
          throw ExpressionError.at(`expected ')'`, close?.offset ?? this.source.length, this.source);
        }
        this.pos++;
        return { kind: 'group', inner, offset: t.offset };
      }
      case 'CLAUSE_CLOSE':
        return undefined; // `()`: govaluate plans an empty clause as "no value"
      case 'NUMERIC':
        this.pos++;
        return { kind: 'literal', value: t.value as number, offset: t.offset, origin: 'number' };
      case 'BOOLEAN':
        this.pos++;
        return { kind: 'literal', value: t.value as boolean, offset: t.offset, origin: 'boolean' };
      case 'STRING':
        this.pos++;
        return { kind: 'literal', value: t.value as string, offset: t.offset, origin: 'string' };
      case 'TIME':
        this.pos++;
        return { kind: 'literal', value: t.value as number, offset: t.offset, origin: 'time' };
      case 'VARIABLE':
        this.pos++;
        return { kind: 'literal', value: t.value as string, offset: t.offset, origin: 'word' };
      case 'ACCESSOR':
        this.pos++;
        return { kind: 'accessor', path: t.value as string[], offset: t.offset };
      case 'COMPARATOR': case 'FUNCTION': case 'LOGICALOP': case 'MODIFIER': case 'PATTERN':
      case 'PREFIX': case 'SEPARATOR': case 'TERNARY': case 'UNKNOWN':
        throw ExpressionError.at(`unexpected token '${t.text}'`, t.offset, this.source);
    }
  }
}
