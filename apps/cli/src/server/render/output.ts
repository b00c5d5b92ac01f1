/** Objects on stdout as `-o json` (two-space indent, like `argo … -o json`) or `-o yaml`. */
import { stringify } from 'yaml';
import type { Io } from '../../io.js';

export function printObject(io: Io, value: unknown, format: 'json' | 'yaml'): void {
  io.stdout(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value));
}
