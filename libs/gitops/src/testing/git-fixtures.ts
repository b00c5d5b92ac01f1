/**
 * Real git repositories for tests: a bare repository in a temporary directory, seeded with
 * files, plus helpers to push more commits, tags and branches and to read what landed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const IDENTITY = ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false'];

export function git(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const name of Object.keys(env)) if (name.startsWith('GIT_') && name !== 'GIT_TERMINAL_PROMPT') delete env[name];
  return execFileSync('git', [...IDENTITY, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface BareRepo {
  /** `file://` URL of the bare repository. */
  url: string;
  /** Host path of the bare repository. */
  path: string;
  /** Write files (path → content, null deletes) on `branch` (default main) and push; returns the new commit. */
  commit(files: Record<string, string | null>, message?: string, branch?: string): string;
  /** Create a lightweight (or annotated, with a message) tag at a revision and push it. */
  tag(name: string, revision: string, message?: string): void;
  /** Commit hashes of a branch, newest first. */
  log(branch?: string): string[];
  /** Full message of a commit. */
  message(revision: string): string;
  /** A file's content at a revision, or undefined when absent. */
  read(revision: string, file: string): string | undefined;
  dispose(): void;
}

/** A bare repository whose `main` branch has one commit holding `files`. */
export function createBareRepo(files: Record<string, string>, opts: { name?: string; parent?: string } = {}): BareRepo {
  const root = mkdtempSync(join(opts.parent ?? tmpdir(), `slipway-${opts.name ?? 'repo'}-`));
  const path = join(root, `${opts.name ?? 'repo'}.git`);
  const work = join(root, 'work');
  git(root, 'init', '--bare', '--initial-branch=main', path);
  git(root, 'clone', path, work);

  const commit = (changes: Record<string, string | null>, message = 'change', branch = 'main'): string => {
    git(work, 'fetch', 'origin');
    const branches = git(work, 'branch', '-r');
    if (branches.split('\n').some((b) => b.trim() === `origin/${branch}`)) git(work, 'checkout', '-B', branch, `origin/${branch}`);
    else git(work, 'checkout', '-B', branch);
    for (const [file, content] of Object.entries(changes)) {
      const target = join(work, file);
      if (content === null) rmSync(target, { force: true });
      else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
    git(work, 'add', '-A');
    git(work, 'commit', '--allow-empty', '-m', message);
    git(work, 'push', 'origin', `HEAD:refs/heads/${branch}`);
    return git(work, 'rev-parse', 'HEAD');
  };
  commit(files, 'initial commit');

  return {
    url: `file://${path}`,
    path,
    commit,
    tag: (name, revision, message) => {
      if (message === undefined) git(path, 'tag', name, revision);
      else git(path, 'tag', '-a', '-m', message, name, revision);
    },
    log: (branch = 'main') => git(path, 'log', '--format=%H', branch).split('\n').filter(Boolean),
    message: (revision) => git(path, 'log', '-1', '--format=%B', revision),
    read: (revision, file) => {
      try {
        return execFileSync('git', ['show', `${revision}:${file}`], { cwd: path, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return undefined;
      }
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
