/**
 * Where the resident spawner's executable comes from: `SLIPWAY_SPAWNER_BIN` when set (a
 * container image builds it at image build time), else `spawner/build/slipway-spawner-<hash>`
 * next to its C source, compiled with the machine's C compiler the first time it is needed
 * (≈ 0.2 s, once per source version; `npm run build` does it ahead). The hash of the source is
 * in the name, so an edited source is never run as a stale binary. That hash is FNV-1a (64 bits),
 * not a cryptographic one: it names a build of our own file, and computing it must not load
 * node:crypto into every `slipway run` (≈ 3.5 ms of its start-up).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const SPAWNER_SOURCE = fileURLToPath(new URL('../../../spawner/slipway-spawner.c', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('../../../spawner/build', import.meta.url));

export type SpawnerBinary = { path: string } | { problem: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function compile(output: string): string | undefined {
  const compiler = process.env.CC ?? 'cc';
  const partial = `${output}.${process.pid}.tmp`;
  const r = spawnSync(compiler, ['-O2', '-o', partial, SPAWNER_SOURCE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) {
    rmSync(partial, { force: true });
    return `${compiler} failed: ${r.error?.message ?? r.stderr.trim().split('\n').slice(0, 3).join(' / ')}`;
  }
  renameSync(partial, output);
  return undefined;
}

let cached: SpawnerBinary | undefined;

/** The spawner executable, compiling it when needed; `problem` says why there is none. */
export function spawnerBinary(): SpawnerBinary {
  if (cached) return cached;
  const configured = process.env.SLIPWAY_SPAWNER_BIN;
  if (configured) {
    cached = executable(configured) ? { path: configured } : { problem: `SLIPWAY_SPAWNER_BIN=${configured} is not an executable file` };
    return cached;
  }
  let source: Buffer;
  try {
    source = readFileSync(SPAWNER_SOURCE);
  } catch {
    cached = { problem: `its source ${SPAWNER_SOURCE} is missing` };
    return cached;
  }
  const name = `slipway-spawner-${fnv1a64(source)}`;
  const problems: string[] = [];
  for (const dir of [BUILD_DIR, `${tmpdir()}/slipway-spawner-${process.getuid?.() ?? 0}`]) {
    const path = `${dir}/${name}`;
    if (executable(path)) return (cached = { path });
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      problems.push(`${dir}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const problem = compile(path);
    if (problem === undefined) return (cached = { path });
    problems.push(problem);
    if (!problem.includes('Permission denied') && !problem.includes('EACCES')) break;
  }
  cached = { problem: problems.join('; ') };
  return cached;
}

/** FNV-1a, 64 bits, as 16 hex digits: two 32-bit halves, so no BigInt (≈ 0.1 ms for the source). */
export function fnv1a64(bytes: Uint8Array): string {
  // Offset basis 0xcbf29ce484222325; prime 0x100000001b3 = 2^40 + 0x1b3.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0;
    const low = lo * 0x1b3; // < 2^41: exact
    hi = (hi * 0x1b3 + ((lo << 8) >>> 0) + Math.floor(low / 0x1_0000_0000)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
