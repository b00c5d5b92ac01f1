/** AST of the expr-lang subset (github.com/expr-lang/expr v1.17) that Argo expressions use. */

interface At {
  /** 0-based offset of the node's first token in the source. */
  offset: number;
}

export type ExprNode =
  | ({ kind: 'nil' } & At)
  | ({ kind: 'bool'; value: boolean } & At)
  | ({ kind: 'int'; value: number } & At)
  | ({ kind: 'float'; value: number } & At)
  | ({ kind: 'string'; value: string } & At)
  | ({ kind: 'array'; items: ExprNode[] } & At)
  | ({ kind: 'map'; entries: { key: ExprNode; value: ExprNode }[] } & At)
  | ({ kind: 'ident'; name: string } & At)
  /** `#` (name ''), `#acc`, `#index`; `.field` inside a predicate is `#.field`. */
  | ({ kind: 'pointer'; name: string } & At)
  | ({ kind: 'member'; object: ExprNode; property: ExprNode; optional: boolean } & At)
  | ({ kind: 'slice'; object: ExprNode; from: ExprNode | undefined; to: ExprNode | undefined } & At)
  | ({ kind: 'call'; callee: ExprNode; args: ExprNode[] } & At)
  | ({ kind: 'builtin'; name: string; args: ExprNode[] } & At)
  | ({ kind: 'predicate'; body: ExprNode } & At)
  | ({ kind: 'unary'; op: string; operand: ExprNode } & At)
  | ({ kind: 'binary'; op: string; left: ExprNode; right: ExprNode } & At)
  /** `c ? a : b`, `c ?: b` (elvis: `then` is `cond`), and `if c { a } else { b }`. */
  | ({ kind: 'conditional'; cond: ExprNode; then: ExprNode; else: ExprNode; elvis: boolean } & At)
  | ({ kind: 'let'; name: string; value: ExprNode; body: ExprNode } & At)
  | ({ kind: 'sequence'; items: ExprNode[] } & At);

/** A parsed expression together with its source (needed for error positions). */
export interface ExprAst {
  source: string;
  root: ExprNode;
}

/** Builtins whose second argument is a predicate (closure), with their argument shapes. */
export const PREDICATE_BUILTINS: Readonly<Record<string, readonly ('expr' | 'predicate' | 'expr?' | 'predicate?')[]>> = {
  all: ['expr', 'predicate'],
  none: ['expr', 'predicate'],
  any: ['expr', 'predicate'],
  one: ['expr', 'predicate'],
  filter: ['expr', 'predicate'],
  map: ['expr', 'predicate'],
  count: ['expr', 'predicate?'],
  sum: ['expr', 'predicate?'],
  find: ['expr', 'predicate'],
  findIndex: ['expr', 'predicate'],
  findLast: ['expr', 'predicate'],
  findLastIndex: ['expr', 'predicate'],
  groupBy: ['expr', 'predicate'],
  sortBy: ['expr', 'predicate', 'expr?'],
  reduce: ['expr', 'predicate', 'expr?'],
};

/** Other builtins: a call to one of these names is the builtin, whatever the environment holds. */
export const PLAIN_BUILTINS: ReadonlySet<string> = new Set([
  'len', 'type', 'abs', 'ceil', 'floor', 'round', 'int', 'float', 'string', 'trim', 'trimPrefix', 'trimSuffix',
  'upper', 'lower', 'split', 'splitAfter', 'replace', 'repeat', 'join', 'indexOf', 'lastIndexOf', 'hasPrefix',
  'hasSuffix', 'max', 'min', 'mean', 'median', 'toJSON', 'fromJSON', 'toBase64', 'fromBase64', 'now', 'duration',
  'date', 'first', 'last', 'get', 'take', 'keys', 'values', 'toPairs', 'fromPairs', 'reverse', 'uniq', 'concat',
  'flatten', 'sort', 'bitand', 'bitor', 'bitxor', 'bitnand', 'bitnot', 'bitshl', 'bitshr', 'bitushr',
]);
