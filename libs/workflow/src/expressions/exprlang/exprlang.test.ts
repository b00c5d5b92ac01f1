import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../error.js';
import { GoDuration } from '../go-format/duration.js';
import { evaluateExpr, freeNames, parseExpr } from './index.js';

const ev = (src: string, env: Record<string, unknown> = {}): unknown => evaluateExpr(src, env);

function errorOf(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    return err as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('literals', () => {
  it('numbers', () => {
    expect(ev('42')).toBe(42);
    expect(ev('1_000_000')).toBe(1000000);
    expect(ev('0x2A')).toBe(42);
    expect(ev('0o52')).toBe(42);
    expect(ev('0b101010')).toBe(42);
    expect(ev('.5')).toBe(0.5);
    expect(ev('1e3')).toBe(1000);
    expect(ev('2.5e-1')).toBe(0.25);
  });

  it('strings with escapes and raw strings', () => {
    expect(ev(`"a\\tb\\n"`)).toBe('a\tb\n');
    expect(ev(`'it\\'s'`)).toBe("it's");
    expect(ev(`"\\u00e9\\x41\\101\\u{1F600}"`)).toBe('éAA😀');
    expect(ev('`raw \\n ``quoted```')).toBe('raw \\n `quoted`');
  });

  it('true, false, nil, arrays and maps', () => {
    expect(ev('[true, false, nil]')).toEqual([true, false, null]);
    expect(ev('[1, 2,]')).toEqual([1, 2]);
    expect(ev('{a: 1, "b-c": 2, 3: 4, ("d" + "e"): 5}')).toEqual({ a: 1, 'b-c': 2, '3': 4, de: 5 });
    expect(ev('{}')).toEqual({});
  });

  it('comments', () => {
    expect(ev('1 + /* two */ 2 // three\n')).toBe(3);
  });
});

describe('operators and precedence', () => {
  it.each([
    ['7 / 2', 3.5],
    ['6 / 3', 2],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['2 ** 3', 8],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ** 2', -4],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 3 - 2', 5],
    ['1 < 2 == true', true],
    ['1 < 2 < 3', true],
    ['3 > 2 > 1', true],
    ['1 < 3 < 2', false],
    ['!true || true', true],
    ['not false and false', false],
    ['true or false and false', true],
    ['"a" + "b"', 'ab'],
    ['"abc" < "abd"', true],
    ['1 == 1.0', true],
    ['1 == "1"', false],
    ['[1, 2] == [1, 2]', true],
    ['{a: [1]} == {a: [1]}', true],
    ['nil == nil', true],
    ['1..3', [1, 2, 3]],
    ['3..1', []],
    ['2 in [1, 2]', true],
    ['"a" in {a: 1}', true],
    ['"b" not in {a: 1}', true],
    ['3 not in 1..2', true],
    ['"foobar" contains "oba"', true],
    ['"foobar" startsWith "foo"', true],
    ['"foobar" endsWith "bar"', true],
    ['"foobar" not endsWith "bar"', false],
    ['"v1.2.3" matches "^v\\\\d+\\\\.\\\\d+"', true],
    ['"abc" not matches "^b"', true],
    ['true ? 1 : 2', 1],
    ['false ? 1 : false ? 2 : 3', 3],
    ['nil ?: "d"', 'd'],
    ['"x" ?: "d"', 'x'],
    ['if 1 > 2 { "a" } else if 2 > 1 { "b" } else { "c" }', 'b'],
    ['+-3', -3],
  ])('%s', (src, expected) => {
    expect(ev(src)).toEqual(expected);
  });

  it('and/or short-circuit and want bools', () => {
    expect(ev('false && x', { x: 'not a bool' })).toBe(false);
    expect(errorOf(() => ev('1 && true')).message).toBe('left operand of && must be a bool, got int at column 1');
  });

  it('type errors name both types', () => {
    expect(errorOf(() => ev('"a" + 1')).message).toBe('invalid operation: string + int at column 5');
    expect(errorOf(() => ev('1.5 % 2')).message).toContain('invalid operation: float64 % int');
    expect(errorOf(() => ev('"a" < 1')).message).toContain('invalid operation: string < int');
    expect(errorOf(() => ev('1 in "abc"')).message).toContain('operator "in" not defined on string');
    expect(errorOf(() => ev('1 contains "a"')).message).toContain('invalid operation');
    expect(errorOf(() => ev('5 % 0')).message).toContain('integer divide by zero');
  });

  it('?? falls back only on nil and cannot mix with other operators', () => {
    expect(ev('nil ?? 1')).toBe(1);
    expect(ev('"" ?? 1')).toBe('');
    expect(ev('false ?? 1')).toBe(false);
    expect(ev('a.b ?? "x"', { a: {} })).toBe('x');
    expect(ev('a.b.c.d ?? "x"', { a: {} })).toBe('x');
    expect(ev('a ?? b ?? 3', { a: null, b: null })).toBe(3);
    expect(errorOf(() => parseExpr('a ?? b + 1')).message).toContain('Operator (+) and coalesce expressions (??) cannot be mixed');
  });
});

