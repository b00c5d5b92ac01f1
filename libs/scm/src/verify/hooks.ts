/** Registered webhook hooks as verification sees them (rows of `webhook_hooks`). */

export type ScmProvider = 'gitlab' | 'github';

export const SCM_PROVIDERS: readonly ScmProvider[] = ['gitlab', 'github'];

export interface WebhookHook {
  id: string;
  /** `gitlab` or `github` (`ScmProvider`); a plain string so database rows fit. */
  provider: string;
  /** Unique per provider; the last segment of `/api/v1/webhooks/<provider>/<name>`. */
  name: string;
  /** Namespace whose WorkflowEventBindings a delivery through this hook may start. */
  namespace: string;
  /** `sha256:<hex>` of the secret (GitLab: the token is only compared). */
  secretHash?: string | null;
  /** The secret encrypted with SecretCipher (GitHub: the HMAC needs the secret itself). */
  secretCiphertext?: string | null;
}
