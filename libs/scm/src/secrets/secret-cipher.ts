/**
 * Hook secrets that must be used, not only compared (GitHub signs each body with an HMAC keyed
 * by the secret): stored encrypted with AES-256-GCM under a server key. Ciphertexts look like
 * `v1.<key id>.<iv>.<tag>.<data>` (base64url parts); the key id lets an old key keep decrypting
 * while a new one encrypts (key rotation).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export class SecretCipherError extends Error {}

interface Key {
  id: string;
  bytes: Buffer;
}

function parseKey(text: string): Key {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) throw new SecretCipherError('a secret key must be 32 bytes, given as 64 hex digits or base64');
  // A short, non-secret fingerprint of the key, stored with each ciphertext.
  const id = createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
  return { id, bytes };
}

export class SecretCipher {
  private readonly current: Key;
  private readonly byId: Map<string, Key>;

  /** `key` encrypts; `previousKeys` still decrypt. Keys: 32 bytes as hex or base64. */
  constructor(key: string, previousKeys: readonly string[] = []) {
    this.current = parseKey(key);
    this.byId = new Map([this.current, ...previousKeys.map(parseKey)].map((k) => [k.id, k]));
  }

  /** A new random key in the format the constructor takes. */
  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(this.current.id));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  /** Throws SecretCipherError for a foreign key, a malformed or a tampered ciphertext. */
  decrypt(ciphertext: string): string {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretCipherError('not a Slipway secret ciphertext (expected v1.<key>.<iv>.<tag>.<data>)');
    const [, keyId, iv, tag, data] = parts;
    const key = this.byId.get(keyId);
    if (!key) throw new SecretCipherError(`secret was encrypted with another key (${keyId})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretCipherError('secret ciphertext does not authenticate (tampered, or wrong key)');
    }
  }
}
