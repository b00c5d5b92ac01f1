/**
 * CommitStatusReporter: reports workflow states to GitLab/GitHub commits.
 *
 * - Sends only real transitions: the last state per (provider, repo, sha, name) is remembered
 *   (in memory, bounded); reporting the same state again sends nothing.
 * - Reports for one status go out in order. A newer state supersedes an older one that is still
 *   waiting or retrying, so GitLab never sees `running` after `success`.
 * - Failures are retried with exponential backoff (retryable ones only: network, timeouts, 5xx,
 *   429) and never thrown: `report()` resolves with what happened, and `onEvent` hears about it.
 *   A failed status must never fail the workflow.
 */
import type { CommitState, CommitStatusSender, CommitStatusTarget, CommitStatusUpdate } from './types.js';
import { StatusSendError } from './types.js';

export type ReportResult = 'sent' | 'unchanged' | 'superseded' | 'failed' | 'no-sender';

export interface StatusEvent {
  type: 'sent' | 'retry' | 'failed';
  key: string;
  state: CommitState;
  attempt: number;
  /** Error message (no secrets: senders strip tokens). */
  error?: string;
  /** Delay before the next attempt, for `retry`. */
  delayMs?: number;
}

export interface RetryPolicy {
  /** Attempts in all, including the first (default 8). */
  attempts: number;
  /** Delay before the second attempt (default 1 s), doubled each time up to `maxDelayMs` (default 60 s). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface CommitStatusReporterOptions {
  senders: Partial<Record<CommitStatusTarget['provider'], CommitStatusSender>>;
  retry?: Partial<RetryPolicy>;
  /** How many statuses to remember (least recently reported are forgotten first). Default 10,000. */
  maxRemembered?: number;
  onEvent?: (event: StatusEvent) => void;
  /** For tests: waits between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

interface KeyState {
  /** Last state the provider accepted. */
  sent?: CommitState;
  /** Latest state asked for (sent, in flight or waiting). */
  requested?: CommitState;
  seq: number;
  pending: number;
  chain: Promise<unknown>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 };

export class CommitStatusReporter {
  private readonly keys = new Map<string, KeyState>();
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: CommitStatusReporterOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
  }

  /** Report a state; resolves (never rejects) once it was sent, found unchanged, superseded or given up. */
  report(target: CommitStatusTarget, update: CommitStatusUpdate): Promise<ReportResult> {
    const sender = this.options.senders[target.provider];
    if (!sender) return Promise.resolve('no-sender');
    const key = statusKey(target);
    const st = this.stateFor(key);
    if (st.requested === update.state) return Promise.resolve('unchanged');
    st.requested = update.state;
    const seq = ++st.seq;
    st.pending++;
    const run = st.chain.then(() => this.deliver(sender, key, st, seq, target, update)).finally(() => {
      st.pending--;
    });
    st.chain = run;
    return run;
  }

  /** The last state a provider accepted for this status, if remembered. */
  lastSent(target: CommitStatusTarget): CommitState | undefined {
    return this.keys.get(statusKey(target))?.sent;
  }

  /** Resolves when every report made so far has settled (graceful shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.keys.values()].map((s) => s.chain));
  }

  private async deliver(sender: CommitStatusSender, key: string, st: KeyState, seq: number, target: CommitStatusTarget, update: CommitStatusUpdate): Promise<ReportResult> {
    for (let attempt = 1; ; attempt++) {
      if (seq !== st.seq) return 'superseded';
      if (st.sent === update.state) return 'unchanged';
      try {
        await sender.send(target, update);
        st.sent = update.state;
        this.options.onEvent?.({ type: 'sent', key, state: update.state, attempt });
        return 'sent';
      } catch (err) {
        const retryable = !(err instanceof StatusSendError) || err.retryable;
        const error = (err as Error).message;
        if (!retryable || attempt >= this.retry.attempts) {
          this.options.onEvent?.({ type: 'failed', key, state: update.state, attempt, error });
          // Forget the request, so the same state reported later is tried again.
          if (seq === st.seq) st.requested = st.sent;
          return 'failed';
        }
        const delayMs = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        this.options.onEvent?.({ type: 'retry', key, state: update.state, attempt, error, delayMs });
        await this.sleep(delayMs);
      }
    }
  }

  private stateFor(key: string): KeyState {
    let st = this.keys.get(key);
    if (st) {
      // Move to the end: the map's order is least recently reported first.
      this.keys.delete(key);
    } else {
      st = { seq: 0, pending: 0, chain: Promise.resolve() };
    }
    this.keys.set(key, st);
    this.forgetOld();
    return st;
  }

  private forgetOld(): void {
    const max = this.options.maxRemembered ?? 10_000;
    if (this.keys.size <= max) return;
    for (const [key, st] of this.keys) {
      if (this.keys.size <= max) break;
      if (st.pending === 0) this.keys.delete(key);
    }
  }
}

function statusKey(t: CommitStatusTarget): string {
  return JSON.stringify([t.provider, t.repo, t.sha, t.name]);
}
