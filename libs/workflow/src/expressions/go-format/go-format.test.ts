import { describe, expect, it } from 'vitest';
import { formatGoTime, GoDuration, goJsonMarshal, goSprintf, parseGoTime, STRFTIME_CHARS, strftimeChar } from './index.js';
import { formatGoValue } from './value.js';

describe('goSprintf', () => {
  it('loops-sequence formats', () => {
    expect([0, 1, 2, 3, 4].map((i) => goSprintf('%02X', i))).toEqual(['00', '01', '02', '03', '04']);
    expect(goSprintf('testuser%02X', 10)).toBe('testuser0A');
    expect(goSprintf('%d', 5)).toBe('5');
  });

  it.each([
    ['%d|%5d|%-5d|%05d', [42, 42, 42, -42], '42|   42|42   |-0042'],
    ['%+d % d', [5, 5], '+5  5'],
    ['%.3d', [7], '007'],
    ['%x %X %o %O %b', [255, 255, 8, 8, 5], 'ff FF 10 0o10 101'],
    ['%#x %#o', [255, 8], '0xff 010'],
    ['%x', [-255], '-ff'],
    ['%c%c', [72, 105], 'Hi'],
    ['%U', [0x1f600], 'U+1F600'],
    ['%f|%.2f|%05.2f|%8.3f|%-8.1f|', [3.14159, 3.14159, 3.14159, 3.14159, 3.14159], '3.141590|3.14|03.14|   3.142|3.1     |'],
    ['%e %E %.2e', [123456.789, 0.000123, 0], '1.234568e+05 1.230000E-04 0.00e+00'],
    ['%g %g %g %g', [100000, 1000000, 0.0001, 0.00001], '100000 1e+06 0.0001 1e-05'],
    ['%v %v %v %v', [1.5, 'a', true, null], '1.5 a true <nil>'],
    ['%v', [[1, 'b', [2]]], '[1 b [2]]'],
    ['%v', [{ b: 2, a: 1 }], 'map[a:1 b:2]'],
    ['%s|%10s|%-4s|%.2s', ['abc', 'abc', 'ab', 'abc'], 'abc|       abc|ab  |ab'],
    ['%q', ['a"b\n'], '"a\\"b\\n"'],
    ['%x % x', ['hi', 'hi'], '6869 68 69'],
    ['%t', [false], 'false'],
    ['%T %T %T', [1, 1.5, 'x'], 'int float64 string'],
    ['%d%%', [50], '50%'],
    ['%[2]d %[1]d', [1, 2], '2 1'],
    ['%*d', [4, 7], '   7'],
  ])('%s', (format, args, expected) => {
    expect(goSprintf(format, ...args)).toBe(expected);
  });

  it('marks bad verbs, missing and extra arguments like Go', () => {
    expect(goSprintf('%d', 'abc')).toBe('%!d(string=abc)');
    expect(goSprintf('%d', 1.5)).toBe('%!d(float64=1.5)');
    expect(goSprintf('%s', 5)).toBe('%!s(int=5)');
    expect(goSprintf('%d %d', 1)).toBe('1 %!d(MISSING)');
    expect(goSprintf('%d', 1, 'x')).toBe('1%!(EXTRA string=x)');
    expect(goSprintf('%z', 1)).toBe('%!z(int=1)');
    expect(goSprintf('100%')).toBe('100%!(NOVERB)');
  });
});

describe('Go time layouts', () => {
  const t = new Date('2024-03-05T16:07:08.123Z');

  it('formats every element', () => {
    expect(formatGoTime(t, '2006-01-02T15:04:05Z07:00')).toBe('2024-03-05T16:07:08Z');
    expect(formatGoTime(t, 'Mon Monday Jan January 1 01 2 _2 02 __2 002')).toBe('Tue Tuesday Mar March 3 03 5  5 05  65 065');
    expect(formatGoTime(t, '3 03 15 4 04 5 05 PM pm 06')).toBe('4 04 16 7 07 8 08 PM pm 24');
    expect(formatGoTime(t, '.000 .999 ,00 .0')).toBe('.123 .123 ,12 .1');
    expect(formatGoTime(new Date('2024-03-05T16:07:08Z'), '05.999|')).toBe('08|');
    expect(formatGoTime(t, 'MST -0700 -07:00 -07 Z0700 Z07:00')).toBe('UTC +0000 +00:00 +00 Z Z');
    expect(formatGoTime(t, 'Janet')).toBe('Janet');
    expect(formatGoTime(t, '15:04 MST', 'America/New_York')).toBe('11:07 EST');
  });

  it('parses layouts', () => {
    expect(parseGoTime('2024-03-05T16:07:08.5+01:00', '2006-01-02T15:04:05Z07:00')?.toISOString()).toBe('2024-03-05T15:07:08.500Z');
    expect(parseGoTime('05 Mar 24 16:07 UTC', '02 Jan 06 15:04 MST')?.toISOString()).toBe('2024-03-05T16:07:00.000Z');
    expect(parseGoTime('4:05PM', '3:04PM')?.getUTCHours()).toBe(16);
    expect(parseGoTime('2024-13-01', '2006-01-02')).toBeUndefined();
    expect(parseGoTime('2024-01-01x', '2006-01-02')).toBeUndefined();
  });

  it('strftime characters Argo exposes', () => {
    expect(Object.keys(STRFTIME_CHARS).sort().join('')).toBe('ABHILMSYZabdmpyz');
    const expected: Record<string, string> = {
      Y: '2024', y: '24', m: '03', d: '05', H: '16', I: '04', M: '07', S: '08', b: 'Mar', B: 'March',
      a: 'Tue', A: 'Tuesday', p: 'PM', Z: 'UTC', z: '+0000', L: '.123',
    };
    for (const [c, v] of Object.entries(expected)) expect(strftimeChar(c, t), c).toBe(v);
    expect(strftimeChar('j', t)).toBeUndefined();
  });
});

describe('Go values', () => {
  it('json.Marshal', () => {
    expect(goJsonMarshal({ b: [1, 2.5, null], a: 'x<y>&\u2028\b' })).toBe('{"a":"x\\u003cy\\u003e\\u0026\\u2028\\u0008","b":[1,2.5,null]}');
    expect(goJsonMarshal(new Date('2024-01-02T03:04:05.600Z'))).toBe('"2024-01-02T03:04:05.6Z"');
    expect(goJsonMarshal(1e21)).toBe('1e+21');
    expect(goJsonMarshal({ a: {} , b: [] }, '  ')).toBe('{\n  "a": {},\n  "b": []\n}');
    expect(() => goJsonMarshal(NaN)).toThrow('unsupported value');
  });

  it('fmt %v and durations', () => {
    expect(formatGoValue(1e6 + 0.5)).toBe('1.0000005e+06');
    expect(formatGoValue(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02 03:04:05 +0000 UTC');
    expect(new GoDuration(3723.5e9).String()).toBe('1h2m3.5s');
    expect(new GoDuration(1.5e6).String()).toBe('1.5ms');
    expect(GoDuration.parse('1h30m')?.Minutes()).toBe(90);
    expect(GoDuration.parse('-1.5s')?.nanoseconds).toBe(-1.5e9);
    expect(GoDuration.parse('10')).toBeUndefined();
  });
});
