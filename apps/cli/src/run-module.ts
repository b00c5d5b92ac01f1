/**
 * Which module the `run` verb loads: the single-file bundle the build makes of its module graph
 * (scripts/bundle-run.mjs) while it is fresh, else dist/commands/run.js. Fresh means every input
 * file listed next to the bundle still has the mtime and size it had when bundled — one stat per
 * input (≈ 160, ≈ 0.5 ms; paths joined, not parsed as URLs), so a lib rebuilt on its own is never run from an old
 * bundle. `SLIPWAY_CLI_BUNDLE=0` forces the unbundled path. See docs/adr/0010-bundled-cli-run-path.md.
 *
 * The bundle is a script compiled with V8's code cache from `run.bundle.v8cache`, which is written
 * after a run when it was missing or unusable: made after a run, it holds the bytecode of every
 * function that run called, not only of the top level (docs/adr/0012-cli-code-cache-after-a-run.md).
 */
import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

export type RunModule = typeof import('./commands/run.js');

export const RUN_BUNDLE = new URL('./run.bundle.cjs', import.meta.url);
export const RUN_BUNDLE_INPUTS = new URL('./run.bundle.inputs.json', import.meta.url);
export const CODE_CACHE = fileURLToPath(new URL('./run.bundle.v8cache', import.meta.url));

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

/**
 * `SLIPWAY_CLI_CODE_CACHE`: another cache file, or `0` for none (nothing read or written).
 * The cache is written when this process exits, if it was missing, stale or rejected.
 */
export async function loadRunModule(env: NodeJS.ProcessEnv = process.env): Promise<RunModule> {
  if (env.SLIPWAY_CLI_BUNDLE === '0' || !runBundleIsFresh()) return import('./commands/run.js');
  const cacheFile = env.SLIPWAY_CLI_CODE_CACHE === '0' ? undefined : (env.SLIPWAY_CLI_CODE_CACHE ?? CODE_CACHE);
  const loaded = loadBundle(cacheFile);
  if (loaded.cache !== 'used' && loaded.cache !== 'off') process.once('exit', () => loaded.saveCache());
  return loaded.module;
}

/** What became of the code cache: `off` when no cache file was given. */
export type CodeCacheState = 'used' | 'missing' | 'stale' | 'rejected' | 'off';

export interface LoadedBundle {
  module: RunModule;
  cache: CodeCacheState;
  /** Write the cache file now, from what has been compiled so far (errors ignored: a read-only install). */
  saveCache(): void;
}

/**
 * Compile and run the bundle. The cache file starts with a line naming the bundle it was made
 * for (its mtime and size) and the Node version; V8 itself also checks its version, its flags and
 * the source's length, and rejects a cache that does not match.
 */
export function loadBundle(cacheFile: string | undefined, bundle: URL = RUN_BUNDLE): LoadedBundle {
  // Set before compiling: V8 rejects a code cache made under other flags (commands/run.ts sets it too).
  setFlagsFromString('--no-maglev');
  const file = fileURLToPath(bundle);
  const { mtimeMs, size } = statSync(file);
  const stamp = `slipway run bundle ${mtimeMs} ${size} ${process.version}\n`;
  // The build keeps the bundle ASCII (bundle-run.mjs), so latin1 reads it as one-byte text.
  const source = `(function (exports, require, module, __bundleUrl) {${readFileSync(file, 'latin1')}\n})`;
  let cache: CodeCacheState = cacheFile === undefined ? 'off' : 'missing';
  let cachedData: Buffer | undefined;
  if (cacheFile !== undefined) {
    try {
      const data = readFileSync(cacheFile);
      const header = data.subarray(0, stamp.length).toString('latin1');
      if (header === stamp) cachedData = data.subarray(stamp.length);
      else cache = 'stale';
    } catch {
      // missing (or unreadable): compile without
    }
  }
  const script = new Script(source, { filename: file, cachedData });
  if (cachedData) cache = script.cachedDataRejected === true ? 'rejected' : 'used';
  const module = { exports: {} as RunModule };
  (script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, url: string) => void)(
    module.exports,
    createRequire(bundle),
    module,
    bundle.href,
  );
  return {
    module: module.exports,
    cache,
    saveCache: () => {
      if (cacheFile === undefined) return;
      // Written aside, then renamed: a run starting meanwhile reads the old file or the new one.
      const partial = `${cacheFile}.${process.pid}.tmp`;
      try {
        accessSync(dirname(cacheFile), constants.W_OK);
        writeFileSync(partial, Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]));
        renameSync(partial, cacheFile);
      } catch {
        // not writable here (every run then compiles as it goes, as without a cache), or a full disk
        rmSync(partial, { force: true });
      }
    },
  };
}
