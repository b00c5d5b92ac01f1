/**
 * The bundled `run` path of the built CLI (docs/adr/0010-bundled-cli-run-path.md): the build makes
 * it, `slipway run` takes it, it finds its files where the unbundled modules do, it behaves the
 * same, and a changed input sends the CLI back to the unbundled modules.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'apps/cli/dist');
const BUNDLE = join(DIST, 'run.bundle.cjs');
const UNBUNDLED = join(DIST, 'commands/run.js');
const CLI = join(ROOT, 'apps/cli/bin/slipway.js');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'slipway-bundle-'));

function node(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// Two steps, the second fails: exit 1, a Failed node with a message. `&c` needs the full YAML
// library (libs/workflow's lazily required `yaml`), not only the fast reader.
const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: bundle-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: hello
        template: say
    - - name: boom
        template: fail
  - name: say
    container: &c
      image: argoproj/argosay:v2
      args: [echo, hello]
  - name: fail
    container:
      image: busybox
      command: [sh, -c, "echo no >&2; exit 3"]
`;

describe('the bundled run path', () => {
  it('is built: one ASCII script, workspace code inlined, no Nest, no import(), file URLs only as original-file URLs', () => {
    const bundle = readFileSync(BUNDLE, 'utf8');
    // Any other character makes Node decode the whole file into a two-byte string at each start.
    expect(bundle.match(/.{0,40}[^\x00-\x7f].{0,40}/)?.[0]).toBeUndefined();
    expect(existsSync(join(DIST, 'run.bundle.inputs.json'))).toBe(true);
    expect(bundle).not.toMatch(/@nestjs|reflect-metadata|_ts_metadata/);
    expect(bundle).not.toMatch(/(from |import\(|require\()["']@slipway\//);
    // A script run by node:vm has no import.meta, and import() there would need an experimental loader.
    expect(bundle).not.toMatch(/\bimport\.meta\b|\bimport\(/);
    const uses = bundle.match(/.{0,80}\b__bundleUrl\b.{0,20}/g) ?? [];
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const use of uses) expect(use).toMatch(/new URL\("(\.\.\/)+libs\/[\w/.-]+\.js", __bundleUrl\)\.href/);
  });

  it('computes every file location and createRequire base exactly as the unbundled modules do', async () => {
    const workflow = file('locations.yaml', WORKFLOW);
    const probe = async (module: string) => {
      const r = await node([join(FIXTURES, 'file-locations-probe.mjs'), module, workflow, join(dir, `wd-${module.length}`)]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { code: number; paths: string[]; requireBases: string[] };
    };
    const [unbundled, bundled] = [await probe(UNBUNDLED), await probe(BUNDLE)];
    expect(unbundled).toMatchObject({
      code: 1,
      paths: ['libs/executors/assets', 'libs/executors/spawner/build', 'libs/executors/spawner/slipway-spawner.c', 'libs/executors/spawner/spawner-files.c', 'libs/executors/spawner/spawner-files.h', 'libs/gitops/bin'].map((p) => join(ROOT, p)),
      requireBases: ['libs/gitops/dist/lazy-deps.js', 'libs/workflow/dist/yaml/yaml-lib.js'].map((p) => join(ROOT, p)),
    });
    expect(bundled).toEqual(unbundled);
  });

  it('is what `slipway run` loads, with the same exit code, nodes and progress as the unbundled modules', async () => {
    const workflow = file('same.yaml', WORKFLOW);
    const run = async (env: NodeJS.ProcessEnv, tag: string) => {
      const record = join(dir, `modules-${tag}.txt`);
      const r = await node(['--import', pathToFileURL(join(FIXTURES, 'record-modules.mjs')).href, CLI, 'run', workflow, '-o', 'json', '--workdir', `wd-${tag}`], {
        ...env,
        SLIPWAY_RECORD_MODULES: record,
      });
      const w = JSON.parse(r.stdout) as { metadata: { name: string }; status: { phase: string; message?: string; nodes: Record<string, { displayName: string; type: string; phase: string; message?: string }> } };
      // the generated name and the node ids derived from it differ from run to run
      const normal = (text = '') => text.replaceAll(w.metadata.name, 'WF').replace(/\bWF-\d+\b/g, 'WF-ID');
      return {
        code: r.code,
        phase: w.status.phase,
        message: normal(w.status.message),
        nodes: Object.values(w.status.nodes)
          .map((n) => normal(`${n.displayName} ${n.type} ${n.phase} ${n.message ?? ''}`))
          .sort(),
        stderr: normal(r.stderr).replace(/\b\d+s\b/g, 'Ns').replace(/logs: .*/, 'logs: …'),
        modules: readFileSync(record, 'utf8').trim().split('\n'),
      };
    };
    const bundled = await run({}, 'bundled');
    const unbundled = await run({ SLIPWAY_CLI_BUNDLE: '0' }, 'unbundled');

    // The bundle is compiled by node:vm, not imported: no module of the run path is loaded.
    expect(bundled.modules).not.toContain(pathToFileURL(UNBUNDLED).href);
    expect(bundled.modules.filter((u) => u.includes('/libs/') || u.includes('/dist/commands/'))).toEqual([]);
    expect(unbundled.modules).toContain(pathToFileURL(UNBUNDLED).href);

    expect(bundled.code).toBe(1);
    expect(bundled.nodes).toHaveLength(5);
    const { modules: _b, ...bundledOutcome } = bundled;
    const { modules: _u, ...unbundledOutcome } = unbundled;
    expect(bundledOutcome).toEqual(unbundledOutcome);
  });

  it('is not used once any of its input files changed (a lib rebuilt on its own)', () => {
    // run-module.js finds the bundle and its input list next to itself: give it a copy to judge.
    const copy = join(dir, 'fresh', 'dist');
    mkdirSync(join(copy, 'lib'), { recursive: true });
    copyFileSync(join(DIST, 'run-module.js'), join(copy, 'run-module.js'));
    writeFileSync(join(copy, 'run.bundle.cjs'), '\n');
    const input = join(copy, 'lib', 'a.js');
    writeFileSync(input, 'export const a = 1;\n');
    const built = 1_700_000_000; // whole seconds, so that setting it again gives the same mtimeMs
    utimesSync(input, built, built);
    const { mtimeMs, size } = statSync(input);
    writeFileSync(join(copy, 'run.bundle.inputs.json'), JSON.stringify({ bundle: 'run.bundle.cjs', inputs: [['lib/a.js', mtimeMs, size]] }));
    const fresh = () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', `import { runBundleIsFresh } from ${JSON.stringify(pathToFileURL(join(copy, 'run-module.js')).href)}; process.stdout.write(String(runBundleIsFresh()))`], {
        encoding: 'utf8',
      });

    expect(fresh()).toBe('true');
    utimesSync(input, built, built + 5);
    expect(fresh()).toBe('false');
    utimesSync(input, built, built);
    expect(fresh()).toBe('true');
    writeFileSync(input, 'export const a = 22;\n');
    utimesSync(input, built, built);
    expect(fresh()).toBe('false'); // same mtime, other size
  });
});

