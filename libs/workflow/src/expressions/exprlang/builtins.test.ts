import { describe, expect, it } from 'vitest';
import { evaluateExpr } from './index.js';

const ev = (src: string, env: Record<string, unknown> = {}): unknown => evaluateExpr(src, env);

describe('expr-lang builtins', () => {
  it.each([
    ['len("héllo")', 5],
    ['len([1, 2])', 2],
    ['len({a: 1})', 1],
    ['all([2, 4], # % 2 == 0)', true],
    ['all([], false)', true],
    ['any([1, 2], # > 1)', true],
    ['any([], true)', false],
    ['none([1, 2], # > 2)', true],
    ['one([1, 2, 3], # > 2)', true],
    ['one([1, 2, 3], # > 1)', false],
    ['count([1, 2, 3], # > 1)', 2],
    ['count([true, false, true])', 2],
    ['find([1, 2, 3, 4], # > 2)', 3],
    ['find([1], # > 2)', null],
    ['findIndex([1, 2, 3, 4], # > 2)', 2],
    ['findLast([1, 2, 3, 4], # > 2)', 4],
    ['findLastIndex([1, 2, 3, 4], # > 2)', 3],
    ['findIndex([1], # > 2)', -1],
    ['groupBy([1, 2, 3, 4], # % 2 == 0)', { false: [1, 3], true: [2, 4] }],
    ['sortBy([{n: 2}, {n: 1}], .n)', [{ n: 1 }, { n: 2 }]],
    ['sortBy([{n: 2}, {n: 1}, {n: 3}], .n, "desc")', [{ n: 3 }, { n: 2 }, { n: 1 }]],
    ['sort([3, 1, 2])', [1, 2, 3]],
    ['sort(["b", "a"], "desc")', ['b', 'a']],
    ['sum([1, 2, 3])', 6],
    ['sum([1.5, 2])', 3.5],
    ['sum([{v: 1}, {v: 2}], .v)', 3],
    ['sum([])', 0],
    ['mean([1, 2, 3, 4])', 2.5],
    ['median([3, 1, 2])', 2],
    ['median([4, 1, 3, 2])', 2.5],
    ['max(5, 7)', 7],
    ['max([1, 9, 3])', 9],
    ['min(5, [2, 8])', 2],
    ['abs(-5)', 5],
    ['ceil(1.2)', 2],
    ['floor(-1.2)', -2],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['int(3.7)', 3],
    ['int(-3.7)', -3],
    ['int("42")', 42],
    ['float("1.5")', 1.5],
    ['float(2)', 2],
    ['string(42)', '42'],
    ['string(1.5)', '1.5'],
    ['string([1, "a"])', '[1 a]'],
    ['string({b: 1, a: true})', 'map[a:true b:1]'],
    ['string(nil)', '<nil>'],
    ['trim("  hi  ")', 'hi'],
    ['trim("__hi__", "_")', 'hi'],
    ['trimPrefix("HelloWorld", "Hello")', 'World'],
    ['trimSuffix("HelloWorld", "World")', 'Hello'],
    ['upper("abc")', 'ABC'],
    ['lower("ABC")', 'abc'],
    ['split("a,b,c", ",")', ['a', 'b', 'c']],
    ['split("a,b,c", ",", 2)', ['a', 'b,c']],
    ['split("abc", "")', ['a', 'b', 'c']],
    ['splitAfter("a,b,c", ",")', ['a,', 'b,', 'c']],
    ['splitAfter("a,b,c", ",", 2)', ['a,', 'b,c']],
    ['replace("Hello World", "World", "Universe")', 'Hello Universe'],
    ['replace("aaa", "a", "b", 2)', 'bba'],
    ['replace("ab", "", "-")', '-a-b-'],
    ['repeat("Hi", 3)', 'HiHiHi'],
    ['indexOf("apple pie", "pie")', 6],
    ['indexOf("é pie", "pie")', 3],
    ['lastIndexOf("apple pie apple", "apple")', 10],
    ['hasPrefix("HelloWorld", "Hello")', true],
    ['hasSuffix("HelloWorld", "World")', true],
    ['join(["a", "b"], ",")', 'a,b'],
    ['join(["a", "b"])', 'ab'],
    ['keys({a: 1, b: 2})', ['a', 'b']],
    ['values({a: 1, b: 2})', [1, 2]],
    ['toPairs({a: 1})', [['a', 1]]],
    ['fromPairs([["a", 1]])', { a: 1 }],
    ['first([1, 2])', 1],
    ['first([])', null],
    ['last([1, 2])', 2],
    ['get([1, 2, 3], 1)', 2],
    ['get([1, 2, 3], 5)', null],
    ['get({a: 1}, "a")', 1],
    ['get({a: 1}, "b")', null],
    ['take([1, 2, 3], 2)', [1, 2]],
    ['reverse([1, 2, 3])', [3, 2, 1]],
    ['uniq([1, 2, 1, 2.0, 3])', [1, 2, 3]],
    ['concat([1], [2, 3], [])', [1, 2, 3]],
    ['flatten([1, [2, [3, [4]]]])', [1, 2, 3, 4]],
    ['type(1)', 'int'],
    ['type(1.5)', 'float'],
    ['type("")', 'string'],
    ['type([])', 'array'],
    ['type({})', 'map'],
    ['type(nil)', 'nil'],
    ['type(true)', 'bool'],
    ['toBase64("Hello World")', 'SGVsbG8gV29ybGQ='],
    ['fromBase64("SGVsbG8gV29ybGQ=")', 'Hello World'],
    ['fromJSON(\'{"a": [1, "x"]}\')', { a: [1, 'x'] }],
    ['toJSON({b: 1, a: [1, 2]})', '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}'],
    ['toJSON("<&>")', '"\\u003c\\u0026\\u003e"'],
    ['bitand(0b1010, 0b1100)', 8],
    ['bitor(0b1010, 0b1100)', 14],
    ['bitxor(0b1010, 0b1100)', 6],
    ['bitnand(0b1010, 0b1100)', 2],
    ['bitnot(0b1010)', -11],
    ['bitshl(0b101101, 2)', 180],
    ['bitshr(0b101101, 2)', 11],
    ['bitushr(-5, 2)', 4611686018427387902],
    ['date("2023-08-14").Day()', 14],
    ['date("2023-08-14 10:11:12").Hour()', 10],
    ['date("14/08/2023", "02/01/2006").Month()', 8],
    ['date("2023-08-14T00:00:00+02:00").Format("2006-01-02T15:04Z07:00")', '2023-08-13T22:00Z'],
  ])('%s', (src, expected) => {
    expect(ev(src)).toEqual(expected);
  });

  it('rejects bad arguments', () => {
    expect(() => ev('len(1)')).toThrow('invalid argument for len (type int)');
    expect(() => ev('int("3.5")')).toThrow('invalid operation: int(3.5)');
    expect(() => ev('float("x")')).toThrow('invalid operation: float(x)');
    expect(() => ev('upper(1)')).toThrow('invalid argument for upper (type int)');
    expect(() => ev('join([1], ",")')).toThrow('invalid argument for join');
    expect(() => ev('filter([1, 2], # + 1)')).toThrow('predicate of filter must return bool (got int)');
    expect(() => ev('any(nil, true)')).toThrow('invalid argument for any (type <nil>)');
    expect(() => ev('fromBase64("!!")')).toThrow('illegal base64 data at input byte 0');
    expect(() => ev('repeat("a", -1)')).toThrow('expected positive integer');
    expect(() => ev('sort([1], "up")')).toThrow('invalid order');
    expect(() => ev('duration("5 minutes")')).toThrow('time: invalid duration "5 minutes"');
    expect(() => ev('1..2000000')).toThrow('memory budget exceeded');
  });

  it('builtins win over env entries of the same name', () => {
    expect(ev('len("ab")', { len: () => 99 })).toBe(2);
  });
});
