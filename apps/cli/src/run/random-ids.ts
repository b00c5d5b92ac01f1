/**
 * Random bytes for a local run's workflow uid and name suffix, read from the kernel's random
 * source: importing node:crypto for 21 bytes would add ≈ 3.5 ms to every start of `slipway run`.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function randomBytesSync(n: number): Buffer {
  const out = Buffer.alloc(n);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let got = 0; got < n; ) {
        const read = readSync(fd, out, got, n - got, null);
        if (read <= 0) throw new Error('/dev/urandom: short read');
        got += read;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  } catch {
    // No /dev/urandom (not Linux, a bare sandbox): Node's own generator.
    return process.getBuiltinModule('node:crypto').randomBytes(n);
  }
}

/** A version-4 (random) UUID, as Kubernetes gives a workflow's `metadata.uid`. */
export function randomUuid(bytes: Uint8Array = randomBytesSync(16)): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
