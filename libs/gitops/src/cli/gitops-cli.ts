/**
 * `slipway-gitops update-tag …`: the GitOps tag update as a command a container step runs.
 * Prints `{"commit":…,"alreadyDone":…}` on stdout; exit 0 done, 1 failed, 2 bad usage.
 * Secrets never come on the command line: a password or token from `--password-file` or
 * `$GITOPS_PASSWORD`, an SSH key from `--ssh-key-file` or `$GITOPS_SSH_KEY`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { GitCredentials } from '../git-auth.js';
import { updateImageTag } from '../update-tag.js';
import type { TagMode } from '../yaml-tag.js';

export const GITOPS_USAGE = `usage: slipway-gitops update-tag --repo URL --branch BRANCH --file PATH --image NAME --tag TAG
         [--mode kustomize|helm|key] [--key a.b.c] [--digest sha256:…] --workflow-uid UID
         [--author-name NAME] [--author-email EMAIL] [--username USER]
         [--password-file PATH] [--ssh-key-file PATH] [--insecure-ignore-host-key]
         [--commit-file PATH] [--max-attempts N]
  Sets the image tag in a YAML file of the GitOps repo, commits (with Slipway-Workflow and
  Slipway-Change trailers) and pushes, once: a retry whose change is already on the branch
  does nothing. Password/token also from $GITOPS_PASSWORD, SSH key from $GITOPS_SSH_KEY.
`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

const MODES: TagMode[] = ['kustomize', 'helm', 'key'];

export async function gitopsMain(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(GITOPS_USAGE);
    return 0;
  }
  if (command !== 'update-tag') {
    io.stderr(`slipway-gitops: unknown command "${command ?? ''}"\n${GITOPS_USAGE}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      options: {
        repo: { type: 'string' },
        branch: { type: 'string' },
        file: { type: 'string' },
        image: { type: 'string' },
        tag: { type: 'string' },
        digest: { type: 'string' },
        mode: { type: 'string', default: 'kustomize' },
        key: { type: 'string' },
        'workflow-uid': { type: 'string' },
        'author-name': { type: 'string', default: 'Slipway' },
        'author-email': { type: 'string', default: 'slipway@localhost' },
        username: { type: 'string' },
        'password-file': { type: 'string' },
        'ssh-key-file': { type: 'string' },
        'insecure-ignore-host-key': { type: 'boolean' },
        'commit-file': { type: 'string' },
        'max-attempts': { type: 'string' },
      },
    }).values;
  } catch (error) {
    io.stderr(`slipway-gitops: ${(error as Error).message}\n${GITOPS_USAGE}`);
    return 2;
  }
  const str = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const missing = ['repo', 'branch', 'file', 'image', 'tag', 'workflow-uid'].filter((n) => !str(n));
  const mode = str('mode') as TagMode;
  if (missing.length > 0 || !MODES.includes(mode)) {
    io.stderr(`slipway-gitops: ${missing.length > 0 ? `missing --${missing.join(', --')}` : `--mode must be one of ${MODES.join(', ')}`}\n${GITOPS_USAGE}`);
    return 2;
  }
  try {
    const credentials: GitCredentials = {
      username: str('username') ?? io.env.GITOPS_USERNAME,
      password: readSecret(str('password-file')) ?? io.env.GITOPS_PASSWORD,
      sshPrivateKey: readSecret(str('ssh-key-file')) ?? io.env.GITOPS_SSH_KEY,
      insecureIgnoreHostKey: values['insecure-ignore-host-key'] === true,
    };
    const result = await updateImageTag({
      repoUrl: str('repo')!,
      branch: str('branch')!,
      file: str('file')!,
      image: str('image')!,
      tag: str('tag')!,
      digest: str('digest') || undefined,
      mode,
      key: str('key'),
      workflowUid: str('workflow-uid')!,
      author: { name: str('author-name')!, email: str('author-email')! },
      credentials,
      maxAttempts: str('max-attempts') === undefined ? undefined : Number(str('max-attempts')),
    });
    const commitFile = str('commit-file');
    if (commitFile !== undefined) writeFileSync(commitFile, result.commit);
    io.stderr(result.alreadyDone ? `already done: ${result.commit}\n` : `pushed ${result.commit} to ${str('branch')}\n`);
    io.stdout(`${JSON.stringify({ commit: result.commit, alreadyDone: result.alreadyDone })}\n`);
    return 0;
  } catch (error) {
    io.stderr(`slipway-gitops: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function readSecret(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}
