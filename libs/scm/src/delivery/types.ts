/** One webhook delivery, normalised across GitLab and GitHub. */
import type { HeaderMap } from '../http/headers.js';
import type { ScmProvider } from '../verify/hooks.js';

/** `other`: recorded and answered 2xx, starts nothing (pipeline hooks, pings, issues …). */
export type DeliveryKind = 'push' | 'tag' | 'merge_request' | 'pull_request' | 'other';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface DeliveryCommit {
  id: string;
  message: string;
  timestamp?: string;
  url?: string;
  author?: { name?: string; email?: string; username?: string };
  added: string[];
  modified: string[];
  removed: string[];
}

export interface Delivery {
  provider: ScmProvider;
  /** `X-Gitlab-Event` (`Push Hook` …) or `X-GitHub-Event` (`push` …). */
  eventType: string;
  /** Dedup key: GitLab `Idempotency-Key`, else `X-Gitlab-Event-UUID`; GitHub `X-GitHub-Delivery`; else `body:<sha256>`. */
  deliveryKey: string;
  kind: DeliveryKind;
  /** Set when the delivery starts nothing by its nature (unhandled event, deletion, unreadable body). */
  ignoredReason?: string;
  /** Merge/pull request action (`open`, `update`, `merge` / `opened`, `synchronize`, `closed` …). */
  action?: string;
  /** `path_with_namespace` (GitLab) or `full_name` (GitHub) of the project the event belongs to. */
  repo?: string;
  /** Full ref: `refs/heads/<branch>` or `refs/tags/<tag>` (the source branch of a merge/pull request). */
  ref?: string;
  branch?: string;
  tag?: string;
  /** Target branch of a merge/pull request. */
  targetBranch?: string;
  /** Merge request iid / pull request number. */
  number?: number;
  /** The commit to build and report statuses on (an annotated tag's dereferenced commit). */
  commitSha?: string;
  before?: string;
  after?: string;
  /** A new branch or tag (`before` all zeros). */
  created: boolean;
  /** A deleted branch or tag (`after` all zeros): recorded, starts nothing. */
  deleted: boolean;
  /** Who pushed (username when the payload has one, else the display name). */
  pusher?: string;
  commits: DeliveryCommit[];
  /** Commits in the push; more than `commits.length` when the payload was truncated (GitLab: newest 20). */
  totalCommits: number;
  /** Union of added/modified/removed paths of the listed commits, first appearance first. */
  changedPaths: string[];
  /** False when `changedPaths` may miss paths (truncated list, new branch, forced push, merge requests). */
  changedPathsComplete: boolean;
  /** A link to the change (commit, tag, merge/pull request) for messages. */
  webUrl?: string;
  /** The decoded JSON body (`payload` in binding expressions); null when it was not JSON. */
  payload: unknown;
  /** Lower-cased request headers with credentials redacted (what is stored). */
  headers: HeaderMap;
  rawBody: string;
  receivedAt: Date;
}
