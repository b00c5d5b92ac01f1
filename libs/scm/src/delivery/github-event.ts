/**
 * GitHub `push` and `pull_request` payloads (GitHub docs, "Webhook events and payloads"). A
 * deletion has `deleted: true` and `after` all zeros. For an annotated tag `after` is the tag
 * object, `head_commit.id` the commit it points to, which is what we build.
 */
import { changedPaths, readCommits } from './commits.js';
import { otherEvent, type EventFields } from './event-fields.js';
import { num, obj, splitRef, str, type Json } from './payload-reader.js';
import { ZERO_SHA } from './types.js';

export function githubEvent(eventType: string, payload: Json): EventFields {
  switch (eventType) {
    case 'push':
      return githubPush(payload);
    case 'pull_request':
      return githubPullRequest(payload);
    default:
      return otherEvent();
  }
}

function githubPush(p: Json): EventFields {
  const repository = obj(p.repository);
  const ref = str(p.ref);
  const { branch, tag } = splitRef(ref);
  const before = str(p.before);
  const after = str(p.after);
  const deleted = p.deleted === true || after === ZERO_SHA;
  const created = p.created === true || before === ZERO_SHA;
  const head = obj(p.head_commit);
  const commits = readCommits(p.commits);
  return {
    kind: tag !== undefined ? 'tag' : 'push',
    repo: str(repository?.full_name),
    ref,
    branch,
    tag,
    commitSha: deleted ? undefined : (str(head?.id) ?? after),
    before,
    after,
    created,
    deleted,
    pusher: str(obj(p.pusher)?.name) ?? str(obj(p.sender)?.login),
    commits,
    totalCommits: commits.length,
    changedPaths: changedPaths(commits),
    changedPathsComplete: !created && !deleted && p.forced !== true && tag === undefined && commits.length > 0,
    webUrl: str(head?.url) ?? str(p.compare) ?? str(repository?.html_url),
  };
}

function githubPullRequest(p: Json): EventFields {
  const pr = obj(p.pull_request) ?? {};
  const head = obj(pr.head);
  const base = obj(pr.base);
  const source = str(head?.ref);
  return {
    kind: 'pull_request',
    action: str(p.action),
    repo: str(obj(p.repository)?.full_name) ?? str(obj(base?.repo)?.full_name),
    ref: source ? `refs/heads/${source}` : undefined,
    branch: source,
    targetBranch: str(base?.ref),
    number: num(p.number) ?? num(pr.number),
    commitSha: str(head?.sha),
    before: str(p.before),
    after: str(p.after) ?? str(head?.sha),
    created: false,
    deleted: false,
    pusher: str(obj(p.sender)?.login) ?? str(obj(pr.user)?.login),
    commits: [],
    totalCommits: 0,
    changedPaths: [],
    changedPathsComplete: false,
    webUrl: str(pr.html_url),
  };
}
