/** Git input artifacts checked out before the main container starts, from real bare repositories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createBareRepo, serveGitHttp, type BareRepo } from '@slipway/gitops/testing';
import type { PodRequest } from '@slipway/engine';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shPod, testExecutor } from './testing.js';

let repo: BareRepo;
let first: string;
let second: string;
let third: string;
let feature: string;

beforeAll(() => {
  repo = createBareRepo({ 'VERSION': 'one\n' }, { name: 'app' });
  first = repo.log()[0];
  second = repo.commit({ 'VERSION': 'two\n' }, 'second');
  repo.tag('v2', second, 'release two');
  third = repo.commit({ 'VERSION': 'three\n' }, 'third');
  feature = repo.commit({ 'VERSION': 'feature\n' }, 'on a branch', 'feature');
});
afterAll(() => repo.dispose());

describe.each(['bwrap', 'none'] as const)('git input artifacts (sandbox: %s)', (sandbox) => {
  let t: ReturnType<typeof testExecutor>;
  let hostDir: string;
  let n = 0;
  beforeAll(() => {
    t = testExecutor({ sandbox, secrets: { creds: { user: 'ci', pass: 'tok-3n-secret' } } });
    hostDir = mkdtempSync(`${tmpdir()}/slipway-git-artifacts-`);
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(hostDir, { recursive: true, force: true });
  });

  /** Unsandboxed pods see host paths, so each gets its own directory; sandboxed ones use /src. */
  const srcPath = () => (sandbox === 'bwrap' ? '/src' : `${hostDir}/src-${++n}`);

  const checkout = (git: Record<string, unknown>, script = 'cat VERSION; git rev-parse HEAD; git rev-list --count HEAD'): { req: PodRequest; path: string } => {
    const path = srcPath();
    const req = shPod(`cd ${path} && ${script}`, { inputArtifacts: [{ name: 'source', path, git }] });
    return { req, path };
  };

  const lines = async (git: Record<string, unknown>, script?: string) => {
    const result = await t.run(checkout(git, script).req);
    expect(result, result.message).toMatchObject({ phase: 'Succeeded' });
    return (result.result ?? '').split('\n');
  };

  test('no revision: the default branch, full history', async () => {
    expect(await lines({ repo: repo.url })).toEqual(['three', third, '3']);
  });

  test('revision: a branch, a tag and a commit sha', async () => {
    expect(await lines({ repo: repo.url, revision: 'feature' })).toEqual(['feature', feature, '4']);
    expect((await lines({ repo: repo.url, revision: 'v2' })).slice(0, 2)).toEqual(['two', second]);
    expect((await lines({ repo: repo.url, revision: first })).slice(0, 2)).toEqual(['one', first]);
  });

  test('depth: a shallow checkout of the tip, of a tag and of an older commit', async () => {
    expect(await lines({ repo: repo.url, depth: 1 }, 'cat VERSION; git rev-list --count HEAD; git rev-parse --is-shallow-repository')).toEqual([
      'three',
      '1',
      'true',
    ]);
    expect(await lines({ repo: repo.url, depth: 1, revision: 'v2' }, 'cat VERSION; git rev-list --count HEAD')).toEqual(['two', '1']);
    expect(await lines({ repo: repo.url, depth: 1, revision: first }, 'cat VERSION; git rev-list --count HEAD')).toEqual(['one', '1']);
  });

  test('singleBranch + branch fetches that branch only', async () => {
    expect(await lines({ repo: repo.url, singleBranch: true, branch: 'feature' }, 'cat VERSION; git branch -r | wc -l')).toEqual(['feature', '1']);
  });

  test('username/password from the secrets map over HTTP; the checkout keeps no credentials', async () => {
    const server = await serveGitHttp(repo.path.replace(/\/[^/]+$/, ''), { username: 'ci', password: 'tok-3n-secret' });
    try {
      const url = `${server.url}/app.git`;
      const git = { repo: url, usernameSecret: { name: 'creds', key: 'user' }, passwordSecret: { name: 'creds', key: 'pass' } };
      expect(await lines(git, 'cat VERSION; git remote get-url origin; grep -rl tok-3n-secret .git | wc -l')).toEqual(['three', url, '0']);
      const denied = await t.run(checkout({ ...git, passwordSecret: { name: 'creds', key: 'user' } }).req);
      expect(denied.phase).toBe('Error');
      expect(denied.message).toContain(`input artifact "source": git checkout of ${url}`);
      expect(denied.message).not.toContain('tok-3n-secret');
    } finally {
      await server.close();
    }
  });

  test('a pod killed while its git input is being fetched ends at once, Failed with the reason, and its container never runs', async () => {
    // A server that takes the request and never answers: the fetch hangs until it is stopped.
    let requests = 0;
    const server = createServer(() => {
      requests++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { req } = checkout({ repo: `http://127.0.0.1:${port}/app.git` }, 'echo ran');
      t.executor.start(req, t.sink);
      const deadline = Date.now() + 10_000;
      while (requests === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(requests).toBeGreaterThan(0);
      const killed = Date.now();
      await t.executor.kill(req.nodeId, 'stopped by the test');
      const result = await t.sink.result(req.nodeId);
      expect(Date.now() - killed).toBeLessThan(5_000);
      expect(result).toMatchObject({ phase: 'Failed', message: 'stopped by the test' });
      expect(result.result ?? '').not.toContain('ran');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a missing secret or revision is Error naming the artifact', async () => {
    const noSecret = await t.run(checkout({ repo: repo.url, passwordSecret: { name: 'nope', key: 'pass' } }).req);
    expect(noSecret).toMatchObject({ phase: 'Error', message: 'input artifact "source": passwordSecret: secret "nope" has no key "pass" (give the executor its secrets)' });
    const noRevision = await t.run(checkout({ repo: repo.url, revision: 'no-such-branch' }).req);
    expect(noRevision.phase).toBe('Error');
    expect(noRevision.message).toContain(`input artifact "source": git checkout of ${repo.url} at no-such-branch: `);
  });
});
