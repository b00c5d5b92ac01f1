/**
 * The full list of changed paths when the payload cannot tell it (GitLab lists only the newest
 * 20 commits; new branches; forced pushes; merge/pull requests carry no file lists), from the
 * providers' compare APIs. Used before matching when a binding has a `paths` filter; on any
 * failure the delivery is left as it was (the filter then lets it through).
 */
import { Repositories } from '@gitbeaker/rest';
import type { Delivery } from '../delivery/types.js';
import { obj, str } from '../delivery/payload-reader.js';
import { ZERO_SHA } from '../delivery/types.js';
import type { WorkflowEventBinding } from '@slipway/workflow';
import { readExtensions } from '../bindings/extensions.js';

export interface ComparedPaths {
  paths: string[];
  /** False when the provider cut the list short (GitLab compare timeout, GitHub's 300-file page). */
  complete: boolean;
}

export interface ChangedPathsSource {
  compare(repo: string, base: string, head: string): Promise<ComparedPaths>;
}

/** The range whose diff is the delivery's change, or undefined (tags, deletions, missing data). */
export function compareRange(d: Delivery): { base: string; head: string } | undefined {
  const payload = obj(d.payload) ?? {};
  if (d.deleted || !d.commitSha) return undefined;
  if (d.kind === 'push') {
    if (d.before && d.before !== ZERO_SHA) return { base: d.before, head: d.commitSha };
    const defaultBranch = str(obj(payload.project)?.default_branch) ?? str(obj(payload.repository)?.default_branch);
    return defaultBranch && defaultBranch !== d.branch ? { base: defaultBranch, head: d.commitSha } : undefined;
  }
  if (d.kind === 'merge_request' || d.kind === 'pull_request') return d.targetBranch ? { base: d.targetBranch, head: d.commitSha } : undefined;
  return undefined;
}

/** Whether completing the path list could change a decision: the list is incomplete and a binding filters paths. */
export function bindingsNeedChangedPaths(d: Delivery, bindings: readonly WorkflowEventBinding[]): boolean {
  return !d.changedPathsComplete && !d.ignoredReason && bindings.some((b) => readExtensions(b).value.paths !== undefined);
}

/** The delivery with `changedPaths` from the compare API (complete when the provider says so). */
export async function completeChangedPaths(d: Delivery, source: ChangedPathsSource, onError?: (error: Error) => void): Promise<Delivery> {
  if (d.changedPathsComplete || !d.repo) return d;
  const range = compareRange(d);
  if (!range) return d;
  try {
    const { paths, complete } = await source.compare(d.repo, range.base, range.head);
    return { ...d, changedPaths: [...new Set([...paths, ...d.changedPaths])], changedPathsComplete: complete };
  } catch (err) {
    onError?.(err as Error);
    return d;
  }
}

/** GitLab `GET /projects/:id/repository/compare?from=&to=` (merge-base diff) via @gitbeaker/rest. */
export class GitlabChangedPaths implements ChangedPathsSource {
  private readonly repositories: InstanceType<typeof Repositories<false>>;

  constructor(options: { host: string; token: string; timeoutSeconds?: number }) {
    this.repositories = new Repositories({ host: options.host, token: options.token, queryTimeout: (options.timeoutSeconds ?? 10) * 1000 });
  }

  async compare(repo: string, base: string, head: string): Promise<ComparedPaths> {
    const res = await this.repositories.compare(repo, base, head, { straight: false });
    const paths = (res.diffs ?? []).flatMap((diff) => [diff.old_path, diff.new_path]).filter((p): p is string => typeof p === 'string');
    return { paths: [...new Set(paths)], complete: res.compare_timeout !== true };
  }
}

/** GitHub `GET /repos/{owner}/{repo}/compare/{base}...{head}` over fetch. */
export class GithubChangedPaths implements ChangedPathsSource {
  private readonly apiUrl: string;

  constructor(private readonly options: { apiUrl?: string; token: string; timeoutSeconds?: number }) {
    this.apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  }

  async compare(repo: string, base: string, head: string): Promise<ComparedPaths> {
    const [owner, name] = repo.split('/');
    const url = `${this.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`;
    const res = await fetch(url, {
      headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${this.options.token}`, 'user-agent': 'slipway', 'x-github-api-version': '2022-11-28' },
      signal: AbortSignal.timeout((this.options.timeoutSeconds ?? 10) * 1000),
    });
    if (!res.ok) throw new Error(`GitHub compare answered ${res.status}`);
    const body = (await res.json()) as { files?: { filename?: string; previous_filename?: string }[] };
    const files = body.files ?? [];
    const paths = files.flatMap((f) => [f.previous_filename, f.filename]).filter((p): p is string => typeof p === 'string');
    // The compare API returns at most 300 files; more means the list is cut short.
    return { paths: [...new Set(paths)], complete: files.length < 300 };
  }
}
