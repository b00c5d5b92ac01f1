/** The provider-specific part of a Delivery, produced by each provider's normaliser. */
import type { Delivery } from './types.js';

export type EventFields = Pick<
  Delivery,
  | 'kind'
  | 'action'
  | 'repo'
  | 'ref'
  | 'branch'
  | 'tag'
  | 'targetBranch'
  | 'number'
  | 'commitSha'
  | 'before'
  | 'after'
  | 'created'
  | 'deleted'
  | 'pusher'
  | 'commits'
  | 'totalCommits'
  | 'changedPaths'
  | 'changedPathsComplete'
  | 'webUrl'
>;

export function otherEvent(): EventFields {
  return { kind: 'other', created: false, deleted: false, commits: [], totalCommits: 0, changedPaths: [], changedPathsComplete: false };
}
