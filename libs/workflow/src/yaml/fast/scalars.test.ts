/** The fast reader's plain scalar resolution is the `yaml` Composer's, with our schema. */
import { isDeepStrictEqual } from 'node:util';
import { Document, isScalar, type ScalarTag } from 'yaml';
import { describe, expect, it } from 'vitest';
import { goYamlTags } from '../go-yaml-schema.js';
import { resolvePlain, UNSURE } from './scalars.js';
import { seededRandom } from './seeded-random.js';

const doc = new Document(null, { version: '1.1', customTags: goYamlTags, uniqueKeys: false });
const tags = (doc.schema as unknown as { tags: ScalarTag[] }).tags;

/** What compose-scalar.js does for a plain scalar: findScalarTagByTest, then resolve. */
function reference(source: string, atKey: boolean): unknown {
  const tag = tags.find((t) => (t.default === true || (atKey && (t.default as unknown) === 'key')) && t.test?.test(source));
  if (!tag) return source;
  if (tag.tag === 'tag:yaml.org,2002:merge') return UNSURE;
  const value: unknown = tag.resolve(source, () => undefined, doc.options);
  return isScalar(value) ? value.value : value;
}

const WORDS = ['', '~', 'null', 'Null', 'NULL', 'nULL', 'y', 'Y', 'yes', 'Yes', 'YES', 'yEs', 'n', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'tRUE', 'false', 'off', 'Off', 'OFF', 'on', 'On', 'ON', 'oN', '<<', '<', '0', '00', '0755', '0789', '0o17', '-0o17', '+0o', '0x1F', '-0x_', '0b101', '0b', '0b2', '1_000', '-0', '+1', '1.5', '.5', '.', '-.', '1e3', '1E-3', '1.e5', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '1:20', '2001-12-14', '2001-12-14T21:59:43Z', '12:30:00', '1,000', 'x', 'alpine:3', '3.14.15', '1_', '_1', '0_7', 'n0', 'n12', 'noop', 'No1', 'yess', 'trueish', 'onion', '~x', 'Null0'];
const CHARS = '0123456789_-+.eExXoObB:~yYnNtTfF <';

describe('plain scalar resolution', () => {
  it('matches the yaml package on known words, as values and as keys', () => {
    for (const w of WORDS) {
      for (const atKey of [false, true]) expect(resolvePlain(w, atKey), `${JSON.stringify(w)} ${atKey}`).toStrictEqual(reference(w, atKey));
    }
  });

  it('matches the yaml package on 100,000 random strings of number-like characters', () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 100_000; i++) {
      let s = '';
      const n = Math.floor(rnd() * 7);
      for (let k = 0; k < n; k++) s += CHARS[Math.floor(rnd() * CHARS.length)];
      const atKey = rnd() < 0.3;
      const got = resolvePlain(s, atKey);
      const want = reference(s, atKey);
      if (!isDeepStrictEqual(got, want)) expect.fail(`${JSON.stringify(s)} (key: ${atKey}): ${String(got)} vs yaml ${String(want)}`);
    }
  });
});
