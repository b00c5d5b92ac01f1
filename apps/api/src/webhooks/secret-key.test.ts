/** The key of GitHub hook secrets: configured, derived from the admin token (stable), or random with a warning; rotation. */
import { loadConfig } from '@slipway/config';
import { SecretCipher } from '@slipway/scm';
import { describe, expect, it } from 'vitest';
import { secretCipherFor } from './secret-key.js';

describe('secretCipherFor', () => {
  it('uses SLIPWAY_SECRET_KEY, and SLIPWAY_SECRET_KEY_PREVIOUS still decrypts', () => {
    const oldKey = SecretCipher.generateKey();
    const newKey = SecretCipher.generateKey();
    const before = secretCipherFor(loadConfig({ SLIPWAY_SECRET_KEY: oldKey }));
    const ciphertext = before.encrypt('s3cret');
    const rotated = secretCipherFor(loadConfig({ SLIPWAY_SECRET_KEY: newKey, SLIPWAY_SECRET_KEY_PREVIOUS: oldKey }));
    expect(rotated.decrypt(ciphertext)).toBe('s3cret');
    expect(() => secretCipherFor(loadConfig({ SLIPWAY_SECRET_KEY: newKey })).decrypt(ciphertext)).toThrow(/another key/);
  });

  it('without a key: derived from the admin token, the same across restarts', () => {
    const env = { SLIPWAY_ADMIN_TOKEN: 'an-admin-token-0123456789' };
    const ciphertext = secretCipherFor(loadConfig(env)).encrypt('s3cret');
    expect(secretCipherFor(loadConfig(env)).decrypt(ciphertext)).toBe('s3cret');
    expect(() => secretCipherFor(loadConfig({ SLIPWAY_ADMIN_TOKEN: 'another-admin-token-0123' })).decrypt(ciphertext)).toThrow();
  });

  it('without a key or admin token: a random key and a warning', () => {
    const warnings: string[] = [];
    const cipher = secretCipherFor(loadConfig({}), (m) => warnings.push(m));
    expect(cipher.decrypt(cipher.encrypt('x'))).toBe('x');
    expect(warnings).toEqual([expect.stringContaining('SLIPWAY_SECRET_KEY is not set')]);
  });
});
