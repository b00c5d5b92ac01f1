/**
 * The worker's secrets (`usernameSecret`, `passwordSecret`, `sshPrivateKeySecret` of git input
 * artifacts, …) from a directory laid out like mounted Kubernetes Secrets: one subdirectory per
 * Secret, one file per key, the file's bytes being the value (`SLIPWAY_SECRETS_DIR`):
 *
 *     $SLIPWAY_SECRETS_DIR/git-creds/username
 *     $SLIPWAY_SECRETS_DIR/git-creds/password
 *
 * This is what mounting each Secret at `$SLIPWAY_SECRETS_DIR/<name>` gives (its `..data` links and
 * other dot-entries are skipped), and what a platform team writes by hand on a plain host (mode
 * 0700/0600). Values are taken as they are — no newline is trimmed, as Kubernetes does not trim —
 * and never logged; `describeSecrets` names the secrets and keys only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from './git-artifacts.js';

export class SecretsDirError extends Error {}

/** Read every Secret under `dir` (missing dir, unreadable file → SecretsDirError naming the path). */
export function loadSecretsDir(dir: string): SecretStore {
  const store: SecretStore = {};
  for (const name of entries(dir)) {
    const secretDir = join(dir, name);
    if (!isDirectory(secretDir)) continue; // a stray file beside the Secrets
    const keys: Record<string, string> = {};
    for (const key of entries(secretDir)) {
      const file = join(secretDir, key);
      if (isDirectory(file)) continue;
      try {
        keys[key] = readFileSync(file, 'utf8');
      } catch (err) {
        throw new SecretsDirError(`SLIPWAY_SECRETS_DIR: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    store[name] = keys;
  }
  return store;
}

/** `git-creds (password, username), registry (token)`: names only, for the start-up log. */
export function describeSecrets(store: SecretStore): string {
  const names = Object.keys(store).sort();
  if (names.length === 0) return 'no secrets';
  return names.map((n) => `${n} (${Object.keys(store[n]).sort().join(', ')})`).join(', ');
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((e) => !e.startsWith('.')).sort();
  } catch (err) {
    throw new SecretsDirError(`SLIPWAY_SECRETS_DIR: cannot read the directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory(); // follows Kubernetes' symlinks
  } catch {
    return false;
  }
}
