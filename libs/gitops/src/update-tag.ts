/**
 * The GitOps write-back: clone the GitOps repo shallowly, set an image tag in one YAML file,
 * commit with a deterministic trailer and push — once. A retry (of the step, or of the whole
 * workflow) that finds its `Slipway-Change` trailer already on the branch does nothing; a push
 * rejected because someone else pushed first is retried on top of their commit.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { authenticatedUrl, gitClient, publicUrl, redact, secretsOf, type GitCredentials } from './git-auth.js';
import { setImageTag, TagEditError, type TagMode } from './yaml-tag.js';

export interface UpdateImageTagOptions {
  repoUrl: string;
  branch: string;
  /** Path of the YAML file inside the repository. */
  file: string;
  image: string;
  tag: string;
  /** The image digest the tag points at, recorded as an `Image-Digest` trailer (not part of the change identity). */
  digest?: string;
  mode: TagMode;
  /** Key path for `helm` (default `image.tag`) and `key` modes. */
  key?: string;
  author: { name: string; email: string };
  /** The workflow making the change: recorded as the `Slipway-Workflow` trailer. */
  workflowUid: string;
  credentials?: GitCredentials;
  /** Push attempts before giving up on non-fast-forward rejections (default 5). */
  maxAttempts?: number;
  /** How many commits of history to fetch and search for the trailer (default 50). */
  depth?: number;
  /** Called after the commit and before each push (tests use it to push a concurrent commit). */
  beforePush?: (attempt: number) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface UpdateImageTagResult {
  /** The commit on the branch that carries the change (ours, or the earlier one we found). */
  commit: string;
  /** True when nothing was pushed: the trailer was already on the branch or the file already had the tag. */
  alreadyDone: boolean;
  /** Push attempts made (0 when already done). */
  attempts: number;
}

export class GitOpsError extends Error {}

export const TRAILER_WORKFLOW = 'Slipway-Workflow';
export const TRAILER_CHANGE = 'Slipway-Change';

/** The identity of a change: the same file, image and tag always give the same hash. */
export function changeHash(file: string, image: string, tag: string): string {
  return createHash('sha256').update(`${normalize(file)}\n${image}\n${tag}`).digest('hex').slice(0, 16);
}

export function commitMessage(opts: Pick<UpdateImageTagOptions, 'file' | 'image' | 'tag' | 'workflowUid' | 'digest'>): string {
  return [
    `Set ${opts.image} to ${opts.tag} in ${opts.file}`,
    '',
    ...(opts.digest ? [`Image-Digest: ${opts.digest}`] : []),
    `${TRAILER_WORKFLOW}: ${opts.workflowUid}`,
    `${TRAILER_CHANGE}: ${changeHash(opts.file, opts.image, opts.tag)}`,
  ].join('\n');
}

export async function updateImageTag(opts: UpdateImageTagOptions): Promise<UpdateImageTagResult> {
  validate(opts);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-gitops-'));
  const remote = authenticatedUrl(opts.repoUrl, opts.credentials);
  const shown = publicUrl(opts.repoUrl);
  const secrets = secretsOf(remote, opts.credentials);
  const { git, dispose } = await gitClient(dir, opts.credentials, opts.signal);
  try {
    return await run(git, dir, remote, opts);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const clean = redact(message.split(remote).join(shown), secrets);
    throw error instanceof TagEditError || error instanceof GitOpsError ? new GitOpsError(clean) : new GitOpsError(`${shown} (${opts.branch}): ${clean}`);
  } finally {
    await dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(git: SimpleGit, dir: string, remote: string, opts: UpdateImageTagOptions): Promise<UpdateImageTagResult> {
  const depth = String(opts.depth ?? 50);
  const hash = changeHash(opts.file, opts.image, opts.tag);
  await git.clone(remote, dir, ['--depth', depth, '--single-branch', '--branch', opts.branch, '--no-tags']);
  // The credential-bearing URL is only ever on a command line, never in the clone's config.
  await git.remote(['set-url', 'origin', publicUrl(opts.repoUrl)]);
  const maxAttempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const found = await findChange(git, hash);
    if (found !== undefined) return { commit: found, alreadyDone: true, attempts: attempt - 1 };
    const path = join(dir, opts.file);
    if (!existsSync(path)) throw new GitOpsError(`file "${opts.file}" not found on branch ${opts.branch} of ${publicUrl(opts.repoUrl)}`);
    const edited = setImageTag(await readFile(path, 'utf8'), opts.file, opts);
    if (!edited.changed) return { commit: await head(git), alreadyDone: true, attempts: attempt - 1 };
    await writeFile(path, edited.text);
    await git.add(['--', opts.file]);
    await git
      .addConfig('user.name', opts.author.name)
      .addConfig('user.email', opts.author.email)
      .commit(commitMessage(opts));
    await opts.beforePush?.(attempt);
    try {
      await git.push(remote, `HEAD:refs/heads/${opts.branch}`);
      return { commit: await head(git), alreadyDone: false, attempts: attempt };
    } catch (error) {
      if (!isRejected(error) || attempt >= maxAttempts) {
        if (isRejected(error)) throw new GitOpsError(`push to ${publicUrl(opts.repoUrl)} ${opts.branch} was rejected ${attempt} times (others keep pushing); giving up`);
        throw error;
      }
    }
    // Someone pushed first: move onto their commit and apply the change again (a rebase of our
    // one-line edit that cannot conflict), unless their history already has our change.
    await git.fetch(remote, `+refs/heads/${opts.branch}:refs/remotes/origin/${opts.branch}`, { '--depth': depth });
    await git.reset(['--hard', `refs/remotes/origin/${opts.branch}`]);
  }
}

/** The newest commit in the fetched history whose message has our `Slipway-Change` trailer. */
async function findChange(git: SimpleGit, hash: string): Promise<string | undefined> {
  const out = await git.raw(['log', '--format=%H', '--fixed-strings', `--grep=${TRAILER_CHANGE}: ${hash}`, 'HEAD']);
  const first = out.split('\n').find((line) => line.trim() !== '');
  return first?.trim();
}

async function head(git: SimpleGit): Promise<string> {
  return (await git.revparse(['HEAD'])).trim();
}

function isRejected(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref|stale info/i.test(message);
}

function validate(opts: UpdateImageTagOptions): void {
  const missing = (['repoUrl', 'branch', 'file', 'image', 'tag', 'workflowUid'] as const).filter((k) => !opts[k]);
  if (missing.length > 0) throw new GitOpsError(`missing ${missing.join(', ')}`);
  if (!opts.author?.name || !opts.author?.email) throw new GitOpsError('missing author name or e-mail');
  const file = normalize(opts.file);
  if (file.startsWith('..') || file.startsWith('/')) throw new GitOpsError(`file "${opts.file}" must be a path inside the repository`);
  if (opts.branch.startsWith('-') || /\s|\.\.|[~^:?*[\\]/.test(opts.branch)) throw new GitOpsError(`branch "${opts.branch}" is not a valid branch name`);
}
