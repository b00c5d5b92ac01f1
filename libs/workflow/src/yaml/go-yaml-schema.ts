/**
 * Scalar resolution compatible with how Argo reads YAML: sigs.k8s.io/yaml on top of go-yaml v2,
 * which is YAML 1.1-ish. Starting from the `yaml` package's YAML 1.1 schema:
 * - `0755` is octal (493) — already YAML 1.1; `0o755` is octal too (Go's `strconv.ParseInt(s, 0, 64)`);
 * - floats need a digit (go-yaml's `yamlStyleFloat`): a lone `.` stays a string, not NaN;
 * - `1:20` stays a string (go-yaml v2 has no base-60 numbers);
 * - `2001-12-14` stays a string: Go would turn it into an RFC 3339 timestamp string, and keeping
 *   what the author wrote is the safer reading for the few string fields where this could occur.
 * Quoted scalars are never resolved, so `"0755"` stays a string.
 */
import type { ScalarTag, Tags } from 'yaml';

const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

export const GO_OCTAL = /^[-+]?0o[0-7_]+$/;
export const GO_SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
export const GO_FLOAT = /^[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/;

export function resolveGoOctal(str: string): number {
  const negative = str.startsWith('-');
  const digits = str.replace(/^[-+]?0o/, '').replace(/_/g, '');
  const n = parseInt(digits, 8);
  return negative ? -n : n;
}

export function resolveGoSpecialFloat(str: string): number {
  return str.endsWith('nan') || str.endsWith('NaN') || str.endsWith('NAN') ? NaN : str.startsWith('-') ? -Infinity : Infinity;
}

const goOctal: ScalarTag = {
  identify: (value) => Number.isInteger(value),
  default: true,
  tag: INT_TAG,
  format: 'OCT',
  test: GO_OCTAL,
  resolve: resolveGoOctal,
};

const goSpecialFloat: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: FLOAT_TAG,
  test: GO_SPECIAL_FLOAT,
  resolve: resolveGoSpecialFloat,
};

const goFloat: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: FLOAT_TAG,
  test: GO_FLOAT,
  resolve: (str) => parseFloat(str.replace(/_/g, '')),
};

function isDropped(tag: Tags[number]): boolean {
  if (typeof tag !== 'object') return false;
  if (tag.tag === 'tag:yaml.org,2002:timestamp' || tag.tag === FLOAT_TAG) return true;
  return tag.format === 'TIME';
}

/** `customTags` for `yaml`'s YAML 1.1 schema, giving Go-compatible scalars. */
export function goYamlTags(tags: Tags): Tags {
  return [...tags.filter((t) => !isDropped(t)), goOctal, goSpecialFloat, goFloat];
}