describe("the run bundle's code cache", () => {
  const outcome = (r: { code: number | null; stdout: string }) => {
    const w = JSON.parse(r.stdout) as { metadata: { name: string }; status: { phase: string; nodes: Record<string, { displayName: string; phase: string }> } };
    // the generated name differs from run to run
    const names = Object.values(w.status.nodes).map((n) => `${n.displayName.replace(w.metadata.name, 'WF')} ${n.phase}`);
    return { code: r.code, phase: w.status.phase, nodes: names.sort() };
  };
  const runWith = (cache: string, tag: string) =>
    node([CLI, 'run', file(`cache-${tag}.yaml`, WORKFLOW), '-o', 'json', '-q', '--workdir', `wd-cache-${tag}`], { SLIPWAY_CLI_CODE_CACHE: cache });

  it('is written after a run that had none, and the next run uses it as is, with the same outcome', async () => {
    const cache = join(dir, 'first.v8cache');
    const first = await runWith(cache, 'first');
    expect(first.stderr).toBe('');
    const written = readFileSync(cache);
    expect(written.subarray(0, 19).toString()).toBe('slipway run bundle ');
    expect(written.length).toBeGreaterThan(100_000); // the bytecode of what the run called, not only the top level
    const second = await runWith(cache, 'second');
    expect(outcome(second)).toEqual(outcome(first));
    expect(outcome(first)).toMatchObject({ code: 1, phase: 'Failed' });
    expect(readFileSync(cache).equals(written)).toBe(true);
  });

  it('is replaced when it was made for another bundle or is damaged, and is never needed for a run', async () => {
    const stale = file('stale.v8cache', 'slipway run bundle 1 2 v0.0.0\ngarbage');
    const damaged = join(dir, 'damaged.v8cache');
    await runWith(damaged, 'make-damaged');
    const valid = readFileSync(damaged);
    const header = valid.subarray(0, valid.indexOf(10) + 1);
    writeFileSync(damaged, Buffer.concat([header, Buffer.alloc(4096, 7)]));
    const reference = outcome(await runWith('0', 'none'));
    for (const [cache, tag] of [[stale, 'stale'], [damaged, 'damaged'], [join(dir, 'no-such-dir', 'x.v8cache'), 'unwritable']] as const) {
      const r = await runWith(cache, tag);
      expect(r.stderr, tag).toBe('');
      expect(outcome(r), tag).toEqual(reference);
    }
    expect(readFileSync(stale).subarray(0, header.length).equals(header)).toBe(true);
    expect(readFileSync(damaged).length).toBeGreaterThan(100_000);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });

  it('is accepted by V8 once written, and reported stale or rejected otherwise (SLIPWAY_CLI_CODE_CACHE=0: none)', () => {
    const cache = join(dir, 'states.v8cache');
    const probe = (env: NodeJS.ProcessEnv, save: boolean) =>
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { loadBundle } from ${JSON.stringify(pathToFileURL(join(DIST, 'run-module.js')).href)};
           const cacheFile = process.env.SLIPWAY_CLI_CODE_CACHE === '0' ? undefined : process.env.SLIPWAY_CLI_CODE_CACHE;
           const loaded = loadBundle(cacheFile);
           if (typeof loaded.module.runCommand !== 'function') throw new Error('no runCommand');
           if (${save}) loaded.saveCache();
           process.stdout.write(loaded.cache);`,
        ],
        { encoding: 'utf8', env: { ...process.env, ...env } },
      );
    expect(probe({ SLIPWAY_CLI_CODE_CACHE: cache }, true)).toBe('missing');
    expect(probe({ SLIPWAY_CLI_CODE_CACHE: cache }, false)).toBe('used');
    const data = readFileSync(cache);
    writeFileSync(cache, Buffer.concat([data.subarray(0, data.indexOf(10) + 1), Buffer.alloc(64, 1)]));
    expect(probe({ SLIPWAY_CLI_CODE_CACHE: cache }, false)).toBe('rejected');
    writeFileSync(cache, Buffer.concat([Buffer.from('slipway run bundle 0 0 v1\n'), data.subarray(data.indexOf(10) + 1)]));
    expect(probe({ SLIPWAY_CLI_CODE_CACHE: cache }, false)).toBe('stale');
    expect(probe({ SLIPWAY_CLI_CODE_CACHE: '0' }, false)).toBe('off');
  });
});
