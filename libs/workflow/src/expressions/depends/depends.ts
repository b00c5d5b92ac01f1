/**
 * Argo DAG `depends:` logic (workflow/common/ancestry.go): operands `task` or `task.Result`,
 * combined with `&&`, `||`, `!` and parentheses. A task name may contain `-` (it is part of the
 * name, not a minus). What a bare `task` means (Succeeded || Skipped || Daemoned, plus Failed /
 * Errored under continueOn) is the caller's business: evaluateDepends asks `test(task, undefined)`.
 */
import { ExpressionError } from '../error.js';

export const TASK_RESULTS = ['Succeeded', 'Failed', 'Errored', 'Skipped', 'Omitted', 'Daemoned', 'AnySucceeded', 'AllFailed'] as const;
export type TaskResult = (typeof TASK_RESULTS)[number];

export type DependsAst =
  | { kind: 'ref'; task: string; result: TaskResult | undefined; offset: number }
  | { kind: 'not'; operand: DependsAst; offset: number }
  /** n-ary, so a chain of thousands (`dependencies` of a wide fan-in) stays shallow. */
  | { kind: 'and' | 'or'; operands: DependsAst[]; offset: number };

interface Token {
  kind: 'name' | '&&' | '||' | '!' | '(' | ')' | 'eof';
  text: string;
  offset: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const c = source[pos];
    if (/\s/.test(c)) {
      pos++;
      continue;
    }
    const two = source.slice(pos, pos + 2);
    if (two === '&&' || two === '||') {
      tokens.push({ kind: two, text: two, offset: pos });
      pos += 2;
      continue;
    }
    if (c === '!' || c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, offset: pos });
      pos++;
      continue;
    }
    const m = /^[a-zA-Z0-9][-a-zA-Z0-9_]*(\.[A-Za-z0-9_]*)?/.exec(source.slice(pos));
    if (!m) throw ExpressionError.at(`unexpected character '${c}' in depends`, pos, source);
    tokens.push({ kind: 'name', text: m[0], offset: pos });
    pos += m[0].length;
  }
  tokens.push({ kind: 'eof', text: '', offset: source.length });
  return tokens;
}

/** Parse a `depends:` expression. Throws ExpressionError on syntax errors and unknown results. */
export function parseDepends(source: string): DependsAst {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  const unexpected = (t: Token): never => {
    if (t.kind === 'eof') throw ExpressionError.at('unexpected end of depends expression', t.offset, source);
    throw ExpressionError.at(`unexpected token '${t.text}'`, t.offset, source);
  };
  const or = (): DependsAst => {
    const first = and();
    if (peek().kind !== '||') return first;
    const operands = [first];
    const offset = peek().offset;
    while (peek().kind === '||') {
      pos++;
      operands.push(and());
    }
    return { kind: 'or', operands, offset };
  };
  const and = (): DependsAst => {
    const first = unary();
    if (peek().kind !== '&&') return first;
    const operands = [first];
    const offset = peek().offset;
    while (peek().kind === '&&') {
      pos++;
      operands.push(unary());
    }
    return { kind: 'and', operands, offset };
  };
  const unary = (): DependsAst => {
    const t = peek();
    if (t.kind === '!') {
      pos++;
      return { kind: 'not', operand: unary(), offset: t.offset };
    }
    if (t.kind === '(') {
      pos++;
      const inner = or();
      if (peek().kind !== ')') unexpected(peek());
      pos++;
      return inner;
    }
    if (t.kind !== 'name') return unexpected(t);
    pos++;
    const dot = t.text.indexOf('.');
    if (dot < 0) return { kind: 'ref', task: t.text, result: undefined, offset: t.offset };
    const task = t.text.slice(0, dot);
    const result = t.text.slice(dot + 1);
    if (!(TASK_RESULTS as readonly string[]).includes(result)) {
      throw ExpressionError.at(
        `task result '${result}' for task '${task}' is invalid (expected one of ${TASK_RESULTS.join(', ')})`,
        t.offset + dot + 1,
        source,
      );
    }
    return { kind: 'ref', task, result: result as TaskResult, offset: t.offset };
  };
  const ast = or();
  if (peek().kind !== 'eof') unexpected(peek());
  return ast;
}

/** Every `task` / `task.Result` reference, in order of appearance, without repeats. */
export function dependsOperands(ast: DependsAst): { task: string; result?: TaskResult }[] {
  const out: { task: string; result?: TaskResult }[] = [];
  const seen = new Set<string>();
  const walk = (node: DependsAst): void => {
    switch (node.kind) {
      case 'ref': {
        const key = `${node.task}.${node.result ?? ''}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push(node.result === undefined ? { task: node.task } : { task: node.task, result: node.result });
        return;
      }
      case 'not':
        walk(node.operand);
        return;
      case 'and':
      case 'or':
        for (const operand of node.operands) walk(operand);
    }
  };
  walk(ast);
  return out;
}

/** Evaluate with short-circuiting; `test(task, undefined)` decides what a bare task name means. */
export function evaluateDepends(ast: DependsAst, test: (task: string, result: TaskResult | undefined) => boolean): boolean {
  switch (ast.kind) {
    case 'ref':
      return test(ast.task, ast.result);
    case 'not':
      return !evaluateDepends(ast.operand, test);
    case 'and':
      return ast.operands.every((operand) => evaluateDepends(operand, test));
    case 'or':
      return ast.operands.some((operand) => evaluateDepends(operand, test));
  }
}

/** Legacy `dependencies: [A, B]` as a `depends` expression: `A && B`. */
export function legacyDependenciesToDepends(names: readonly string[]): string {
  return names.join(' && ');
}

/** A name the tokenizer reads as one plain task reference (no `.Result`). */
const PLAIN_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9_]*$/;

/**
 * `parseDepends(legacyDependenciesToDepends(names))`, offsets included, built directly when every
 * name is a plain task name (as they are): a 1,000-task DAG's index is built without tokenizing
 * 1,000 joined strings. Anything else goes through the parser, errors and all.
 */
export function legacyDependenciesAst(names: readonly string[]): DependsAst {
  if (names.length === 0 || !names.every((n) => PLAIN_NAME.test(n))) return parseDepends(legacyDependenciesToDepends(names));
  let offset = 0;
  const operands: DependsAst[] = names.map((task) => {
    const ref: DependsAst = { kind: 'ref', task, result: undefined, offset };
    offset += task.length + 4; // " && "
    return ref;
  });
  return operands.length === 1 ? operands[0] : { kind: 'and', operands, offset: names[0].length + 1 };
}

/** Print an AST back as a depends expression (fully parenthesised where needed). */
export function dependsToString(ast: DependsAst): string {
  switch (ast.kind) {
    case 'ref':
      return ast.result ? `${ast.task}.${ast.result}` : ast.task;
    case 'not':
      return `!${ast.operand.kind === 'ref' || ast.operand.kind === 'not' ? dependsToString(ast.operand) : `(${dependsToString(ast.operand)})`}`;
    case 'and':
    case 'or': {
      const op = ast.kind === 'and' ? ' && ' : ' || ';
      const side = (n: DependsAst): string => (n.kind === 'or' && ast.kind === 'and' ? `(${dependsToString(n)})` : dependsToString(n));
      return ast.operands.map(side).join(op);
    }
  }
}
