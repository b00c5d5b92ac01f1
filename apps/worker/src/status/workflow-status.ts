/**
 * Commit statuses for runs started by webhook deliveries: `pending` when the run is accepted,
 * `running`, then `success`, `failed` or `canceled` (stopped or terminated), each linked to the
 * workflow in Slipway. Driven by the worker's `saved()` callback; reporting never throws and
 * never touches the workflow (the CommitStatusReporter retries on its own).
 */
import { WorkflowRepository, type PrismaClient } from '@slipway/persistence';
import {
  CommitStatusReporter,
  GithubStatusSender,
  GitlabStatusSender,
  workflowUrl,
  type CommitState,
  type CommitStatusSender,
  type CommitStatusTarget,
} from '@slipway/scm';
import { STATUS_ANNOTATIONS } from '../deliveries/run-identity.js';

export interface ScmStatusConfig {
  gitlabUrl?: string;
  gitlabToken?: string;
  githubApiUrl?: string;
  githubToken?: string;
}

export function statusSenders(config: ScmStatusConfig): Partial<Record<CommitStatusTarget['provider'], CommitStatusSender>> {
  const senders: Partial<Record<CommitStatusTarget['provider'], CommitStatusSender>> = {};
  if (config.gitlabToken) senders.gitlab = new GitlabStatusSender({ host: config.gitlabUrl ?? 'https://gitlab.com', token: config.gitlabToken });
  if (config.githubToken) senders.github = new GithubStatusSender({ token: config.githubToken, apiUrl: config.githubApiUrl });
  return senders;
}

/** The commit status target recorded on a run, if it has one. */
export function statusTargetOf(annotations: Record<string, string> | undefined): CommitStatusTarget | undefined {
  const a = annotations ?? {};
  const provider = a[STATUS_ANNOTATIONS.provider];
  const repo = a[STATUS_ANNOTATIONS.project];
  const sha = a[STATUS_ANNOTATIONS.sha];
  const name = a[STATUS_ANNOTATIONS.name];
  if ((provider !== 'gitlab' && provider !== 'github') || !repo || !sha || !name) return undefined;
  return { provider, repo, sha, name, ref: a[STATUS_ANNOTATIONS.ref] };
}

interface Tracked {
  target?: CommitStatusTarget;
  state?: CommitState;
}

const MAX_TRACKED = 10_000;

export class WorkflowStatusReporter {
  readonly reporter: CommitStatusReporter;
  private readonly workflows: WorkflowRepository;
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly db: PrismaClient,
    private readonly options: { senders: Partial<Record<CommitStatusTarget['provider'], CommitStatusSender>>; publicUrl: string; log: (msg: string) => void },
  ) {
    this.workflows = new WorkflowRepository(db);
    this.reporter = new CommitStatusReporter({
      senders: options.senders,
      onEvent: (e) => {
        if (e.type !== 'sent') options.log(`commit status ${e.type}: ${JSON.stringify(e)}`);
      },
    });
  }

  /** A run was accepted: `pending`. */
  accepted(run: { id: string; namespace: string; name: string }, annotations: Record<string, string>): void {
    const target = statusTargetOf(annotations);
    if (!target) return;
    this.remember(run.id, { target });
    this.send(run.id, target, 'pending', run.namespace, run.name, 'Accepted');
  }

  /** The worker saved a workflow's state (never throws). */
  async saved(workflowId: string, summary: { namespace: string; name: string; phase: string }): Promise<void> {
    try {
      let t = this.tracked.get(workflowId);
      if (t && !t.target) return;
      const terminal = summary.phase === 'Succeeded' || summary.phase === 'Failed' || summary.phase === 'Error';
      if (summary.phase !== 'Running' && !terminal) return;
      if (!t) {
        const row = await this.db.workflow.findUnique({ where: { id: workflowId }, select: { annotations: true } });
        t = { target: statusTargetOf(row?.annotations as Record<string, string> | undefined) };
        this.remember(workflowId, t);
        if (!t.target) return;
      }
      let state: CommitState = 'running';
      let description = 'Running';
      if (terminal) {
        const wf = await this.workflows.getById(workflowId);
        const stopped = wf?.spec.shutdown !== undefined && wf.spec.shutdown !== '';
        state = summary.phase === 'Succeeded' ? 'success' : stopped ? 'canceled' : 'failed';
        description = stopped ? `${wf?.spec.shutdown === 'Terminate' ? 'Terminated' : 'Stopped'}` : summary.phase;
        if (wf?.status?.message && state !== 'success') description = `${description}: ${wf.status.message}`;
      }
      if (t.state === state) return;
      this.send(workflowId, t.target!, state, summary.namespace, summary.name, description);
      if (terminal) this.tracked.delete(workflowId);
    } catch (err) {
      this.options.log(`commit status for ${summary.namespace}/${summary.name} not reported: ${(err as Error).message}`);
    }
  }

  private send(workflowId: string, target: CommitStatusTarget, state: CommitState, namespace: string, name: string, description: string): void {
    const t = this.tracked.get(workflowId);
    if (t) t.state = state;
    void this.reporter.report(target, { state, targetUrl: workflowUrl(this.options.publicUrl, namespace, name), description });
  }

  private remember(id: string, t: Tracked): void {
    if (this.tracked.size >= MAX_TRACKED) this.tracked.delete(this.tracked.keys().next().value!);
    this.tracked.set(id, t);
  }
}
