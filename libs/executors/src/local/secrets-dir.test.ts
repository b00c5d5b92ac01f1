/** SLIPWAY_SECRETS_DIR: a directory of Secrets, one subdirectory each, one file per key. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSecrets, loadSecretsDir, SecretsDirError } from './secrets-dir.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSecretsDir', () => {
  it('reads plain files and Kubernetes-mounted Secrets (..data symlinks), values untrimmed; skips dot-entries and stray files', () => {
    mkdirSync(join(dir, 'plain'));
    writeFileSync(join(dir, 'plain', 'password'), 'p@ss word\n');
    mkdirSync(join(dir, 'mounted', '..2026_11_26.1'), { recursive: true });
    writeFileSync(join(dir, 'mounted', '..2026_11_26.1', 'token'), 'tok');
    symlinkSync('..2026_11_26.1', join(dir, 'mounted', '..data'));
    symlinkSync('..data/token', join(dir, 'mounted', 'token'));
    writeFileSync(join(dir, 'README'), 'not a secret');
    mkdirSync(join(dir, '.hidden'));
    const store = loadSecretsDir(dir);
    expect(store).toEqual({ plain: { password: 'p@ss word\n' }, mounted: { token: 'tok' } });
    expect(describeSecrets(store)).toBe('mounted (token), plain (password)');
    expect(describeSecrets({})).toBe('no secrets');
  });

  it('a missing directory is an error naming the variable and the path', () => {
    expect(() => loadSecretsDir(join(dir, 'nope'))).toThrow(SecretsDirError);
    expect(() => loadSecretsDir(join(dir, 'nope'))).toThrow(`SLIPWAY_SECRETS_DIR: cannot read the directory ${join(dir, 'nope')}: ENOENT`);
  });
});
