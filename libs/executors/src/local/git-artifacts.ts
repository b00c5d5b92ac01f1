/**
 * Git input artifacts: before any container of the pod starts, each `inputs.artifacts[].git` is
 * checked out at the host location of its `path` (what Argo's init container does). Secrets
 * named by `usernameSecret`/`passwordSecret`/`sshPrivateKeySecret` come from the executor's
 * `secrets` map (secret name → key → value); they are used for the fetch only and never logged.
 */
import { checkoutGit, type GitCheckoutSpec, type GitCredentials } from '@slipway/gitops';
import type { PodRequest } from '@slipway/engine';
import type { GitArtifact, SecretKeySelector } from '@slipway/workflow';
import type { PodLayout } from './pod-layout.js';

/** Secret name → key → value, as a Kubernetes Secret's `data` would be after decoding. */
export type SecretStore = Record<string, Record<string, string>>;

/** Check out every git input artifact; resolves to an error message, or undefined when all are in place. */
export async function fetchGitArtifacts(
  req: PodRequest,
  layout: PodLayout,
  secrets: SecretStore,
  signal: AbortSignal,
): Promise<string | undefined> {
  for (const artifact of req.inputArtifacts) {
    if (artifact.git === undefined) continue;
    const git = artifact.git as GitArtifact;
    const where = `input artifact "${artifact.name}"`;
    if (typeof git !== 'object' || git === null || typeof git.repo !== 'string' || git.repo === '') return `${where}: git.repo is required`;
    const dest = layout.hostPathOf(artifact.path);
    if (dest === undefined) return `${where}: path "${artifact.path}" cannot be written`;
    let credentials: GitCredentials;
    try {
      credentials = {
        username: secretValue(secrets, git.usernameSecret, 'usernameSecret'),
        password: secretValue(secrets, git.passwordSecret, 'passwordSecret'),
        sshPrivateKey: secretValue(secrets, git.sshPrivateKeySecret, 'sshPrivateKeySecret'),
        insecureIgnoreHostKey: git.insecureIgnoreHostKey === true,
      };
    } catch (error) {
      return `${where}: ${(error as Error).message}`;
    }
    const spec: GitCheckoutSpec = {
      repo: git.repo,
      revision: git.revision === undefined ? undefined : String(git.revision),
      depth: git.depth === undefined ? undefined : Number(git.depth),
      singleBranch: git.singleBranch === true,
      branch: git.branch,
      fetch: git.fetch,
      disableSubmodules: git.disableSubmodules === true,
    };
    try {
      await checkoutGit(spec, dest, { credentials, signal });
    } catch (error) {
      if (signal.aborted) return `${where}: git checkout stopped`;
      return `${where}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

function secretValue(secrets: SecretStore, selector: SecretKeySelector | undefined, field: string): string | undefined {
  if (selector === undefined) return undefined;
  const value = secrets[selector.name]?.[selector.key];
  if (value === undefined && selector.optional !== true) {
    throw new Error(`${field}: secret "${selector.name}" has no key "${selector.key}" (give the executor its secrets)`);
  }
  return value;
}
