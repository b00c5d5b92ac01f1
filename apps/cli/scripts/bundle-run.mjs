/**
 * Bundles the `run` verb's module graph — dist/commands/run.js and the @slipway/* packages it
 * imports — into dist/run.bundle.js, so that `slipway run` links one module instead of ~170
 * (docs/adr/0010-bundled-cli-run-path.md). Runs after swc, from this app's `build` script.
 *
 * - Every third-party package stays external and loads as it does today (some lazily). The
 *   build fails when Node would resolve one to another copy from the bundle than from the file
 *   that imports it, or when a Nest package would be reached.
 * - `import.meta.url` in each bundled file becomes the URL of that original file, relative to
 *   the bundle, so assets, the spawner source and createRequire bases stay where they were and
 *   the tree can be moved after the build. Any other use of `import.meta` fails the build.
 * - dist/run.bundle.inputs.json lists each input file with its mtime and size; the CLI only uses
 *   the bundle while they all match (src/run-module.ts), so a lib rebuilt alone is never run stale.
 */
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';

const APP = resolve(import.meta.dirname, '..');
const DIST = join(APP, 'dist');
const ENTRY = join(DIST, 'commands/run.js');
const BUNDLE = join(DIST, 'run.bundle.js');
const INPUTS = join(DIST, 'run.bundle.inputs.json');
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
      const original = `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`;
      return { contents: source.replace(url, original), loader: 'js' };
    });
  },
};

const result = await build({
  absWorkingDir: APP,
  entryPoints: [ENTRY],
  outfile: BUNDLE,
  bundle: true,
  format: 'esm',
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
writeFileSync(INPUTS, `${JSON.stringify({ bundle: 'run.bundle.js', inputs })}\n`);
