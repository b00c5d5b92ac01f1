/**
 * Credentials for git remotes, and keeping them out of anything that gets printed.
 * Username/password go into an `https://user:pass@host/…` URL that is used for one command and
 * never stored in the clone's config; an SSH key goes into a 0600 file named by GIT_SSH_COMMAND.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { SimpleGit } from 'simple-git';
import { simpleGitLib } from './lazy-deps.js';

export interface GitCredentials {
  username?: string;
  password?: string;
  /** PEM/OpenSSH private key text for ssh:// and scp-like (`git@host:repo`) remotes. */
  sshPrivateKey?: string;
  /** Do not check the SSH host key (Argo's `insecureIgnoreHostKey`). */
  insecureIgnoreHostKey?: boolean;
}

/** The remote URL with username/password embedded (http and https only; others are returned as they are). */
export function authenticatedUrl(repoUrl: string, credentials?: GitCredentials): string {
  if (!credentials || (credentials.username === undefined && credentials.password === undefined)) return repoUrl;
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    return repoUrl;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return repoUrl;
  // GitLab and GitHub accept any user name with a token as password.
  url.username = encodeURIComponent(credentials.username ?? 'oauth2');
  if (credentials.password !== undefined) url.password = encodeURIComponent(credentials.password);
  return url.toString();
}

/** The URL without any user info: what may be shown and stored. */
export function publicUrl(repoUrl: string): string {
  try {
    const url = new URL(repoUrl);
    if (url.username === '' && url.password === '') return repoUrl;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return repoUrl;
  }
}

/** Replace every secret (and its URL-encoded form) in `text` with `***`. */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

/** The values to redact from messages for these credentials and URL. */
export function secretsOf(repoUrl: string, credentials?: GitCredentials): string[] {
  const out: string[] = [];
  if (credentials?.password !== undefined) out.push(credentials.password);
  if (credentials?.sshPrivateKey !== undefined) out.push(credentials.sshPrivateKey);
  try {
    const url = new URL(repoUrl);
    if (url.password !== '') out.push(decodeURIComponent(url.password));
  } catch {
    // not a URL (scp-like remote): nothing embedded
  }
  return out;
}

/** Variables git may need from our environment (simple-git refuses EDITOR, PAGER and the like). */
const PASS_THROUGH = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'SSH_AUTH_SOCK', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

function passThroughEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(PASS_THROUGH.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}

/** A git client whose commands never prompt, with an SSH key when one is given. Call `dispose` when done. */
export async function gitClient(
  baseDir: string,
  credentials?: GitCredentials,
  signal?: AbortSignal,
): Promise<{ git: SimpleGit; dispose: () => Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...passThroughEnv(), GIT_TERMINAL_PROMPT: '0' };
  let keyDir: string | undefined;
  const ssh = ['ssh', '-o', 'BatchMode=yes'];
  if (credentials?.insecureIgnoreHostKey) ssh.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null');
  if (credentials?.sshPrivateKey !== undefined) {
    keyDir = await mkdtemp(`${tmpdir()}/slipway-ssh-`);
    const keyFile = `${keyDir}/key`;
    await writeFile(keyFile, credentials.sshPrivateKey.endsWith('\n') ? credentials.sshPrivateKey : `${credentials.sshPrivateKey}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    ssh.push('-i', `'${keyFile.replaceAll("'", "'\\''")}'`, '-o', 'IdentitiesOnly=yes');
  }
  if (ssh.length > 3) env.GIT_SSH_COMMAND = ssh.join(' ');
  const git = simpleGitLib().simpleGit({
    baseDir,
    abort: signal,
    allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GIT_SSH_COMMAND'],
    unsafe: { allowUnsafeSshCommand: true },
  }).env(env);
  return {
    git,
    dispose: async () => {
      if (keyDir !== undefined) await rm(keyDir, { recursive: true, force: true });
    },
  };
}
