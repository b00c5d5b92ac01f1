/**
 * Where the resident spawner's executable comes from: `SLIPWAY_SPAWNER_BIN` when set (a
 * container image builds it at image build time), else `spawner/build/slipway-spawner-<hash>`
 * next to its C sources, compiled with the machine's C compiler the first time it is needed
 * (≈ 0.2 s, once per source version; `npm run build` does it ahead). The hash of the sources is
 * in the name, so an edited source is never run as a stale binary. That hash is FNV-1a (64 bits),
 * not a cryptographic one: it names a build of our own files, and computing it must not load
 * node:crypto into every `slipway run` (≈ 3.5 ms of its start-up).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const SPAWNER_DIR = '../../../spawner/';
/** The C sources, the main one first, compiled together; the header is part of the hash. */
export const SPAWNER_SOURCES = ['slipway-spawner.c', 'spawner-files.c', 'spawner-files.h'].map((f) => fileURLToPath(new URL(SPAWNER_DIR + f, import.meta.url)));
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
  const units = SPAWNER_SOURCES.filter((f) => f.endsWith('.c'));
  const r = spawnSync(compiler, ['-O2', '-o', partial, ...units], { encoding: 'utf8', timeout: 60_000 });
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
  let hash: string;
  try {
    hash = spawnerSourceHash();
  } catch (error) {
    cached = { problem: `its source is missing (${error instanceof Error ? error.message : String(error)})` };
    return cached;
  }
  const name = `slipway-spawner-${hash}`;
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

/** FNV-1a 64 of the sources, one after the other, each behind a NUL and its file name. */
export function spawnerSourceHash(): string {
  const parts: Buffer[] = [];
  for (const file of SPAWNER_SOURCES) parts.push(Buffer.from(`\0${file.slice(file.lastIndexOf('/') + 1)}\0`), readFileSync(file));
  return fnv1a64(Buffer.concat(parts));
}

/**
 * FNV-1a, 64 bits, as 16 hex digits. The state is four 16-bit limbs so that every intermediate
 * value stays a small integer: with 32-bit halves, V8's interpreter (this runs once per process,
 * cold) boxed most of them, ≈ 1.7 MB of garbage for the spawner's source.
 */
export function fnv1a64(bytes: Uint8Array): string {
  // Offset basis 0xcbf29ce484222325, limbs from the low end; prime 0x100000001b3 = 2^40 + 0x1b3.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    // h * 0x1b3 + (h << 40): h << 40 moves limb 0 into limb 2 (and limb 1 into limb 3), 8 bits up.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((h) => h.toString(16).padStart(4, '0')).join('');
}
