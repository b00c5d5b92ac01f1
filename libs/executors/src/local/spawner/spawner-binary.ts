/**
 * Where the resident spawner's executable comes from: `SLIPWAY_SPAWNER_BIN` when set (a
 * container image builds it at image build time), else `spawner/build/slipway-spawner-<hash>`
 * next to its C source, compiled with the machine's C compiler the first time it is needed
 * (≈ 0.2 s, once per source version; `npm run build` does it ahead). The hash of the source is
 * in the name, so an edited source is never run as a stale binary.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
  const name = `slipway-spawner-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;
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
