/**
 * Hook secrets that only need to be compared (GitLab's `X-Gitlab-Token` is sent verbatim): we
 * keep a SHA-256 hash, never the secret. Secrets are random (≥ 128 bits), so an unsalted hash
 * is enough, as for API tokens.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256:';

/** A new random secret to configure on the GitLab/GitHub side (43 URL-safe characters). */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** `sha256:<hex>` of the secret's UTF-8 bytes. */
export function hashSecret(secret: string): string {
  return PREFIX + createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatchesHash(presented: string, storedHash: string): boolean {
  if (!storedHash.startsWith(PREFIX)) return false;
  const expected = Buffer.from(storedHash.slice(PREFIX.length), 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
