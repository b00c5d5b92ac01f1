/** Commit statuses: the states Slipway reports and the senders that speak each provider's API. */
import type { ScmProvider } from '../verify/hooks.js';

/** GitLab's commitable pipeline states; GitHub gets them mapped (see github-status.ts). */
export type CommitState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

export const COMMIT_STATES: readonly CommitState[] = ['pending', 'running', 'success', 'failed', 'canceled'];

export interface CommitStatusTarget {
  provider: ScmProvider;
  /** GitLab project path (`group/project`) or id; GitHub `owner/repo`. */
  repo: string;
  sha: string;
  /** Stable label, e.g. `slipway/<template>`: updates land on the same status. */
  name: string;
  /** Branch or tag (GitLab uses it to find the pipeline). */
  ref?: string;
}

export interface CommitStatusUpdate {
  state: CommitState;
  /** Link to the workflow in Slipway. */
  targetUrl?: string;
  description?: string;
}

export interface CommitStatusSender {
  /** Throws StatusSendError (or any error, treated as retryable) when the provider did not take it. */
  send(target: CommitStatusTarget, update: CommitStatusUpdate): Promise<void>;
}

/** A failed send. `retryable`: network trouble, timeouts, 5xx, 429 and rate limits. */
export class StatusSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'StatusSendError';
  }
}

/** `slipway/<template>`: the status name a workflow template reports under. */
export function statusName(template: string): string {
  return `slipway/${template}`;
}

/** The workflow's page in Slipway (same path as Argo's UI). */
export function workflowUrl(publicUrl: string, namespace: string, name: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export function truncate(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 408, 429 and 5xx are worth retrying; other 4xx are not (bad token, unknown project, validation). */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
