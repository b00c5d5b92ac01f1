/**
 * The key that encrypts GitHub hook secrets (`SecretCipher`): SLIPWAY_SECRET_KEY, else derived from
 * SLIPWAY_ADMIN_TOKEN (stable while the token is), else a random key with a warning (GitHub hooks
 * created now cannot be verified after a restart). SLIPWAY_SECRET_KEY_PREVIOUS keeps decrypting
 * during a rotation.
 */
import type { SlipwayConfig } from '@slipway/config';
import { SecretCipher } from '@slipway/scm';
import { createHash } from 'node:crypto';

export const SECRET_CIPHER = Symbol('SecretCipher');

export function secretCipherFor(config: SlipwayConfig, warn: (message: string) => void = () => undefined): SecretCipher {
  const previous = config.SLIPWAY_SECRET_KEY_PREVIOUS ?? [];
  if (config.SLIPWAY_SECRET_KEY) return new SecretCipher(config.SLIPWAY_SECRET_KEY, previous);
  if (config.SLIPWAY_ADMIN_TOKEN) return new SecretCipher(derivedKey(config.SLIPWAY_ADMIN_TOKEN), previous);
  warn('SLIPWAY_SECRET_KEY is not set: GitHub webhook secrets are encrypted with a random key and cannot be verified after a restart');
  return new SecretCipher(SecretCipher.generateKey(), previous);
}

/** 32 bytes from the admin token, domain-separated so the key is not the token's hash. */
export function derivedKey(adminToken: string): string {
  return createHash('sha256').update(`slipway:webhook-secret-key:v1:${adminToken}`).digest('hex');
}
