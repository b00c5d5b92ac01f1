/**
 * GitLab `Push Hook`, `Tag Push Hook` and `Merge Request Hook` payloads (GitLab docs, "Webhook
 * events"). Deletions have `after` all zeros and `checkout_sha` null; for an annotated tag
 * `after` is the tag object and `checkout_sha` the commit it points to, which is what we build.
 */
import { changedPaths, readCommits } from './commits.js';
import { otherEvent, type EventFields } from './event-fields.js';
import { num, obj, splitRef, str, type Json } from './payload-reader.js';
import { ZERO_SHA } from './types.js';

export function gitlabEvent(eventType: string, payload: Json): EventFields {
  switch (eventType) {
    case 'Push Hook':
    case 'Tag Push Hook':
      return gitlabPush(payload, eventType === 'Tag Push Hook');
    case 'Merge Request Hook':
      return gitlabMergeRequest(payload);
    default:
      return otherEvent();
  }
}

function gitlabPush(p: Json, tagHook: boolean): EventFields {
  const project = obj(p.project);
  const ref = str(p.ref);
  const { branch, tag } = splitRef(ref);
  const before = str(p.before);
  const after = str(p.after);
  const deleted = after === ZERO_SHA;
  const created = before === ZERO_SHA;
  const commits = readCommits(p.commits);
  const totalCommits = num(p.total_commits_count) ?? commits.length;
  const commitSha = str(p.checkout_sha) ?? (deleted ? undefined : after);
  const projectUrl = str(project?.web_url);
  const commitUrl = commits.find((c) => c.id === commitSha)?.url ?? (projectUrl && commitSha ? `${projectUrl}/-/commit/${commitSha}` : projectUrl);
  return {
    kind: tagHook || tag !== undefined ? 'tag' : 'push',
    repo: str(project?.path_with_namespace),
    ref,
    branch,
    tag,
    commitSha,
    before,
    after,
    created,
    deleted,
    pusher: str(p.user_username) ?? str(p.user_name),
    commits,
    totalCommits,
    changedPaths: changedPaths(commits),
    changedPathsComplete: !created && !deleted && tag === undefined && commits.length >= totalCommits,
    webUrl: tag !== undefined && projectUrl ? `${projectUrl}/-/tags/${tag}` : commitUrl,
  };
}

function gitlabMergeRequest(p: Json): EventFields {
  const project = obj(p.project);
  const mr = obj(p.object_attributes) ?? {};
  const last = obj(mr.last_commit);
  const source = str(mr.source_branch);
  return {
    kind: 'merge_request',
    action: str(mr.action),
    repo: str(project?.path_with_namespace),
    ref: source ? `refs/heads/${source}` : undefined,
    branch: source,
    targetBranch: str(mr.target_branch),
    number: num(mr.iid),
    commitSha: str(last?.id),
    before: str(mr.oldrev),
    after: str(last?.id),
    created: false,
    deleted: false,
    pusher: str(obj(p.user)?.username) ?? str(obj(p.user)?.name),
    commits: [],
    totalCommits: 0,
    changedPaths: [],
    changedPathsComplete: false,
    webUrl: str(mr.url),
  };
}
