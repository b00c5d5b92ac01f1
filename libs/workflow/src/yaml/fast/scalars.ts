/**
 * Scalars for the fast reader: plain scalars resolved with the very tags (and in the same order)
 * the `yaml` Composer uses for our Go-compatible YAML 1.1 schema, quoted scalars on one line.
 * `undefined` means "not sure": the caller falls back to the full reader.
 */
import { Document, type ScalarTag } from 'yaml';
import { goYamlTags } from '../go-yaml-schema.js';

const MERGE_TAG = 'tag:yaml.org,2002:merge';

interface Resolver {
  tags: ScalarTag[];
  options: Document['options'];
}

let resolver: Resolver | undefined;

function getResolver(): Resolver {
  if (!resolver) {
    const doc = new Document(null, { version: '1.1', customTags: goYamlTags, uniqueKeys: false });
    const schema = doc.schema as unknown as { tags: ScalarTag[]; compat?: unknown };
    // A schema with compatibility warnings would need the Composer's checks: not ours.
    if (schema.compat) throw new Error('unexpected compat schema');
    resolver = { tags: schema.tags, options: doc.options };
  }
  return resolver;
}

/** Sentinel for "cannot decide here". */
export const UNSURE = Symbol('unsure');

/** The value of a plain scalar (`atKey`: as a mapping key), as `findScalarTagByTest` + `resolve` give it. */
export function resolvePlain(source: string, atKey: boolean): unknown {
  const { tags, options } = getResolver();
  const tag = tags.find((t) => (t.default === true || (atKey && (t.default as unknown) === 'key')) && t.test?.test(source));
  if (!tag) return source;
  if (tag.tag === MERGE_TAG) return UNSURE;
  let failed = false;
  let value: unknown;
  try {
    value = tag.resolve(source, () => (failed = true), options);
  } catch {
    return UNSURE;
  }
  if (failed) return UNSURE;
  const t = typeof value;
  if (value === null || t === 'string' || t === 'number' || t === 'boolean') return value;
  return UNSURE;
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