describe('member access', () => {
  const env = { user: { name: 'Ann', tags: ['a', 'b', 'c'], 'odd-key': 1, nested: null }, list: [10, 20, 30, 40] };

  it('dot, brackets, negative index and missing keys', () => {
    expect(ev('user.name', env)).toBe('Ann');
    expect(ev('user["name"]', env)).toBe('Ann');
    expect(ev("user['odd-key']", env)).toBe(1);
    expect(ev('user.missing', env)).toBe(null);
    expect(ev('user.tags[0]', env)).toBe('a');
    expect(ev('user.tags[-1]', env)).toBe('c');
    expect(ev('$env.list[1]', env)).toBe(20);
    expect(ev('"name" in $env.user', env)).toBe(true);
  });

  it('optional chaining', () => {
    expect(ev('user.nested?.x.y', env)).toBe(null);
    expect(ev('user?.name', env)).toBe('Ann');
    expect(ev('user.nested?.[0]', env)).toBe(null);
    expect(errorOf(() => ev('user.nested.x', env)).message).toBe('cannot fetch x from <nil> at column 13');
  });

  it('slices', () => {
    expect(ev('list[1:3]', env)).toEqual([20, 30]);
    expect(ev('list[1:-1]', env)).toEqual([20, 30]);
    expect(ev('list[:2]', env)).toEqual([10, 20]);
    expect(ev('list[2:]', env)).toEqual([30, 40]);
    expect(ev('list[:]', env)).toEqual([10, 20, 30, 40]);
    expect(ev('list[3:1]', env)).toEqual([]);
    expect(ev('"hello"[1:3]')).toBe('el');
  });

  it('index errors', () => {
    expect(errorOf(() => ev('list[4]', env)).message).toContain('index out of range: 4 (array length is 4)');
    expect(errorOf(() => ev('list.x', env)).message).toContain('cannot fetch x from []interface {}');
  });

  it('methods on times and durations', () => {
    const e = { t: new Date('2024-03-05T06:07:08Z') };
    expect(ev('t.Year()', e)).toBe(2024);
    expect(ev('t.Month()', e)).toBe(3);
    expect(ev('t.Format("2006-01-02")', e)).toBe('2024-03-05');
    expect(ev('duration("1h30m").Minutes()')).toBe(90);
    expect(ev('(t - date("2024-03-05")).Hours() > 6', e)).toBe(true);
    expect(ev('t + duration("1h") > t', e)).toBe(true);
    expect(ev('duration("90s")')).toEqual(new GoDuration(90e9));
  });

  it('calls env functions and reports non-callables', () => {
    expect(ev('f(2, 3)', { f: (a: number, b: number) => a * b })).toBe(6);
    expect(errorOf(() => ev('x()', { x: 1 })).message).toBe('x is not callable (type int) at column 1');
    expect(errorOf(() => ev('f()', { f: () => { throw new Error('boom'); } })).message).toBe('boom at column 1');
  });
});

