/** Node ids must be Argo's: FNV-1a over the UTF-8 bytes of the node name. */
import { expect, test } from 'vitest';
import { fnv32a, nodeId } from './node-id.js';

/** The definition, byte by byte. */
function reference(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

test('the FNV-1a hash of ASCII and non-ASCII names is the one over their UTF-8 bytes', () => {
  for (const name of ['', 'a', 'steps-x7[0].hello', 'loops(0:ñandú)', '日本語', 'emoji 😀', 'x'.repeat(300)]) {
    expect(fnv32a(name)).toBe(reference(name));
  }
  // FNV-1a's published test vectors.
  expect(fnv32a('')).toBe(0x811c9dc5);
  expect(fnv32a('a')).toBe(0xe40c292c);
  expect(fnv32a('foobar')).toBe(0xbf9cf968);
});

test('a node id is the workflow name, or the workflow name and the hash of the node name', () => {
  expect(nodeId('wf', 'wf')).toBe('wf');
  expect(nodeId('wf', 'wf.a')).toBe(`wf-${reference('wf.a')}`);
});
