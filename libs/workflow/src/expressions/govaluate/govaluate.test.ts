import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../error.js';
import { evaluateWhen, evaluateWhenAst, parseWhen } from './index.js';

const value = (src: string): unknown => evaluateWhenAst(parseWhen(src));

function errorOf(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    return err as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('govaluate when: the examples after substitution', () => {
  it.each([
    ['heads == heads', true],
    ['tails == heads', false],
    ['Failed == Failed', true],
    ['Succeeded != Succeeded', false],
    ['even == even', true],
    ['true == true', true],
    ['false == true', false],
    ['YES == YES', true],
    ['3 < 10', true],
    ['10 < 10', false],
    ['5 != 1 && 5 != 2', true],
    ['1 != 1 && 1 != 2', false],
    ['( heads == heads && tails == tails ) || ( heads == tails && tails == tails )', true],
    ['( tails == heads && heads == tails ) || ( tails == tails && heads == tails )', false],
    ['heads =~ hea', true],
    ['tails =~ hea', false],
    ['tails !~ hea', true],
    ['false', false],
    ['true', true],
  ])('%s → %s', (src, expected) => {
    expect(evaluateWhen(src)).toBe(expected);
  });
});

describe('govaluate values and operators', () => {
  it('numbers are float64 and compare numerically', () => {
    expect(value('1 < 10')).toBe(true);
    expect(value('2 > 10')).toBe(false);
    expect(value('01 == 1')).toBe(true);
    expect(value('1.5 >= 1.5')).toBe(true);
    expect(value('.5 <= 0.5')).toBe(true);
    expect(value('0x1F == 31')).toBe(true);
  });

  it('strings compare lexically; mixed kinds never equal', () => {
    expect(value("'abc' < 'abd'")).toBe(true);
    expect(value('b > a')).toBe(true);
    expect(value("1 == '1'")).toBe(false);
    expect(value("'' == ''")).toBe(true);
    expect(value('"double" == \'double\'')).toBe(true);
    expect(errorOf(() => value("1 < 'a'")).message).toContain("cannot be used with the comparator '<'");
  });

  it('arithmetic, precedence and associativity', () => {
    expect(value('1 + 2 * 3')).toBe(7);
    expect(value('(1 + 2) * 3')).toBe(9);
    expect(value('10 - 4 - 3')).toBe(3);
    expect(value('2 ** 3 ** 2')).toBe(64);
    expect(value('-2 ** 2')).toBe(4);
    expect(value('7 % 4')).toBe(3);
    expect(value('7 / 2')).toBe(3.5);
    expect(value('6 & 3 | 8')).toBe(10);
    expect(value('1 << 4 >> 2')).toBe(4);
    expect(value('5 ^ 1')).toBe(4);
    expect(value('~0')).toBe(-1);
    expect(value('!true')).toBe(false);
    expect(value('1 + 2 == 3 && !false')).toBe(true);
  });

  it('+ concatenates when either side is a string (floats print like Go %v)', () => {
    expect(value("'a' + 1")).toBe('a1');
    expect(value('a + b')).toBe('ab');
    expect(value("'n=' + 1000000")).toBe('n=1e+06');
  });

  it('ternary and coalesce', () => {
    expect(value("true ? 'yes' : 'no'")).toBe('yes');
    expect(value("false ? 'yes' : 'no'")).toBe('no');
    expect(value('false ? 1')).toBe(null);
    expect(value('(false ? 1) ?? 2')).toBe(2);
  });

  it('in (list)', () => {
    expect(value('heads in (heads, tails)')).toBe(true);
    expect(value('3 in (1, 2)')).toBe(false);
    expect(value('1, 2, 3')).toEqual([1, 2, 3]);
    expect(errorOf(() => value('1 in (1)')).message).toContain("comparator 'in'");
  });

  it('quoted dates become Unix seconds', () => {
    expect(value("'2021-01-01'")).toBe(1609459200);
    expect(value("'2021-01-01' < '2021-01-02'")).toBe(true);
    expect(value("'2021-01-01T00:00:00Z' == '2021-01-01'")).toBe(true);
  });
});

describe('govaluate bare-word rule and its edges', () => {
  it('unquoted 2021-01-01 is arithmetic', () => {
    expect(value('2021-01-01')).toBe(2019);
    expect(evaluateWhen('2021-01-01 == 2021-01-01')).toBe(true);
  });

  it('a hyphenated word is subtraction of strings, an error', () => {
    const err = errorOf(() => evaluateWhen('hello-world == hello-world'));
    expect(err.message).toContain("Value 'hello' cannot be used with the modifier '-', it is not a number");
  });

  it('a dotted word is an accessor that has no parameter', () => {
    expect(errorOf(() => evaluateWhen('v1.2 == v1.2')).message).toContain("No parameter 'v1' found.");
    expect(errorOf(() => parseWhen('steps.x.status == Failed')).message).toContain("unexported field 'x'");
  });

  it('bracketed names are words too', () => {
    expect(evaluateWhen('[a b] == [a b]')).toBe(true);
  });

  it('escapes drop the backslash', () => {
    expect(value("'it\\'s'")).toBe("it's");
    expect(value("'a\\nb'")).toBe('anb');
  });
});

describe('govaluate errors', () => {
  it('an empty substitution leaves a dangling operator', () => {
    const err = errorOf(() => evaluateWhen(' == heads'));
    expect(err.message).toBe('Cannot transition token types from UNKNOWN [<nil>] to COMPARATOR [==] at column 2');
    expect(err.offset).toBe(1);
  });

  it('reports invalid symbol runs, unbalanced parentheses and unclosed strings', () => {
    expect(errorOf(() => parseWhen('1 ==-1')).message).toBe("Invalid token: '==-' at column 3");
    expect(errorOf(() => parseWhen('(1 == 1')).message).toBe('Unbalanced parenthesis');
    expect(errorOf(() => parseWhen("'abc")).message).toContain('Unclosed string literal');
    expect(errorOf(() => parseWhen('1 ==')).message).toContain('Unexpected end of expression');
    expect(errorOf(() => parseWhen('foo(1)')).message).toContain('Undefined function foo');
    expect(errorOf(() => parseWhen('heads tails')).message).toContain('Cannot transition token types from VARIABLE [heads] to VARIABLE [tails]');
    expect(errorOf(() => parseWhen('-heads')).message).toContain('from PREFIX [-] to STRING [heads]');
    expect(errorOf(() => parseWhen('1.2.3 == 1')).message).toContain("Unable to parse numeric value '1.2.3'");
  });

  it('rejects bad regexps at parse time', () => {
    expect(errorOf(() => parseWhen("x =~ '('")).message).toContain('error parsing regexp');
  });

  it('requires a boolean result; empty is true', () => {
    expect(evaluateWhen('')).toBe(true);
    expect(errorOf(() => evaluateWhen('1 + 1')).message).toBe("Expected boolean evaluation for '1 + 1'. Got 2");
    expect(errorOf(() => evaluateWhen('heads')).message).toContain('Got heads');
    expect(errorOf(() => evaluateWhen('1 && true')).message).toContain("logical operator '&&'");
  });

  it('short-circuits before type checks', () => {
    expect(evaluateWhen('false && 1')).toBe(false);
    expect(evaluateWhen('true || 1')).toBe(true);
  });
});

describe('Go regexps', () => {
  it('supports RE2 features', () => {
    expect(evaluateWhen("abc =~ '^a.c$'")).toBe(true);
    expect(evaluateWhen("ABC =~ '(?i)abc'")).toBe(true);
    expect(evaluateWhen("v1 =~ '^v[[:digit:]]+$'")).toBe(true);
    expect(evaluateWhen("'a\\\\b' =~ '\\\\Qa\\\\b\\\\E'")).toBe(true);
    expect(evaluateWhen("'x_y' =~ '(?P<first>x)_y'")).toBe(true);
  });
});
