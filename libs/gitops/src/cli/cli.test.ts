import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createBareRepo } from '../testing/index.js';
import { gitopsMain, type CliIo } from './gitops-cli.js';
import { imageMain } from './image-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-gitops-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    env,
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
  };
  return captured;
}

describe('slipway-image', () => {
  test('build writes the archive and the digest file and prints the digest', () => {
    const ctx = join(dir, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["/hello"]\n');
    writeFileSync(join(ctx, 'hello.txt'), 'hi\n');
    const c = io();
    const code = imageMain(['build', `--context=${ctx}`, '--tag=app:v1', `--output=${dir}/out/image.oci.tar`, `--digest-file=${dir}/digest`], c);
    expect(code, c.err).toBe(0);
    expect(c.out).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(readFileSync(`${dir}/digest`, 'utf8')).toBe(c.out.trim());
    expect(readFileSync(`${dir}/out/image.oci.tar`).length).toBeGreaterThan(1024);
  });

  test('usage and build errors', () => {
    const usage = io();
    expect(imageMain(['build'], usage)).toBe(2);
    expect(usage.err).toContain('give --output or --layout-dir');
    const bad = io();
    expect(imageMain(['build', `--context=${dir}`, '--file=nope', `--output=${dir}/x.tar`], bad)).toBe(1);
    expect(bad.err).toMatch(/^slipway-image: /);
  });
});

describe('slipway-gitops', () => {
  test('update-tag prints the commit as JSON and writes the commit file; the token comes from the environment', async () => {
    const repo = createBareRepo({ 'values.yaml': 'image:\n  tag: old\n' }, { name: 'gitops-cli' });
    try {
      const args = ['update-tag', `--repo=${repo.url}`, '--branch=main', '--file=values.yaml', '--image=app', '--tag=new', '--mode=helm', '--workflow-uid=uid-1', `--commit-file=${dir}/commit`];
      const c = io({ GITOPS_PASSWORD: 'unused-for-file-urls' });
      expect(await gitopsMain(args, c), c.err).toBe(0);
      expect(JSON.parse(c.out)).toEqual({ commit: repo.log()[0], alreadyDone: false });
      expect(readFileSync(`${dir}/commit`, 'utf8')).toBe(repo.log()[0]);
      const again = io();
      expect(await gitopsMain(args, again)).toBe(0);
      expect(JSON.parse(again.out)).toEqual({ commit: repo.log()[0], alreadyDone: true });
      const failed = io();
      expect(await gitopsMain([...args.map((a) => (a === '--tag=new' ? '--tag=newer' : a)), '--key=no.such.key'], failed)).toBe(1);
      expect(failed.err).toBe('slipway-gitops: values.yaml: key "no.such.key" not found\n');
    } finally {
      repo.dispose();
    }
  });

  test('bad usage exits 2 naming what is missing', async () => {
    const c = io();
    expect(await gitopsMain(['update-tag', '--repo=x'], c)).toBe(2);
    expect(c.err).toContain('missing --branch, --file, --image, --tag, --workflow-uid');
    const mode = io();
    expect(await gitopsMain(['update-tag', '--repo=x', '--branch=b', '--file=f', '--image=i', '--tag=t', '--workflow-uid=u', '--mode=json'], mode)).toBe(2);
    expect(mode.err).toContain('--mode must be one of kustomize, helm, key');
    expect(await gitopsMain(['deploy'], io())).toBe(2);
  });
});
