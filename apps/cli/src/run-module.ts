/**
 * Which module the `run` verb loads: the single-file bundle the build makes of its module graph
 * (scripts/bundle-run.mjs) while it is fresh, else dist/commands/run.js. Fresh means every input
 * file listed next to the bundle still has the mtime and size it had when bundled — one stat per
 * input (≈ 160, ≈ 0.5 ms; paths joined, not parsed as URLs), so a lib rebuilt on its own is never run from an old
 * bundle. `SLIPWAY_CLI_BUNDLE=0` forces the unbundled path. See docs/adr/0010-bundled-cli-run-path.md.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RunModule = typeof import('./commands/run.js');

export const RUN_BUNDLE = new URL('./run.bundle.js', import.meta.url);
export const RUN_BUNDLE_INPUTS = new URL('./run.bundle.inputs.json', import.meta.url);

/** `[path relative to the bundle, mtimeMs, size]` per input file, as bundle-run.mjs writes them. */
interface BundleInputs {
  inputs: [string, number, number][];
}

/** True when the bundle and its input list exist and no input changed since the bundle was made. */
export function runBundleIsFresh(): boolean {
  let inputs: BundleInputs['inputs'];
  try {
    inputs = (JSON.parse(readFileSync(RUN_BUNDLE_INPUTS, 'utf8')) as BundleInputs).inputs;
    statSync(RUN_BUNDLE);
  } catch {
    return false;
  }
  const dir = dirname(fileURLToPath(RUN_BUNDLE));
  for (const [path, mtimeMs, size] of inputs) {
    const s = statSync(join(dir, path), { throwIfNoEntry: false });
    if (s?.mtimeMs !== mtimeMs || s.size !== size) return false;
  }
  return true;
}

export async function loadRunModule(env: NodeJS.ProcessEnv = process.env): Promise<RunModule> {
  if (env.SLIPWAY_CLI_BUNDLE !== '0' && runBundleIsFresh()) return (await import(RUN_BUNDLE.href)) as RunModule;
  return import('./commands/run.js');
}
