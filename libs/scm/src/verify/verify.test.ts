/** Verification before parsing: GitLab's token (constant-time, hashed) and GitHub's HMAC over the raw bytes. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretCipher, SecretCipherError } from '../secrets/secret-cipher.js';
import { generateWebhookSecret, hashSecret, secretMatchesHash } from '../secrets/secret-hash.js';
import type { WebhookHook } from './hooks.js';
import { verifyGithub } from './verify-github.js';
import { verifyGitlab } from './verify-gitlab.js';

const cipherKey = SecretCipher.generateKey();
const cipher = new SecretCipher(cipherKey);
const glSecretA = generateWebhookSecret();
const glSecretB = generateWebhookSecret();
const ghSecret = 'It\'s a Secret to Everybody';

const hooks: WebhookHook[] = [
  { id: '1', provider: 'gitlab', name: 'shop', namespace: 'shop', secretHash: hashSecret(glSecretA) },
  { id: '2', provider: 'gitlab', name: 'ops', namespace: 'ops', secretHash: hashSecret(glSecretB) },
  { id: '3', provider: 'github', name: 'gh', namespace: 'shop', secretCiphertext: cipher.encrypt(ghSecret) },
];

const sign = (secret: string, body: Buffer | string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('secrets', () => {
  it('stores only a hash and compares in constant time', () => {
    const hash = hashSecret('s3cret');
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash).not.toContain('s3cret');
    expect(secretMatchesHash('s3cret', hash)).toBe(true);
    expect(secretMatchesHash('s3cret ', hash)).toBe(false);
    expect(secretMatchesHash('s3cret', 'plain')).toBe(false);
  });

  it('encrypts with AES-GCM, detects tampering and decrypts with a previous key', () => {
    const ct = cipher.encrypt(ghSecret);
    expect(ct).not.toContain('Secret');
    expect(cipher.decrypt(ct)).toBe(ghSecret);
    expect(cipher.encrypt(ghSecret)).not.toBe(ct);
    const parts = ct.split('.');
    parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1'), 'latin1').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow(SecretCipherError);
    const rotated = new SecretCipher(SecretCipher.generateKey(), [cipherKey]);
    expect(rotated.decrypt(ct)).toBe(ghSecret);
    expect(() => new SecretCipher(SecretCipher.generateKey()).decrypt(ct)).toThrow(/another key/);
    expect(() => new SecretCipher('too-short')).toThrow(/32 bytes/);
  });
});

describe('verifyGitlab', () => {
  it('returns the hook whose secret the X-Gitlab-Token carries', () => {
    expect(verifyGitlab({ 'x-gitlab-token': glSecretA }, hooks)?.name).toBe('shop');
    expect(verifyGitlab({ 'X-Gitlab-Token': glSecretB }, hooks)?.name).toBe('ops');
    expect(verifyGitlab(new Headers({ 'X-Gitlab-Token': glSecretB }), hooks)?.name).toBe('ops');
  });

  it('rejects a wrong, missing or empty token', () => {
    expect(verifyGitlab({ 'x-gitlab-token': `${glSecretA}x` }, hooks)).toBeUndefined();
    expect(verifyGitlab({ 'x-gitlab-token': '' }, hooks)).toBeUndefined();
    expect(verifyGitlab({}, hooks)).toBeUndefined();
    expect(verifyGitlab({ 'x-gitlab-token': glSecretA }, [])).toBeUndefined();
  });

  it('never matches a hook of the other provider', () => {
    expect(verifyGitlab({ 'x-gitlab-token': ghSecret }, hooks, { cipher })).toBeUndefined();
  });

  it('also accepts hooks that keep the secret encrypted', () => {
    const enc: WebhookHook = { id: '9', provider: 'gitlab', name: 'enc', namespace: 'x', secretCiphertext: cipher.encrypt('tok') };
    expect(verifyGitlab({ 'x-gitlab-token': 'tok' }, [enc], { cipher })?.name).toBe('enc');
    expect(() => verifyGitlab({ 'x-gitlab-token': 'tok' }, [enc])).toThrow(/no SecretCipher/);
  });
});

describe('verifyGithub', () => {
  const body = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome – ✓', hook_id: 1 }));

  it('accepts the HMAC-SHA256 of the raw body', async () => {
    const hook = await verifyGithub(body, { 'x-hub-signature-256': sign(ghSecret, body) }, hooks, { cipher });
    expect(hook?.name).toBe('gh');
  });

  it("matches GitHub's documented test vector", async () => {
    // GitHub docs, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
    const sig = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect((await verifyGithub('Hello, World!', { 'X-Hub-Signature-256': sig }, hooks, { cipher }))?.id).toBe('3');
  });

  it('rejects a body changed by one byte, re-serialised JSON, or a wrong secret', async () => {
    const sig = sign(ghSecret, body);
    const changed = Buffer.from(body);
    changed[changed.length - 2] ^= 1;
    expect(await verifyGithub(changed, { 'x-hub-signature-256': sig }, hooks, { cipher })).toBeUndefined();
    const reformatted = JSON.stringify(JSON.parse(body.toString()), null, 2);
    expect(await verifyGithub(reformatted, { 'x-hub-signature-256': sig }, hooks, { cipher })).toBeUndefined();
    expect(await verifyGithub(body, { 'x-hub-signature-256': sign('nope', body) }, hooks, { cipher })).toBeUndefined();
  });

  it('rejects missing, legacy SHA-1 and malformed signatures', async () => {
    expect(await verifyGithub(body, {}, hooks, { cipher })).toBeUndefined();
    const sha1 = `sha1=${createHmac('sha1', ghSecret).update(body).digest('hex')}`;
    expect(await verifyGithub(body, { 'x-hub-signature': sha1 }, hooks, { cipher })).toBeUndefined();
    expect(await verifyGithub(body, { 'x-hub-signature-256': 'sha256=xyz' }, hooks, { cipher })).toBeUndefined();
  });

  it('verifies over the exact bytes even when they are not valid UTF-8', async () => {
    const raw = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect((await verifyGithub(raw, { 'x-hub-signature-256': sign(ghSecret, raw) }, hooks, { cipher }))?.id).toBe('3');
    const lossy = Buffer.from(raw.toString('utf8'));
    expect(await verifyGithub(lossy, { 'x-hub-signature-256': sign(ghSecret, raw) }, hooks, { cipher })).toBeUndefined();
  });

  it('skips a hook whose secret cannot be decrypted and says so without the secret', async () => {
    const other = new SecretCipher(SecretCipher.generateKey());
    const broken: WebhookHook = { id: '8', provider: 'github', name: 'old', namespace: 'x', secretCiphertext: other.encrypt(ghSecret) };
    const errors: string[] = [];
    const hook = await verifyGithub(body, { 'x-hub-signature-256': sign(ghSecret, body) }, [broken, ...hooks], {
      cipher,
      onHookError: (h, e) => errors.push(`${h.name}: ${e.message}`),
    });
    expect(hook?.id).toBe('3');
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toContain(ghSecret);
  });
});
