/**
 * Check out a git repository into a directory, as Argo's git input artifact does: `revision`
 * is anything `git checkout` accepts (branch, tag, commit), `depth` makes every clone and fetch
 * shallow, `singleBranch` + `branch` fetch one branch only, `fetch` refspecs are fetched before
 * the checkout. A revision the shallow clone does not contain (an older commit or tag) is
 * fetched by name. Credentials go through git-auth.ts and never reach the checkout's config.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { SimpleGit } from 'simple-git';
import { authenticatedUrl, gitClient, publicUrl, redact, secretsOf, type GitCredentials } from './git-auth.js';

export interface GitCheckoutSpec {
  repo: string;
  revision?: string;
  depth?: number;
  singleBranch?: boolean;
  branch?: string;
  fetch?: string[];
  disableSubmodules?: boolean;
}

export class GitCheckoutError extends Error {}

export async function checkoutGit(
  spec: GitCheckoutSpec,
  dest: string,
  options: { credentials?: GitCredentials; signal?: AbortSignal } = {},
): Promise<{ commit: string }> {
  const remote = authenticatedUrl(spec.repo, options.credentials);
  const shown = publicUrl(spec.repo);
  const created = !existsSync(dest);
  await mkdir(dest, { recursive: true });
  const { git, dispose } = await gitClient(dest, options.credentials, options.signal);
  try {
    await clone(git, spec, remote, dest);
    return { commit: (await git.revparse(['HEAD'])).trim() };
  } catch (error) {
    if (created) await rm(dest, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new GitCheckoutError(`git checkout of ${shown}${spec.revision ? ` at ${spec.revision}` : ''}: ${redact(message.split(remote).join(shown), secretsOf(remote, options.credentials)).trim()}`);
  } finally {
    await dispose();
  }
}

async function clone(git: SimpleGit, spec: GitCheckoutSpec, remote: string, dest: string): Promise<void> {
  const depth = spec.depth !== undefined && Number(spec.depth) > 0 ? ['--depth', String(Number(spec.depth))] : [];
  const args = ['--no-checkout', ...depth];
  if (spec.singleBranch) {
    if (!spec.branch) throw new GitCheckoutError('singleBranch needs a branch');
    args.push('--single-branch', '--branch', spec.branch);
  } else {
    if (depth.length > 0) args.push('--no-single-branch');
    if (spec.branch) args.push('--branch', spec.branch);
  }
  await git.clone(remote, dest, args);
  await git.remote(['set-url', 'origin', publicUrl(spec.repo)]);
  if (spec.fetch && spec.fetch.length > 0) await git.fetch([...depth, remote, ...spec.fetch]);

  const revision = spec.revision === undefined || spec.revision === '' ? undefined : String(spec.revision);
  if (revision === undefined) {
    await git.raw(['checkout', '--force', 'HEAD']);
  } else if (await resolves(git, revision)) {
    await git.raw(['checkout', '--force', revision, '--']);
  } else if (await resolves(git, `origin/${revision}`)) {
    await git.raw(['checkout', '--force', '-B', revision, `origin/${revision}`, '--']);
  } else {
    // Not in the (shallow or single-branch) clone: fetch it by name or commit id.
    await git.fetch([...depth, remote, revision]);
    await git.raw(['checkout', '--force', '--detach', 'FETCH_HEAD', '--']);
  }
  if (!spec.disableSubmodules && existsSync(`${dest}/.gitmodules`)) {
    await git.raw(['submodule', 'update', '--init', '--recursive', ...depth]);
  }
}

async function resolves(git: SimpleGit, revision: string): Promise<boolean> {
  try {
    await git.raw(['rev-parse', '--verify', `${revision}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}
