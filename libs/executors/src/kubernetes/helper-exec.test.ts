/** The helper image's exec wrapper (deploy/helper/exec), run with the host's sh and `env` standing in for busybox. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseOutputMessage } from './pod-status.js';

const EXEC = new URL('../../../../deploy/helper/exec', import.meta.url).pathname;

function run(staging: string, name: string, env: Record<string, string>, command: string[]): Promise<{ code: number | null; message: string }> {
  const message = join(staging, `${name}.termination-log`);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [EXEC, ...command], {
      env: { PATH: process.env.PATH, SLIPWAY_BUSYBOX: '/usr/bin/env', SLIPWAY_STAGING: staging, SLIPWAY_TERMINATION_LOG: message, ...env },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, message: readFileSync(message, 'utf8') }));
  });
}

describe('helper exec wrapper', () => {
  test('keeps the exit code and reports output parameter files in the termination message', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'slipway-exec-'));
    writeFileSync(join(staging, 'outputs'), `n ${staging}/n.txt\nmissing ${staging}/nope.txt\n`);
    const { code, message } = await run(staging, 'main', {}, ['sh', '-c', `printf '42\\nline two' > ${staging}/n.txt; exit 3`]);
    expect(code).toBe(3);
    expect(parseOutputMessage(message, ['n', 'missing'])).toEqual({ n: '42\nline two', missing: null });
  });

  test('containerSet: a container waits for its dependencies and does not run after a failed one', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'slipway-exec-'));
    mkdirSync(join(staging, 'done'));
    const order = join(staging, 'order');
    const step = (n: string) => ['sh', '-c', `echo ${n} >> ${order}`];
    const b = run(staging, 'b', { SLIPWAY_CONTAINER: 'b', SLIPWAY_DEPENDS: 'a', SLIPWAY_OUTPUTS: '/dev/null' }, step('b'));
    const a = run(staging, 'a', { SLIPWAY_CONTAINER: 'a', SLIPWAY_OUTPUTS: '/dev/null' }, ['sh', '-c', `sleep 0.3; echo a >> ${order}`]);
    expect((await a).code).toBe(0);
    expect((await b).code).toBe(0);
    expect(readFileSync(order, 'utf8')).toBe('a\nb\n');

    const c = run(staging, 'c', { SLIPWAY_CONTAINER: 'c', SLIPWAY_OUTPUTS: '/dev/null' }, ['sh', '-c', 'exit 2']);
    const d = run(staging, 'd', { SLIPWAY_CONTAINER: 'd', SLIPWAY_DEPENDS: 'a c', SLIPWAY_OUTPUTS: '/dev/null' }, step('d'));
    expect((await c).code).toBe(2);
    expect(await d).toEqual({ code: 1, message: '#not-run c\n' });
    expect(readFileSync(order, 'utf8')).toBe('a\nb\n');
  });
});

describe('git input artifact init container', () => {
  test('clones the repository at the revision into the staging path, origin without credentials', async () => {
    const { execFileSync } = await import('node:child_process');
    const { gitInitContainers } = await import('./git-init.js');
    const { kubeRequest } = await import('./testing.js');
    const dir = mkdtempSync(join(tmpdir(), 'slipway-git-'));
    const repo = join(dir, 'repo');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
    mkdirSync(repo);
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    writeFileSync(join(repo, 'f.txt'), 'one\n');
    git('add', '.');
    git('commit', '-qm', 'one');
    const first = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'f.txt'), 'two\n');
    git('commit', '-qam', 'two');
    const req = kubeRequest('wf-g', { image: 'alpine' }, { inputArtifacts: [{ name: 'src', path: '/src', git: { repo: `file://${repo}`, revision: first } }] });
    const [init] = gitInitContainers(req, 'alpine/git', { volume: 'v', path: join(dir, 'staging') }) as { command: string[]; env: { name: string; value?: string }[] }[];
    const env = Object.fromEntries(init.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
    execFileSync(init.command[0], init.command.slice(1), { env: { PATH: process.env.PATH, HOME: dir, ...env }, stdio: 'ignore' });
    const dest = join(dir, 'staging/inputs/artifacts/src');
    expect(readFileSync(join(dest, 'f.txt'), 'utf8')).toBe('one\n');
    expect(execFileSync('git', ['-C', dest, 'remote', 'get-url', 'origin'], { encoding: 'utf8' }).trim()).toBe(`file://${repo}`);
  });
});
