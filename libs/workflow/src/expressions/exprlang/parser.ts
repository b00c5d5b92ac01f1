/**
 * Pratt parser for expr-lang, following expr's own precedence table (parser/operator):
 *   `|` 0 · `or ||` 10 · `and &&` 15 · `== != < > <= >= in matches contains startsWith endsWith` 20
 *   · `..` 25 · `+ -` 30 · `* / %` 60 · unary `not !` 50, `- +` 90 · `** ^` 100 (right) · `??` 500
 * plus `?:` at the top of an expression, `let x = …; …`, `if … {…} else {…}`, `a < b < c`
 * chains, `not in`, pipes (`x | f(y)` is `f(x, y)`) and predicates `{…}` for the closure builtins.
 */
import { ExpressionError } from '../error.js';
import { PLAIN_BUILTINS, PREDICATE_BUILTINS, type ExprAst, type ExprNode } from './ast.js';
import { describeToken, tokenize, type Token } from './lexer.js';

const BINARY: Readonly<Record<string, { prec: number; right?: boolean }>> = {
  '|': { prec: 0 },
  or: { prec: 10 },
  '||': { prec: 10 },
  and: { prec: 15 },
  '&&': { prec: 15 },
  '==': { prec: 20 },
  '!=': { prec: 20 },
  '<': { prec: 20 },
  '>': { prec: 20 },
  '>=': { prec: 20 },
  '<=': { prec: 20 },
  in: { prec: 20 },
  matches: { prec: 20 },
  contains: { prec: 20 },
  startsWith: { prec: 20 },
  endsWith: { prec: 20 },
  '..': { prec: 25 },
  '+': { prec: 30 },
  '-': { prec: 30 },
  '*': { prec: 60 },
  '/': { prec: 60 },
  '%': { prec: 60 },
  '**': { prec: 100, right: true },
  '^': { prec: 100, right: true },
  '??': { prec: 500 },
};
const UNARY: Readonly<Record<string, number>> = { not: 50, '!': 50, '-': 90, '+': 90 };
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const COMPARISON = new Set(['<', '>', '<=', '>=']);
const NAME_LIKE_OPERATORS = /^[A-Za-z_$][\w$]*$/;

