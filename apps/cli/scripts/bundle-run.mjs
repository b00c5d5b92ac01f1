/**
 * Bundles the `run` verb's module graph — dist/commands/run.js and the @slipway/* packages it
 * imports — into dist/run.bundle.cjs, so that `slipway run` loads one file instead of ~170
 * (docs/adr/0010-bundled-cli-run-path.md), as a script that V8 can cache after a run
 * (docs/adr/0012-cli-code-cache-after-a-run.md). Runs after swc, from this app's `build` script.
 *
 * - Format: CommonJS, compiled by src/run-module.ts with `vm.Script` inside a function taking
 *   `exports`, `require`, `module` and `__bundleUrl` (the bundle's file URL).
 * - Every third-party package stays external and loads as it does today (some lazily). The
 *   build fails when Node would resolve one to another copy from the bundle than from the file
 *   that imports it, or when a Nest package would be reached.
 * - `import.meta.url` in each bundled file becomes the URL of that original file, relative to
 *   the bundle, so assets, the spawner source and createRequire bases stay where they were and
 *   the tree can be moved after the build. Any other use of `import.meta` fails the build.
 * - dist/run.bundle.inputs.json lists each input file with its mtime and size; the CLI only uses
 *   the bundle while they all match (src/run-module.ts), so a lib rebuilt alone is never run stale.
 * - Last, one small workflow (scripts/code-cache-training.yaml) runs through the new bundle, so
 *   that the V8 code cache it leaves holds the functions a run uses. A failure there only warns.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';

const APP = resolve(import.meta.dirname, '..');
const DIST = join(APP, 'dist');
const ENTRY = join(DIST, 'commands/run.js');
const BUNDLE = join(DIST, 'run.bundle.cjs');
const INPUTS = join(DIST, 'run.bundle.inputs.json');
const CODE_CACHE = join(DIST, 'run.bundle.v8cache');
const TRAINING = join(APP, 'scripts/code-cache-training.yaml');
/** What `import.meta.url` becomes: the bundle's own URL, passed in by the loader (run-module.ts). */
const BUNDLE_URL = '__bundleUrl';
const WORKSPACE_SCOPE = '@slipway/';
const FORBIDDEN = /^(@nestjs\/|reflect-metadata$)/;

/** `../../libs/x/dist/y.js`: where `file` is, seen from the bundle's directory, as a URL path. */
const fromBundle = (file) => relative(DIST, file).split(sep).join('/');

/** The name of the package a bare specifier names: `yaml`, `@scope/name`. */
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** The directory Node's lookup from `dir` finds `name` in (node_modules/<name>, walking up), real path. */
function packageDirFrom(dir, name) {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(d) === d) return undefined;
  }
}

const externals = new Map(); // package name → the files importing it

/** @slipway/* is bundled; every other bare specifier (node builtins included) stays an import. */
const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith(WORKSPACE_SCOPE)) return undefined;
      if (!args.path.startsWith('node:')) {
        const name = packageName(args.path);
        if (!externals.has(name)) externals.set(name, new Set());
        externals.get(name).add(args.importer);
      }
      return { path: args.path, external: true };
    });
  },
};

/** `import.meta.url` → the URL of the original file, computed from the bundle's own URL. */
const originalImportMetaUrl = {
  name: 'original-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return { contents: source, loader: 'js' };
      const url = /\bimport\.meta\.url\b/g;
      if (/\bimport\.meta\b/.test(source.replace(url, ''))) {
        return { errors: [{ text: `${args.path}: only import.meta.url can be bundled (it is rewritten to this file's URL)` }] };
      }
      const original = `new URL(${JSON.stringify(fromBundle(args.path))}, ${BUNDLE_URL}).href`;
      return { contents: source.replace(url, original), loader: 'js' };
    });
  },
};

const result = await build({
  absWorkingDir: APP,
  entryPoints: [ENTRY],
  outfile: BUNDLE,
  bundle: true,
  format: 'cjs',
  // `import()` becomes `require()`: a script compiled by node:vm would need an experimental
  // loader option (and a warning on stderr) to import.
  supported: { 'dynamic-import': false },
  platform: 'node',
  target: 'node24',
  // No keepNames: it wraps every function and closure in a runtime __name() call (an
  // Object.defineProperty each time a closure is made), ≈ 14 ms of a 1,000-step run. No code
  // reads a function's or class's name; error names are set explicitly.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [externalThirdParty, originalImportMetaUrl],
});

const problems = [];
for (const [name, importers] of externals) {
  if (FORBIDDEN.test(name)) problems.push(`${name} (Nest) is imported by ${[...importers].join(', ')}`);
  const fromBundleDir = packageDirFrom(DIST, name);
  for (const importer of importers) {
    const fromImporter = packageDirFrom(dirname(importer), name);
    if (fromImporter !== fromBundleDir) {
      problems.push(`${name}: ${importer} gets ${fromImporter ?? 'nothing'}, the bundle would get ${fromBundleDir ?? 'nothing'}`);
    }
  }
}
if (problems.length > 0) {
  throw new Error(`bundle-run: the run path cannot be bundled as is:\n  ${problems.join('\n  ')}`);
}

// esbuild writes strings and identifiers as ASCII, but keeps regular-expression literals and
// comments as they are: the few non-ASCII characters there (`µs` in duration patterns, `≥` in a
// comment) would make Node decode the whole 0.5 MB file into a two-byte string at every start.
// A `\uXXXX` escape means the same character in a regular expression and is inert in a comment.
const code = readFileSync(BUNDLE, 'utf8');
const ascii = code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== code) writeFileSync(BUNDLE, ascii);

const inputs = Object.keys(result.metafile.inputs).map((file) => {
  const path = resolve(APP, file);
  const { mtimeMs, size } = statSync(path);
  return [fromBundle(path), mtimeMs, size];
});
writeFileSync(INPUTS, `${JSON.stringify({ bundle: 'run.bundle.cjs', inputs })}\n`);

// A code cache made for the previous bundle is of no use (the loader would ignore it anyway):
// make a new one by running a small workflow through this bundle, as `slipway run` does.
rmSync(CODE_CACHE, { force: true });
const scratch = mkdtempSync(join(tmpdir(), 'slipway-code-cache-'));
try {
  const training = spawnSync(
    process.execPath,
    [join(APP, 'bin/slipway.js'), 'run', TRAINING, '--sandbox', 'none', '-o', 'json', '--workdir', scratch],
    // Through this bundle and into this cache, whatever the caller's environment says about either.
    { encoding: 'utf8', env: { ...process.env, SLIPWAY_CLI_BUNDLE: '1', SLIPWAY_CLI_CODE_CACHE: CODE_CACHE }, timeout: 60_000 },
  );
  if (training.status !== 0 || !existsSync(CODE_CACHE)) {
    const why = training.error?.message ?? `exit ${training.status}: ${training.stderr.trim().split('\n').slice(-3).join(' / ')}`;
    console.warn(`bundle-run: no code cache made (${why}); the first \`slipway run\` makes it`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