describe('closures, let and pipes', () => {
  const users = [
    { name: 'a', age: 30 },
    { name: 'b', age: 15 },
    { name: 'c', age: 20 },
  ];

  it('predicates with #, .field, #index and #acc', () => {
    expect(ev('filter(users, .age > 18)', { users })).toEqual([users[0], users[2]]);
    expect(ev('map(users, {#.name})', { users })).toEqual(['a', 'b', 'c']);
    expect(ev('map(users, #index)', { users })).toEqual([0, 1, 2]);
    expect(ev('reduce(1..4, #acc + #)')).toBe(10);
    expect(ev('reduce(1..4, #acc + #, 10)')).toBe(20);
    expect(ev('reduce([], #acc, 0)')).toBe(0);
    expect(errorOf(() => ev('reduce([], #acc)')).message).toContain('reduce of empty array with no initial value');
    expect(ev('map([[1, 2], [3]], {map(#, # * 10)})')).toEqual([[10, 20], [30]]);
  });

  it('let bindings shadow and sequence', () => {
    expect(ev('let x = 1; x + 1')).toBe(2);
    expect(ev('let x = 1; let y = x * 3; y - x')).toBe(2);
    expect(ev('let x = 5; map([1], { let x = # * 2; x })', {})).toEqual([2]);
    expect(ev('1; 2; 3')).toBe(3);
  });

  it('pipes pass the left side as the first argument', () => {
    expect(ev('"Hello World" | lower() | split(" ")')).toEqual(['hello', 'world']);
    expect(ev('[1, 2, 3] | filter(# > 1) | map(# * 2)')).toEqual([4, 6]);
    expect(ev('x | f(1)', { x: 10, f: (a: number, b: number) => a - b })).toBe(9);
  });

  it('# outside a predicate is a syntax error', () => {
    expect(errorOf(() => parseExpr('# + 1')).message).toBe("unexpected token '#' at column 1");
  });
});

describe('unknown names and syntax errors', () => {
  it('rejects unknown identifiers before evaluating', () => {
    expect(errorOf(() => ev('true || missing')).message).toBe('unknown name missing at column 9');
    expect(errorOf(() => ev('foo()')).message).toBe('unknown name foo at column 1');
    expect(ev('let missing = 1; missing')).toBe(1);
  });

  it('reports positions', () => {
    const cases: [string, string][] = [
      ['(1 + 2', 'unexpected end of expression at column 7'],
      ['1 + )', "unexpected token ')' at column 5"],
      ['[1, 2', 'unexpected end of expression at column 6'],
      ['"abc', 'literal not terminated at column 1'],
      ['1 @ 2', "unrecognized character '@' at column 3"],
      ['12abc', 'bad number syntax: "12a" at column 1'],
      ['a.', 'expected name at column 3'],
      ['filter([1])', 'expected at least 2 arguments at column 11'],
      ['{a 1}', "unexpected token '1' at column 4"],
      ['1\n+ )', "unexpected token ')' at line 2, column 3"],
      ['9223372036854775808', 'integer literal is too large at column 1'],
      ['/* open', 'unclosed comment at column 1'],
      ['"\\q"', 'unable to unescape string at column 2'],
    ];
    for (const [src, message] of cases) {
      const err = errorOf(() => parseExpr(src));
      expect(err.message).toBe(message);
      expect(err.source).toBe(src);
    }
  });

  it('names with a dash must be bracketed', () => {
    expect(errorOf(() => ev('a.b-c', { a: { 'b-c': 1 } })).message).toBe('unknown name c at column 5');
    expect(ev("a['b-c']", { a: { 'b-c': 1 } })).toBe(1);
  });

  it('lists free names and accepts a parsed AST', () => {
    const ast = parseExpr('let y = x; y + z.w + len(q)');
    expect(freeNames(ast)).toEqual(['x', 'z', 'q']);
    expect(evaluateExpr(ast, { x: 1, z: { w: 2 }, q: 'abc' })).toBe(6);
  });
});
