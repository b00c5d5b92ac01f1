/**
 * Scalars for the fast reader: plain scalars resolved as the `yaml` Composer resolves them with
 * our Go-compatible YAML 1.1 schema (go-yaml-schema.ts), without loading the `yaml` package;
 * quoted scalars on one line. `UNSURE` means "cannot decide here": the caller gives up and the full
 * reader reads the file. scalars.test.ts checks the resolution against the `yaml` package's.
 */
import { GO_FLOAT, GO_OCTAL, GO_SPECIAL_FLOAT, resolveGoOctal, resolveGoSpecialFloat } from '../go-yaml-schema.js';

/** Sentinel for "cannot decide here". */
export const UNSURE = Symbol('unsure');

/** The YAML 1.1 schema's `intResolve` (without BigInt: the option is not used). */
function intResolve(str: string, offset: number, radix: number): number {
  const sign = str[0];
  const digits = str.substring(sign === '-' || sign === '+' ? offset + 1 : offset).replace(/_/g, '');
  const n = parseInt(digits, radix);
  return sign === '-' ? -1 * n : n;
}

/**
 * The null and bool forms: every tag that a scalar starting with a letter or `~` can have (the
 * schema's first three tests, written out), so that names like `n12` or `noop` are told apart
 * with one lookup instead of a run through every test (≈ 5 ms of parsing a 1,000-task DAG).
 */
const WORDS: ReadonlyMap<string, null | boolean> = new Map<string, null | boolean>([
  ...['~', 'null', 'Null', 'NULL'].map((w) => [w, null] as const),
  ...['Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w) => [w, true] as const),
  ...['N', 'n', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w) => [w, false] as const),
]);

/**
 * The other tags of the schema that have a `test`, in the schema's order (the first match wins),
 * as [test, resolve]: the four YAML 1.1 ints, then go-yaml-schema's octal and floats (the YAML 1.1
 * floats and timestamps are dropped by go-yaml-schema). Each needs a sign, a dot or a digit first.
 */
const NUMBER_TAGS: readonly [RegExp, (s: string) => unknown][] = [
  [/^[-+]?0b[0-1_]+$/, (s) => intResolve(s, 2, 2)],
  [/^[-+]?0[0-7_]+$/, (s) => intResolve(s, 1, 8)],
  [/^[-+]?[0-9][0-9_]*$/, (s) => intResolve(s, 0, 10)],
  [/^[-+]?0x[0-9a-fA-F_]+$/, (s) => intResolve(s, 2, 16)],
  [GO_OCTAL, resolveGoOctal],
  [GO_SPECIAL_FLOAT, resolveGoSpecialFloat],
  [GO_FLOAT, (s) => parseFloat(s.replace(/_/g, ''))],
];

/** Anything that could be a number starts with one of these. */
const NUMBER_START = /^[-+.0-9]/;

/** The value of a plain scalar (`atKey`: as a mapping key). */
export function resolvePlain(source: string, atKey: boolean): unknown {
  if (source === '') return null;
  if (atKey && source === '<<') return UNSURE;
  const word = WORDS.get(source);
  if (word !== undefined) return word;
  if (!NUMBER_START.test(source)) return source;
  for (const [test, resolve] of NUMBER_TAGS) if (test.test(source)) return resolve(source);
  return source;
}

/** A double-quoted scalar's value when JSON reads it the same (YAML's escapes are a superset of JSON's). */
export function doubleQuoted(source: string): string | typeof UNSURE {
  if (!source.includes('\\')) return source.slice(1, -1);
  try {
    const value: unknown = JSON.parse(source);
    return typeof value === 'string' ? value : UNSURE;
  } catch {
    return UNSURE;
  }
}

export function singleQuoted(source: string): string {
  return source.slice(1, -1).replaceAll("''", "'");
}

/** End (exclusive) of a quoted scalar starting at `start` on a line ending at `end`; -1 if it does not close there. */
export function quotedEnd(text: string, start: number, end: number): number {
  const quote = text[start];
  for (let i = start + 1; i < end; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') {
      i++;
    } else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return -1;
}
