/**
 * Credentials from the worker's secrets reach its executor: a git input artifact with
 * `usernameSecret`/`passwordSecret` is fetched from a git server that demands HTTP Basic auth,
 * with the secrets read from a SLIPWAY_SECRETS_DIR-style directory (one directory per Secret, one
 * file per key, Kubernetes' `..data` symlink layout). The secret values appear nowhere in the
 * workflow the API returns; a secret that is not there fails the node with a message naming it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSecretsDir } from '@slipway/executors/local';
import { createBareRepo, serveGitHttp, type BareRepo, type GitHttpServer } from '@slipway/gitops/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type ServiceHarness } from './service-harness.js';

const PASSWORD = 'tok-9f3e-git-s3cret';
let s: ServiceHarness;
let repo: BareRepo;
let server: GitHttpServer;
let secretsDir: string;
let hostDir: string;

beforeAll(async () => {
  repo = createBareRepo({ VERSION: 'from-the-private-repo\n' }, { name: 'private' });
  server = await serveGitHttp(dirname(repo.path), { username: 'ci-bot', password: PASSWORD });
  secretsDir = mkdtempSync(join(tmpdir(), 'slipway-secrets-'));
  // As a mounted Kubernetes Secret looks: keys are symlinks into a timestamped ..data directory.
  const data = join(secretsDir, 'git-creds', '..2026_11_26_10_00_00.1');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'username'), 'ci-bot');
  writeFileSync(join(data, 'password'), PASSWORD);
  symlinkSync('..2026_11_26_10_00_00.1', join(secretsDir, 'git-creds', '..data'));
  symlinkSync('..data/username', join(secretsDir, 'git-creds', 'username'));
  symlinkSync('..data/password', join(secretsDir, 'git-creds', 'password'));
  hostDir = mkdtempSync(join(tmpdir(), 'slipway-git-creds-'));
  s = await startService('git_credentials', { secrets: loadSecretsDir(secretsDir) });
});

afterAll(async () => {
  await s?.close();
  await server?.close();
  repo?.dispose();
  rmSync(secretsDir, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

function workflow(name: string, passwordSecret: { name: string; key: string }) {
  // Sandboxed pods have their own /src; unsandboxed ones write on the host.
  const path = s.sandbox === 'bwrap' ? '/src' : join(hostDir, name);
  return {
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name, namespace: 'shop' },
      spec: {
        entrypoint: 'main',
        templates: [
          {
            name: 'main',
            inputs: { artifacts: [{ name: 'source', path, git: { repo: `${server.url}/private.git`, usernameSecret: { name: 'git-creds', key: 'username' }, passwordSecret } }] },
            container: { image: 'alpine', command: ['sh', '-c', `cat ${path}/VERSION`] },
          },
        ],
      },
    },
  };
}

test('a git artifact is fetched with the credentials from the worker\'s secrets directory', async () => {
  expect((await s.call('POST', '/api/v1/workflows/shop', workflow('with-creds', { name: 'git-creds', key: 'password' }))).status).toBe(200);
  const wf = await s.finished('shop', 'with-creds');
  expect(wf.status.phase, JSON.stringify(wf.status)).toBe('Succeeded');
  const logs = await fetch(`${s.base}/api/v1/workflows/shop/with-creds/log?logOptions.container=main`, { headers: { authorization: 'Bearer service-harness-admin-token-0123' } });
  expect(await logs.text()).toContain('from-the-private-repo');
  expect(server.requests.some((r) => r.includes('/private.git/'))).toBe(true);
  expect(JSON.stringify(wf)).not.toContain(PASSWORD);
});

test('a secret key the worker does not have fails the node, naming the secret, not a value', async () => {
  expect((await s.call('POST', '/api/v1/workflows/shop', workflow('missing-key', { name: 'git-creds', key: 'token' }))).status).toBe(200);
  const wf = await s.finished('shop', 'missing-key');
  expect(wf.status.phase).not.toBe('Succeeded');
  const text = JSON.stringify(wf.status);
  expect(text).toContain('passwordSecret: secret \\"git-creds\\" has no key \\"token\\"');
  expect(text).not.toContain(PASSWORD);
});
