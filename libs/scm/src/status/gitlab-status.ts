/**
 * GitLab commit statuses through @gitbeaker/rest: `POST /api/v4/projects/:id/statuses/:sha`
 * (`Commits.editStatus`) with the state, a stable `name`, `ref`, `target_url` and `description`.
 * Errors never carry the token: messages keep only the HTTP status and GitLab's message.
 */
import { Commits, GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError } from '@gitbeaker/rest';
import { retryableStatus, StatusSendError, truncate, type CommitStatusSender, type CommitStatusTarget, type CommitStatusUpdate } from './types.js';

export interface GitlabStatusOptions {
  /** e.g. `https://gitlab.com` (no `/api/v4`). */
  host: string;
  /** A token with the `api` scope (sent as `PRIVATE-TOKEN`). */
  token: string;
  /** Per request, in seconds (default 10). */
  timeoutSeconds?: number;
}

// "Cannot transition status via :run from :running": the status already is in that state
// (GitLab answers 400; gitlab-org/gitlab-foss#25807), e.g. after a restart lost our memory.
const ALREADY_THERE = /Cannot transition status via :\w+ from :(\w+)/;

export class GitlabStatusSender implements CommitStatusSender {
  private readonly commits: InstanceType<typeof Commits<false>>;

  constructor(options: GitlabStatusOptions) {
    this.commits = new Commits({ host: options.host, token: options.token, queryTimeout: (options.timeoutSeconds ?? 10) * 1000 });
  }

  async send(target: CommitStatusTarget, update: CommitStatusUpdate): Promise<void> {
    try {
      await this.commits.editStatus(target.repo, target.sha, update.state, {
        name: target.name,
        ref: truncate(target.ref, 255),
        targetUrl: truncate(update.targetUrl, 255),
        description: truncate(update.description, 255),
      });
    } catch (err) {
      const failure = gitlabFailure(err, update.state);
      if (failure) throw failure;
    }
  }
}

/** undefined when the error means "already in that state"; else a StatusSendError without secrets. */
function gitlabFailure(err: unknown, state: string): StatusSendError | undefined {
  if (err instanceof GitbeakerRequestError) {
    const cause = err.cause as { response?: Response; description?: string } | undefined;
    const status = cause?.response?.status;
    const description = cause?.description ?? err.message;
    const already = ALREADY_THERE.exec(description);
    if (status === 400 && already?.[1] === state) return undefined;
    return new StatusSendError(`GitLab answered ${status ?? '?'}: ${description}`, status === undefined || retryableStatus(status), status);
  }
  if (err instanceof GitbeakerRetryError || err instanceof GitbeakerTimeoutError) return new StatusSendError(`GitLab: ${err.message}`, true);
  return new StatusSendError(`GitLab unreachable: ${(err as Error).message}`, true);
}
