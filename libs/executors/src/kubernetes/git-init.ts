/**
 * Git input artifacts: one init container per artifact (a git image) clones into the staging
 * volume at `inputs/artifacts/<name>`, which the main containers mount at the artifact's path.
 * Credentials come from the Secrets the artifact names (`secretKeyRef` env), never the manifest.
 */
import type { PodRequest } from '@slipway/engine';

type SecretRef = { name: string; key: string };
interface GitArtifact {
  repo?: string;
  revision?: string | number;
  depth?: number | string;
  branch?: string;
  singleBranch?: boolean;
  disableSubmodules?: boolean;
  usernameSecret?: SecretRef;
  passwordSecret?: SecretRef;
  sshPrivateKeySecret?: SecretRef;
  insecureIgnoreHostKey?: boolean;
}

export const gitArtifacts = (req: PodRequest) => req.inputArtifacts.filter((a) => a.git !== undefined);

const SCRIPT = [
  'set -e',
  'url="$GIT_REPO"',
  'if [ -n "$GIT_USERNAME" ]; then url=$(printf %s "$url" | sed "s#://#://$GIT_USERNAME:$GIT_PASSWORD@#"); fi',
  'if [ -n "$GIT_SSH_KEY" ]; then printf "%s\\n" "$GIT_SSH_KEY" > /tmp/key && chmod 600 /tmp/key; export GIT_SSH_COMMAND="ssh -i /tmp/key ${GIT_SSH_OPTS}"; fi',
  'git clone ${GIT_DEPTH:+--depth "$GIT_DEPTH"} ${GIT_BRANCH:+--branch "$GIT_BRANCH"} ${GIT_SINGLE_BRANCH:+--single-branch} ${GIT_RECURSE:+--recurse-submodules} "$url" "$GIT_DEST"',
  'cd "$GIT_DEST" && git remote set-url origin "$GIT_REPO"',
  'if [ -n "$GIT_REVISION" ]; then git checkout -q "$GIT_REVISION" 2>/dev/null || { git fetch -q origin "$GIT_REVISION" && git checkout -q FETCH_HEAD; }; fi',
].join('\n');

/** The init containers cloning the request's git artifacts into `<staging>/inputs/artifacts/<name>`. */
export function gitInitContainers(req: PodRequest, image: string, staging: { volume: string; path: string }): Record<string, unknown>[] {
  return gitArtifacts(req).map((a) => {
    const git = a.git as GitArtifact;
    const env: Record<string, unknown>[] = [
      { name: 'GIT_REPO', value: git.repo ?? '' },
      { name: 'GIT_DEST', value: `${staging.path}/inputs/artifacts/${a.name}` },
    ];
    const add = (name: string, value: unknown) => {
      if (value !== undefined && value !== false && value !== '') env.push({ name, value: value === true ? '1' : String(value) });
    };
    add('GIT_REVISION', git.revision);
    add('GIT_DEPTH', git.depth);
    add('GIT_BRANCH', git.branch);
    add('GIT_SINGLE_BRANCH', git.singleBranch);
    add('GIT_RECURSE', git.disableSubmodules !== true);
    add('GIT_SSH_OPTS', git.insecureIgnoreHostKey ? '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' : undefined);
    const secret = (name: string, ref: SecretRef | undefined) => {
      if (ref) env.push({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    };
    secret('GIT_USERNAME', git.usernameSecret);
    secret('GIT_PASSWORD', git.passwordSecret);
    secret('GIT_SSH_KEY', git.sshPrivateKeySecret);
    return {
      name: `slipway-git-${a.name}`.slice(0, 63),
      image,
      command: ['sh', '-c', SCRIPT],
      env,
      volumeMounts: [{ name: staging.volume, mountPath: staging.path }],
    };
  });
}
