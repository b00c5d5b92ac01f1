/**
 * GitHub commit statuses over plain HTTPS: `POST /repos/{owner}/{repo}/statuses/{sha}` with
 * `{state, target_url, description, context}`. GitHub knows pending/success/failure/error:
 * running is sent as pending (description "Running"), failed as failure, canceled as error.
 */
import { retryableStatus, StatusSendError, truncate, type CommitState, type CommitStatusSender, type CommitStatusTarget, type CommitStatusUpdate } from './types.js';

export interface GithubStatusOptions {
  /** Default `https://api.github.com`; GitHub Enterprise: `https://HOST/api/v3`. */
  apiUrl?: string;
  /** A token allowed to write commit statuses (sent as `Authorization: Bearer`). */
  token: string;
  timeoutSeconds?: number;
}

type GithubState = 'pending' | 'success' | 'failure' | 'error';

export const GITHUB_STATE: Record<CommitState, GithubState> = {
  pending: 'pending',
  running: 'pending',
  success: 'success',
  failed: 'failure',
  canceled: 'error',
};

const DEFAULT_DESCRIPTION: Record<CommitState, string> = {
  pending: 'Pending',
  running: 'Running',
  success: 'Succeeded',
  failed: 'Failed',
  canceled: 'Canceled',
};

export class GithubStatusSender implements CommitStatusSender {
  private readonly apiUrl: string;

  constructor(private readonly options: GithubStatusOptions) {
    this.apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  }

  async send(target: CommitStatusTarget, update: CommitStatusUpdate): Promise<void> {
    const [owner, repo, ...rest] = target.repo.split('/');
    if (!owner || !repo || rest.length) throw new StatusSendError(`GitHub repository must be owner/repo, got "${target.repo}"`, false);
    const url = `${this.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/statuses/${encodeURIComponent(target.sha)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
          'user-agent': 'slipway',
          'x-github-api-version': '2022-11-28',
        },
        body: JSON.stringify({
          state: GITHUB_STATE[update.state],
          target_url: update.targetUrl,
          description: truncate(update.description ?? DEFAULT_DESCRIPTION[update.state], 140),
          context: target.name,
        }),
        signal: AbortSignal.timeout((this.options.timeoutSeconds ?? 10) * 1000),
      });
    } catch (err) {
      throw new StatusSendError(`GitHub unreachable: ${(err as Error).message}`, true);
    }
    if (res.ok) {
      await res.body?.cancel();
      return;
    }
    const text = await res.text().catch(() => '');
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the text
    }
    // A 403 with no requests left is GitHub's primary rate limit: retry later.
    const rateLimited = res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0';
    throw new StatusSendError(`GitHub answered ${res.status}: ${message}`, rateLimited || retryableStatus(res.status), res.status);
  }
}