/** Parse an expr-lang expression. Throws ExpressionError with the position of the problem. */
export function parseExpr(source: string): ExprAst {
  const parser = new Parser(source, tokenize(source));
  const root = parser.parseSequence();
  parser.expectEnd();
  return { source, root };
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private get current(): Token {
    return this.tokens[this.pos];
  }

  private is(kind: Token['kind'], value?: string): boolean {
    return this.current.kind === kind && (value === undefined || this.current.value === value);
  }

  private next(): Token {
    const t = this.current;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(message: string, token: Token = this.current): never {
    throw ExpressionError.at(message, token.offset, this.source);
  }

  private unexpected(token: Token = this.current): never {
    if (token.kind === 'eof') this.fail('unexpected end of expression', token);
    this.fail(`unexpected token ${describeToken(token)}`, token);
  }

  private expect(kind: Token['kind'], value?: string): Token {
    if (!this.is(kind, value)) this.unexpected();
    return this.next();
  }

  expectEnd(): void {
    if (!this.is('eof')) this.unexpected();
  }

  parseSequence(): ExprNode {
    const first = this.parseExpression(0);
    const items = [first];
    while (this.is('op', ';')) {
      this.next();
      if (this.is('eof') || this.is('bracket', '}') || this.is('bracket', ')')) break;
      items.push(this.parseExpression(0));
    }
    return items.length === 1 ? first : { kind: 'sequence', items, offset: first.offset };
  }

  private parseExpression(precedence: number): ExprNode {
    if (precedence === 0 && this.is('op', 'let')) return this.parseLet();
    if (precedence === 0 && this.is('op', 'if')) return this.parseIf();
    let left = this.parsePrimary();
    let previous = '';
    while (this.current.kind === 'op') {
      let opToken = this.current;
      let negate = false;
      if (opToken.value === 'not') {
        const after = this.tokens[this.pos + 1];
        if (after.kind !== 'op' || !NEGATABLE.has(after.value)) this.unexpected(after);
        if (BINARY[after.value].prec < precedence) break;
        this.next();
        opToken = this.current;
        negate = true;
      }
      const op = opToken.value;
      const info = Object.hasOwn(BINARY, op) ? BINARY[op] : undefined;
      if (!info || info.prec < precedence) break;
      this.next();
      if (op === '|') {
        const name = this.expect('ident');
        left = this.parseCall(name, [left]);
      } else {
        if (previous === '??' && op !== '??') {
          this.fail(`Operator (${op}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`, opToken);
        }
        if (COMPARISON.has(op)) {
          left = this.parseComparison(left, opToken, info.prec);
        } else {
          const right = this.parseExpression(info.right ? info.prec : info.prec + 1);
          left = { kind: 'binary', op, left, right, offset: opToken.offset };
          if (negate) left = { kind: 'unary', op: 'not', operand: left, offset: opToken.offset };
        }
      }
      previous = op;
    }
    return precedence === 0 ? this.parseConditional(left) : left;
  }

  /** `a < b < c` means `a < b && b < c`. */
  private parseComparison(first: ExprNode, opToken: Token, precedence: number): ExprNode {
    let left = first;
    let token = opToken;
    let root: ExprNode | undefined;
    for (;;) {
      const right = this.parseExpression(precedence + 1);
      const cmp: ExprNode = { kind: 'binary', op: token.value, left, right, offset: token.offset };
      root = root ? { kind: 'binary', op: '&&', left: root, right: cmp, offset: token.offset } : cmp;
      left = right;
      token = this.current;
      if (!(token.kind === 'op' && COMPARISON.has(token.value))) return root;
      this.next();
    }
  }

  private parseConditional(node: ExprNode): ExprNode {
    let cond = node;
    while (this.is('op', '?')) {
      const q = this.next();
      if (this.is('op', ':')) {
        this.next();
        cond = { kind: 'conditional', cond, then: cond, else: this.parseExpression(0), elvis: true, offset: q.offset };
      } else {
        const then = this.parseExpression(0);
        this.expect('op', ':');
        cond = { kind: 'conditional', cond, then, else: this.parseExpression(0), elvis: false, offset: q.offset };
      }
    }
    return cond;
  }

  private parseLet(): ExprNode {
    const letToken = this.next();
    const name = this.expect('ident');
    this.expect('op', '=');
    const value = this.parseExpression(0);
    this.expect('op', ';');
    const body = this.parseSequence();
    return { kind: 'let', name: name.value, value, body, offset: letToken.offset };
  }

  private parseIf(): ExprNode {
    const ifToken = this.next();
    const cond = this.parseExpression(0);
    this.expect('bracket', '{');
    const then = this.parseSequence();
    this.expect('bracket', '}');
    this.expect('op', 'else');
    let otherwise: ExprNode;
    if (this.is('op', 'if')) otherwise = this.parseIf();
    else {
      this.expect('bracket', '{');
      otherwise = this.parseSequence();
      this.expect('bracket', '}');
    }
    return { kind: 'conditional', cond, then, else: otherwise, elvis: false, offset: ifToken.offset };
  }

  private parsePrimary(): ExprNode {
    const token = this.current;
    if (token.kind === 'op' && Object.hasOwn(UNARY, token.value)) {
      this.next();
      const operand = this.parseExpression(UNARY[token.value]);
      return this.parsePostfix({ kind: 'unary', op: token.value, operand, offset: token.offset });
    }
    if (this.is('bracket', '(')) {
      this.next();
      const inner = this.parseSequence();
      this.expect('bracket', ')');
      return this.parsePostfix(inner);
    }
    if (this.depth > 0 && (this.is('op', '#') || this.is('op', '.'))) {
      let name = '';
      if (this.is('op', '#')) {
        this.next();
        if (this.is('ident')) name = this.next().value;
      }
      return this.parsePostfix({ kind: 'pointer', name, offset: token.offset });
    }
    return this.parseSecondary();
  }

  private parseSecondary(): ExprNode {
    const token = this.current;
    let node: ExprNode;
    switch (token.kind) {
      case 'ident':
        this.next();
        if (token.value === 'true' || token.value === 'false') return { kind: 'bool', value: token.value === 'true', offset: token.offset };
        if (token.value === 'nil') return { kind: 'nil', offset: token.offset };
        node = this.is('bracket', '(') ? this.parseCall(token, []) : { kind: 'ident', name: token.value, offset: token.offset };
        break;
      case 'number':
        this.next();
        return this.numberNode(token);
      case 'string':
        this.next();
        node = { kind: 'string', value: token.value, offset: token.offset };
        break;
      case 'bracket':
        if (token.value === '[') node = this.parseArray();
        else if (token.value === '{') node = this.parseMap();
        else this.unexpected();
        break;
      case 'op':
      case 'eof':
        this.unexpected();
    }
    return this.parsePostfix(node);
  }

  private numberNode(token: Token): ExprNode {
    const text = token.value.replace(/_/g, '');
    const lower = text.toLowerCase();
    const radix = lower.startsWith('0x') ? 16 : lower.startsWith('0o') ? 8 : lower.startsWith('0b') ? 2 : 10;
    if (radix === 10 && /[.e]/.test(lower)) {
      const value = Number(text);
      if (!Number.isFinite(value)) this.fail('float literal is too large', token);
      if (Number.isNaN(value)) this.fail(`invalid float literal: ${token.value}`, token);
      return { kind: 'float', value, offset: token.offset };
    }
    const digits = radix === 10 ? text : text.slice(2);
    if (digits === '' || !/^[0-9a-fA-F]+$/.test(digits)) this.fail(`invalid integer literal: ${token.value}`, token);
    const big = BigInt(radix === 10 ? digits : `0${lower[1]}${digits}`);
    if (big > 9223372036854775807n) this.fail('integer literal is too large', token);
    return { kind: 'int', value: Number(big), offset: token.offset };
  }

  private parseCall(name: Token, prefilled: ExprNode[]): ExprNode {
    const spec = Object.hasOwn(PREDICATE_BUILTINS, name.value) ? PREDICATE_BUILTINS[name.value] : undefined;
    if (spec) {
      this.expect('bracket', '(');
      const args = [...prefilled];
      const wanted = spec.slice(prefilled.length);
      for (let i = 0; i < wanted.length; i++) {
        const shape = wanted[i];
        if (this.is('bracket', ')')) {
          if (shape.endsWith('?')) break;
          this.fail(`expected at least ${wanted.filter((s) => !s.endsWith('?')).length} arguments`);
        }
        if (i > 0) this.expect('op', ',');
        args.push(shape.startsWith('predicate') ? this.parsePredicate() : this.parseExpression(0));
      }
      if (this.is('op', ',')) this.next();
      this.expect('bracket', ')');
      return { kind: 'builtin', name: name.value, args, offset: name.offset };
    }
    const args = this.parseArguments(prefilled);
    if (PLAIN_BUILTINS.has(name.value)) return { kind: 'builtin', name: name.value, args, offset: name.offset };
    return { kind: 'call', callee: { kind: 'ident', name: name.value, offset: name.offset }, args, offset: name.offset };
  }

  private parseArguments(prefilled: ExprNode[]): ExprNode[] {
    const args = [...prefilled];
    this.expect('bracket', '(');
    while (!this.is('bracket', ')')) {
      if (args.length > prefilled.length) {
        this.expect('op', ',');
        if (this.is('bracket', ')')) break;
      }
      args.push(this.parseExpression(0));
    }
    this.expect('bracket', ')');
    return args;
  }

  private parsePredicate(): ExprNode {
    const start = this.current;
    const braces = this.is('bracket', '{');
    if (braces) this.next();
    this.depth++;
    const body = braces ? this.parseSequence() : this.parseExpression(0);
    if (!braces && this.is('op', ';')) this.fail('wrap predicate with brackets { and }');
    this.depth--;
    if (braces) this.expect('bracket', '}');
    return { kind: 'predicate', body, offset: start.offset };
  }

  private parseArray(): ExprNode {
    const open = this.next();
    const items: ExprNode[] = [];
    while (!this.is('bracket', ']')) {
      if (items.length > 0) {
        this.expect('op', ',');
        if (this.is('bracket', ']')) break;
      }
      items.push(this.parseExpression(0));
    }
    this.expect('bracket', ']');
    return { kind: 'array', items, offset: open.offset };
  }

  private parseMap(): ExprNode {
    const open = this.next();
    const entries: { key: ExprNode; value: ExprNode }[] = [];
    while (!this.is('bracket', '}')) {
      if (entries.length > 0) {
        this.expect('op', ',');
        if (this.is('bracket', '}')) break;
      }
      const t = this.current;
      let key: ExprNode;
      if (t.kind === 'number' || t.kind === 'string' || t.kind === 'ident') {
        this.next();
        key = { kind: 'string', value: t.value, offset: t.offset };
      } else if (this.is('bracket', '(')) {
        key = this.parseExpression(0);
      } else {
        this.fail(`a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${describeToken(t)})`);
      }
      this.expect('op', ':');
      entries.push({ key, value: this.parseExpression(0) });
    }
    this.expect('bracket', '}');
    return { kind: 'map', entries, offset: open.offset };
  }

  private parsePostfix(start: ExprNode): ExprNode {
    let node = start;
    for (;;) {
      const t = this.current;
      if (t.kind === 'op' && (t.value === '.' || t.value === '?.')) {
        const optional = t.value === '?.';
        this.next();
        if (optional && this.is('bracket', '[')) {
          node = this.parseIndex(node, true);
          continue;
        }
        const prop = this.next();
        if (prop.kind !== 'ident' && !(prop.kind === 'op' && NAME_LIKE_OPERATORS.test(prop.value))) this.fail('expected name', prop);
        const member: ExprNode = { kind: 'member', object: node, property: { kind: 'string', value: prop.value, offset: prop.offset }, optional, offset: prop.offset };
        node = this.is('bracket', '(') ? { kind: 'call', callee: member, args: this.parseArguments([]), offset: prop.offset } : member;
      } else if (t.kind === 'bracket' && t.value === '[') {
        node = this.parseIndex(node, false);
      } else {
        return node;
      }
    }
  }

  private parseIndex(object: ExprNode, optional: boolean): ExprNode {
    const open = this.expect('bracket', '[');
    if (this.is('op', ':')) {
      this.next();
      const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
      this.expect('bracket', ']');
      return { kind: 'slice', object, from: undefined, to, offset: open.offset };
    }
    const from = this.parseExpression(0);
    if (this.is('op', ':')) {
      this.next();
      const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
      this.expect('bracket', ']');
      return { kind: 'slice', object, from, to, offset: open.offset };
    }
    this.expect('bracket', ']');
    return { kind: 'member', object, property: from, optional, offset: open.offset };
  }
}
