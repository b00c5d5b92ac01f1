import { describe, expect, it } from 'vitest';
import { goJsonSyntaxError } from './json-syntax.js';

describe('goJsonSyntaxError: Go encoding/json syntax errors, word for word', () => {
  it('accepts valid JSON', () => {
    for (const text of ['1', ' "x" ', '{"a":[1,2.5e3,-0.1E-2,true,false,null]}', '[]', '{}', '"\\u00e9\\n"', 'null\n']) {
      expect(goJsonSyntaxError(text), text).toBeUndefined();
    }
  });

  it.each([
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['[1', 'unexpected end of JSON input'],
    ['{"a"', 'unexpected end of JSON input'],
    ['"abc', 'unexpected end of JSON input'],
    ['hello', "invalid character 'h' looking for beginning of value"],
    ['tails', "invalid character 'a' in literal true (expecting 'r')"],
    ['nope', "invalid character 'o' in literal null (expecting 'u')"],
    ['fals', "invalid character ' ' in literal false (expecting 'e')"],
    ['1 2', "invalid character '2' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['-', "invalid character ' ' in numeric literal"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.', "invalid character ' ' after decimal point in numeric literal"],
    ['1.e5', "invalid character 'e' after decimal point in numeric literal"],
    ['1e+', "invalid character ' ' in exponent of numeric literal"],
    ['"a\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ["'x'", "invalid character '\\'' looking for beginning of value"],
  ])('%j → %s', (text, message) => {
    expect(goJsonSyntaxError(text)).toBe(message);
  });
});
