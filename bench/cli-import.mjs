/**
 * Times `await import(FILE)` in a fresh Node process for each FILE, the way `bin/slipway.js` loads
 * the CLI (V8 compile cache on); the run bundle (`run.bundle.cjs`, a script) is loaded as
 * `slipway run` loads it: through `run-module.js`, with its code cache (ADR 0012).
 * Files alternate within each round so both see the same load.
 * Usage: node bench/cli-import.mjs [--runs N] FILE...
 * e.g.   node bench/cli-import.mjs apps/cli/dist/commands/run.js apps/cli/dist/run.bundle.cjs
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const files = args.map((f) => pathToFileURL(resolve(f)).href);
if (files.length === 0 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: node bench/cli-import.mjs [--runs N] FILE...');
  process.exit(2);
}

const probe = `
import module from 'node:module';
module.enableCompileCache?.();
const url = process.argv[1];
const t0 = performance.now();
if (url.endsWith('/run.bundle.cjs')) {
  const { loadBundle, CODE_CACHE } = await import(url.replace(/run\.bundle\.cjs$/, 'run-module.js'));
  loadBundle(CODE_CACHE);
} else {
  await import(url);
}
process.stdout.write(String(performance.now() - t0));
`;
const timeImport = (url) => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`import of ${url} failed:\n${r.stderr}`);
  return Number(r.stdout);
};

const samples = new Map(files.map((f) => [f, []]));
for (const f of files) timeImport(f); // fill the compile cache
for (let i = 0; i < runs; i++) for (const f of files) samples.get(f).push(timeImport(f));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [f, xs] of samples) {
  console.log(`${median(xs).toFixed(1)} ms median, ${Math.min(...xs).toFixed(1)} min  ${f.replace(pathToFileURL(process.cwd()).href + '/', '')}`);
}
