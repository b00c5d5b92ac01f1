import { describe, expect, it } from 'vitest';
import { PLAIN_BUILTINS, PREDICATE_BUILTINS } from './ast.js';
import { BUILTINS } from './builtins.js';
import { argoExprEnv, evaluateExpr, expandDottedKeys } from './index.js';
import { castInt } from './sprig.js';

const ev = (src: string, vars: Record<string, unknown> = {}): unknown => evaluateExpr(src, argoExprEnv(vars));

describe('sprig via argoExprEnv', () => {
  it.each([
    ['sprig.trim("  a ")', 'a'],
    ['sprig.upper("a")', 'A'],
    ['sprig.lower("A")', 'a'],
    ['sprig.title("hello wide world")', 'Hello Wide World'],
    ['sprig.replace("a", "b", "banana")', 'bbnbnb'],
    ['sprig.splitList(",", "a,b")', ['a', 'b']],
    ['sprig.split("/", "a/b")', { _0: 'a', _1: 'b' }],
    ['sprig.join("-", ["a", 1, nil, "c"])', 'a-1-c'],
    ['sprig.default("d", "")', 'd'],
    ['sprig.default("d", "x")', 'x'],
    ['sprig.default("d", 0)', 'd'],
    ['sprig.empty("")', true],
    ['sprig.empty([1])', false],
    ['sprig.coalesce("", nil, "z")', 'z'],
    ['sprig.int("42")', 42],
    ['sprig.int("0x10")', 16],
    ['sprig.int("5.0")', 5],
    ['sprig.int("abc")', 0],
    ['sprig.float64("1.5")', 1.5],
    ['sprig.atoi("12")', 12],
    ['sprig.atoi("x")', 0],
    ['sprig.toString(12)', '12'],
    ['sprig.add(1, "2", 3.9)', 6],
    ['sprig.add1(1)', 2],
    ['sprig.sub(5, 2)', 3],
    ['sprig.mul(2, 3, 4)', 24],
    ['sprig.div(7, 2)', 3],
    ['sprig.mod(7, 4)', 3],
    ['sprig.max(1, 9, 3)', 9],
    ['sprig.min(4, 2, 8)', 2],
    ['sprig.maxf(1.5, 2.5)', 2.5],
    ['sprig.addf(1.5, 1)', 2.5],
    ['sprig.round(3.14159, 2)', 3.14],
    ['sprig.ceil(1.1)', 2],
    ['sprig.floor(1.9)', 1],
    ['sprig.b64enc("hi")', 'aGk='],
    ['sprig.b64dec("aGk=")', 'hi'],
    ['sprig.b64dec("###")', 'illegal base64 data at input byte 0'],
    ['sprig.sha256sum("abc")', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['sprig.sha1sum("abc")', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['sprig.adler32sum("Wikipedia")', '300286872'],
    ['sprig.regexMatch("^[a-z]+[0-9]$", "abc1")', true],
    ['sprig.regexMatch("(", "x")', false],
    ['sprig.regexFind("[0-9]+", "ab12cd34")', '12'],
    ['sprig.regexFindAll("[0-9]+", "ab12cd34", -1)', ['12', '34']],
    ['sprig.regexReplaceAll("a(x*)b", "-ab-axxb-", "${1}W")', '-W-xxW-'],
    ['sprig.regexReplaceAllLiteral("a(x*)b", "-ab-", "${1}")', '-${1}-'],
    ['sprig.regexSplit("z+", "pizza", -1)', ['pi', 'a']],
    ['sprig.regexSplit("a", "banana", 2)', ['b', 'nana']],
    ['sprig.contains("cat", "catch")', true],
    ['sprig.hasPrefix("ca", "cat")', true],
    ['sprig.hasSuffix("at", "cat")', true],
    ['sprig.list(1, "a")', [1, 'a']],
    ['sprig.dict("a", 1, "b")', { a: 1, b: '' }],
    ['sprig.first([1, 2])', 1],
    ['sprig.last([1, 2])', 2],
    ['sprig.rest([1, 2, 3])', [2, 3]],
    ['sprig.initial([1, 2, 3])', [1, 2]],
    ['sprig.append([1], 2)', [1, 2]],
    ['sprig.prepend([1], 0)', [0, 1]],
    ['sprig.uniq([1, 1, 2])', [1, 2]],
    ['sprig.without([1, 2, 3], 2)', [1, 3]],
    ['sprig.has(2, [1, 2])', true],
    ['sprig.compact(["a", "", nil, 0, "b"])', ['a', 'b']],
    ['sprig.hasKey({a: 1}, "a")', true],
    ['sprig.get({a: 1}, "b")', ''],
    ['sprig.pluck("a", {a: 1}, {b: 2}, {a: 3})', [1, 3]],
    ['sprig.merge({a: 1, n: {x: 1}}, {a: 2, b: 3, n: {y: 2}})', { a: 1, b: 3, n: { x: 1, y: 2 } }],
    ['sprig.mergeOverwrite({a: 1}, {a: 2})', { a: 2 }],
    ['sprig.ternary("yes", "no", true)', 'yes'],
    ['sprig.ternary("yes", "no", false)', 'no'],
    ['sprig.quote("a\\"b", 1)', '"a\\"b" "1"'],
    ['sprig.squote("a")', "'a'"],
    ['sprig.cat("a", nil, 1)', 'a 1'],
    ['sprig.trunc(3, "abcdef")', 'abc'],
    ['sprig.trunc(-2, "abcdef")', 'ef'],
    ['sprig.repeat(3, "ab")', 'ababab'],
    ['sprig.nospace("a b\\tc")', 'abc'],
    ['sprig.indent(2, "a\\nb")', '  a\n  b'],
    ['sprig.nindent(1, "a")', '\n a'],
    ['sprig.substr(1, 3, "abcdef")', 'bc'],
    ['sprig.until(3)', [0, 1, 2]],
    ['sprig.untilStep(0, 10, 4)', [0, 4, 8]],
    ['sprig.seq(3)', '1 2 3'],
    ['sprig.seq(2, 4)', '2 3 4'],
    ['sprig.seq(5, -2, 1)', '5 3 1'],
    ['sprig.toJson({b: 1, a: "<"})', '{"a":"\\u003c","b":1}'],
    ['sprig.toRawJson({a: "<"})', '{"a":"<"}'],
    ['sprig.toPrettyJson([1])', '[\n  1\n]'],
    ['sprig.fromJson("{\\"a\\": 1}")', { a: 1 }],
    ['sprig.fromJson("nope")', null],
    ['sprig.kindOf([1])', 'slice'],
    ['sprig.typeOf("a")', 'string'],
    ['sprig.base("/a/b.txt")', 'b.txt'],
    ['sprig.dir("/a/b.txt")', '/a'],
    ['sprig.ext("/a/b.txt")', '.txt'],
    ['sprig.snakecase("HelloWorld")', 'hello_world'],
    ['sprig.camelcase("hello_world")', 'HelloWorld'],
    ['sprig.plural("one", "many", 2)', 'many'],
  ])('%s', (src, expected) => {
    expect(ev(src)).toEqual(expected);
  });

  it('formats dates with Go layouts', () => {
    const t = new Date('2024-02-03T04:05:06.789Z');
    expect(ev('sprig.date("2006", t)', { t })).toBe('2024');
    expect(ev('sprig.date("2006-01-02T15:04:05.000Z07:00 Mon Jan", t)', { t })).toBe('2024-02-03T04:05:06.789Z Sat Feb');
    expect(ev('sprig.date("2006-01-02", 0)')).toBe('1970-01-01');
    expect(ev('sprig.date("2006", "2023-12-31T23:00:00Z")')).toBe('2023');
    expect(ev('sprig.dateInZone("15:04 MST", t, "UTC")', { t })).toBe('04:05 UTC');
    expect(ev('sprig.dateInZone("2006-01-02 15:04 -07:00", t, "Asia/Tokyo")', { t })).toBe('2024-02-03 13:05 +09:00');
    expect(ev('sprig.htmlDate(t)', { t })).toBe('2024-02-03');
    expect(ev('sprig.unixEpoch(t)', { t })).toBe('1706933106');
    expect(ev('sprig.toDate("2006-01-02", "2024-05-06").Year()')).toBe(2024);
    expect(ev('sprig.duration(95)')).toBe('1m35s');
    expect(() => ev('sprig.date("2006", "not a time")')).toThrow('cannot use string not a time as a time');
  });

  it('reports wrong argument types and fail()', () => {
    expect(() => ev('sprig.upper(1)')).toThrow('sprig.upper: expected a string argument, got int');
    expect(() => ev('sprig.fail("stop")')).toThrow('stop at column 7');
  });
});

describe('Argo helpers', () => {
  it('asInt, asFloat, toJson, jsonpath', () => {
    expect(ev('asInt("5") + 1')).toBe(6);
    expect(ev('asFloat("2.5") * 2')).toBe(5);
    expect(() => ev('asInt("5.5")')).toThrow('invalid operation: int(5.5)');
    expect(ev('toJson({b: [1, 2], a: nil})')).toBe('{"a":null,"b":[1,2]}');
    expect(ev('jsonpath(\'{"a": {"b": [1, 2]}}\', "$.a.b[1]")')).toBe(2);
    expect(() => ev('jsonpath("{", "$")')).toThrow('jsonpath: invalid JSON');
    expect(() => ev('jsonpath(\'{"a": 1}\', "$.b")')).toThrow("key 'b' not found");
  });

  it('expands dotted keys like Argo', () => {
    expect(expandDottedKeys({ 'a.b': 1, 'a.c.d': 2, x: 3 })).toEqual({ a: { b: 1, c: { d: 2 } }, x: 3 });
    expect(expandDottedKeys({ a: 'flat', 'a.b': 1 })).toEqual({ a: { b: 1 } });
    expect(ev('workflow.name', { 'workflow.name': 'w' })).toBe('w');
  });

  it('helpers override variables of the same name', () => {
    expect(typeof argoExprEnv({ toJson: 'x' }).toJson).toBe('function');
  });
});

describe('cast.ToInt64', () => {
  it.each([
    [3.9, 3],
    [-3.9, -3],
    ['010', 8],
    ['0b11', 3],
    ['-7', -7],
    ['', 0],
    [true, 1],
    [null, 0],
  ])('%s → %s', (input, expected) => {
    expect(castInt(input)).toBe(expected);
  });
});

it('every builtin the parser knows has an implementation', () => {
  for (const name of [...PLAIN_BUILTINS, ...Object.keys(PREDICATE_BUILTINS)]) {
    expect(typeof BUILTINS[name], name).toBe('function');
  }
});
