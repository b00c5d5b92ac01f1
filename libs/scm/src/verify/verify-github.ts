/**
 * GitHub signs the raw request body: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
 * Verified before parsing, with @octokit/webhooks' `verify` (constant-time), against every
 * registered GitHub hook given. The HMAC covers the exact bytes received: a body that is not
 * valid UTF-8 (octokit takes a string) is checked over its bytes with node:crypto instead.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhooks } from '@octokit/webhooks';
import { header, normalizeHeaders, type HeaderInput } from '../http/headers.js';
import type { SecretCipher } from '../secrets/secret-cipher.js';
import type { WebhookHook } from './hooks.js';

export interface GithubVerifyOptions {
  /** Decrypts the hooks' `secretCiphertext` (GitHub hooks must store the secret encrypted). */
  cipher?: SecretCipher;
  /** Told about a hook whose secret cannot be decrypted (the hook is skipped). Never gets the secret. */
  onHookError?: (hook: WebhookHook, error: Error) => void;
}

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/** The hook whose secret signed this body, or undefined (missing or bad signature → 401). */
export async function verifyGithub<H extends WebhookHook>(
  rawBody: Buffer | string,
  headers: HeaderInput,
  hooks: readonly H[],
  options: GithubVerifyOptions = {},
): Promise<H | undefined> {
  const signature = header(normalizeHeaders(headers), 'x-hub-signature-256')?.toLowerCase();
  if (signature === undefined || !SIGNATURE.test(signature)) return undefined;
  const text = bodyAsExactString(rawBody);
  for (const hook of hooks) {
    if (hook.provider !== 'github' || !hook.secretCiphertext) continue;
    if (!options.cipher) throw new Error(`webhook hook "${hook.name}" stores an encrypted secret but no SecretCipher was given`);
    let secret: string;
    try {
      secret = options.cipher.decrypt(hook.secretCiphertext);
    } catch (err) {
      options.onHookError?.(hook, err as Error);
      continue;
    }
    // octokit refuses an empty payload; the byte path covers it (and non-UTF-8 bodies).
    const ok = text ? await new Webhooks({ secret }).verify(text, signature) : hmacMatches(secret, Buffer.from(rawBody), signature);
    if (ok) return hook;
  }
  return undefined;
}

/** The body as a string whose UTF-8 encoding is exactly the bytes received, else undefined. */
function bodyAsExactString(body: Buffer | string): string | undefined {
  if (typeof body === 'string') return body;
  const text = body.toString('utf8');
  return Buffer.byteLength(text, 'utf8') === body.length && Buffer.from(text, 'utf8').equals(body) ? text : undefined;
}

function hmacMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
