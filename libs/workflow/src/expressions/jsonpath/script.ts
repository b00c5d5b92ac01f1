/**
 * The filter/script language inside `[?(…)]` and `[(…)]` (evilmonkeyinc/jsonpath's standard
 * engine): `@`/`$` selectors, numbers, strings, true/false/null/nil, array literals, `( )`,
 * `|| && !`, `== != < <= > >=`, `=~`, `in`, `not in`, `+ - * / % **`.
 */
export type ScriptNode =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; selector: string }
  | { kind: 'array'; items: ScriptNode[] }
  | { kind: 'not'; operand: ScriptNode }
  | { kind: 'binary'; op: string; left: ScriptNode; right: ScriptNode };

const LEVELS: string[][] = [['||'], ['&&'], ['==', '!=', '<=', '>=', '<', '>', '=~', 'in', 'not in'], ['+', '-'], ['*', '/', '%'], ['**']];
const OPERATORS = ['not in', '||', '&&', '==', '!=', '<=', '>=', '=~', '**', '<', '>', '+', '-', '*', '/', '%', 'in'];

export function parseScript(text: string): ScriptNode {
  let pos = 0;
  const skip = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const peekOperator = (ops: string[]): string | undefined => {
    skip();
    for (const op of OPERATORS) {
      if (!ops.includes(op) || !text.startsWith(op, pos)) continue;
      if (/^[a-z]/.test(op) && /\w/.test(text[pos + op.length] ?? '')) continue;
      return op;
    }
    return undefined;
  };
  const level = (n: number): ScriptNode => {
    if (n >= LEVELS.length) return unary();
    let left = level(n + 1);
    for (let op = peekOperator(LEVELS[n]); op; op = peekOperator(LEVELS[n])) {
      pos += op.length;
      const right = op === '**' ? level(n) : level(n + 1);
      left = { kind: 'binary', op, left, right };
    }
    return left;
  };
  const unary = (): ScriptNode => {
    skip();
    if (text[pos] === '!' && text[pos + 1] !== '=') {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    if (text[pos] === '-' && /[\d.]/.test(text[pos + 1] ?? '')) {
      const m = /^-(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(pos));
      if (m) {
        pos += m[0].length;
        return { kind: 'literal', value: Number(m[0]) };
      }
    }
    return primary();
  };
  const primary = (): ScriptNode => {
    skip();
    const rest = text.slice(pos);
    const c = text[pos];
    if (c === undefined) throw new Error(`invalid expression '${text}': unexpected end`);
    if (c === '(') {
      pos++;
      const inner = level(0);
      skip();
      if (text[pos] !== ')') throw new Error(`invalid expression '${text}': missing ')'`);
      pos++;
      return inner;
    }
    if (c === '[') {
      pos++;
      const items: ScriptNode[] = [];
      skip();
      while (text[pos] !== ']') {
        if (items.length > 0) {
          if (text[pos] !== ',') throw new Error(`invalid expression '${text}': expected ','`);
          pos++;
        }
        items.push(level(0));
        skip();
        if (pos >= text.length) throw new Error(`invalid expression '${text}': missing ']'`);
      }
      pos++;
      return { kind: 'array', items };
    }
    if (c === "'" || c === '"') {
      let value = '';
      let i = pos + 1;
      for (; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
      }
      if (i >= text.length) throw new Error(`invalid expression '${text}': unterminated string`);
      pos = i + 1;
      return { kind: 'literal', value };
    }
    if (c === '@' || c === '$') {
      let i = pos + 1;
      let depth = 0;
      let quote = '';
      for (; i < text.length; i++) {
        const ch = text[i];
        if (quote) {
          if (ch === '\\') i++;
          else if (ch === quote) quote = '';
        } else if (ch === "'" || ch === '"') quote = ch;
        else if (ch === '[' || ch === '(') depth++;
        else if ((ch === ']' || ch === ')') && depth > 0) depth--;
        else if (depth === 0 && !/[\w.*$]/.test(ch)) break; // `-` is minus: bracket dashed keys
      }
      const selector = text.slice(pos, i);
      pos = i;
      return { kind: 'path', selector };
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (num) {
      pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    const word = /^[A-Za-z_]\w*/.exec(rest);
    if (word) {
      pos += word[0].length;
      if (word[0] === 'true' || word[0] === 'false') return { kind: 'literal', value: word[0] === 'true' };
      if (word[0] === 'nil' || word[0] === 'null') return { kind: 'literal', value: null };
      return { kind: 'literal', value: word[0] };
    }
    throw new Error(`invalid expression '${text}': unexpected '${c}'`);
  };
  const root = level(0);
  skip();
  if (pos < text.length) throw new Error(`invalid expression '${text}': unexpected '${text.slice(pos)}'`);
  return root;
}
