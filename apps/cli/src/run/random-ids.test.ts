import { expect, test } from 'vitest';
import { randomBytesSync, randomUuid } from './random-ids.js';

test('a run uid is a version-4 UUID, different each time', () => {
  const uids = new Set(Array.from({ length: 200 }, () => randomUuid()));
  expect(uids.size).toBe(200);
  for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('the UUID is made of the given bytes, with the version and variant bits set', () => {
  expect(randomUuid(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  expect(randomUuid(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
});

test('random bytes come in the length asked for and are not all the same', () => {
  const a = randomBytesSync(64);
  expect(a).toHaveLength(64);
  expect(new Set(a).size).toBeGreaterThan(16);
  expect(randomBytesSync(64).equals(a)).toBe(false);
});
