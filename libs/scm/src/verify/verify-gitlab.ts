/**
 * GitLab sends the hook's secret verbatim in `X-Gitlab-Token` (no HMAC). It is checked before
 * the body is parsed, in constant time, against every registered GitLab hook given.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { header, normalizeHeaders, type HeaderInput } from '../http/headers.js';
import type { SecretCipher } from '../secrets/secret-cipher.js';
import { secretMatchesHash } from '../secrets/secret-hash.js';
import type { WebhookHook } from './hooks.js';

export interface GitlabVerifyOptions {
  /** Needed only for hooks that store `secretCiphertext` instead of `secretHash`. */
  cipher?: SecretCipher;
}

/** The hook whose secret the request carries, or undefined (missing or wrong token → 401). */
export function verifyGitlab<H extends WebhookHook>(headers: HeaderInput, hooks: readonly H[], options: GitlabVerifyOptions = {}): H | undefined {
  const token = header(normalizeHeaders(headers), 'x-gitlab-token');
  if (token === undefined) return undefined;
  for (const hook of hooks) {
    if (hook.provider !== 'gitlab') continue;
    if (hook.secretHash) {
      if (secretMatchesHash(token, hook.secretHash)) return hook;
    } else if (hook.secretCiphertext) {
      if (!options.cipher) throw new Error(`webhook hook "${hook.name}" stores an encrypted secret but no SecretCipher was given`);
      if (sameSecret(token, options.cipher.decrypt(hook.secretCiphertext))) return hook;
    }
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
