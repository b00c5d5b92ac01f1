/**
 * Sending the alert outbox: claims due alerts, sends each over SMTP with its deterministic
 * Message-ID, records sent / retry-at / failed. Without an SMTP server every due alert is marked
 * `stored` and logged. `dispatch()` never throws: errors are logged and reported.
 */
import type { AlertOutbox, AlertRecord } from '@slipway/persistence';
import { describeSmtpError, isPermanentSmtpError, smtpMailer, type AlertMailer } from './smtp-mailer.js';

export interface BackoffPolicy {
  /** Delay after the first failed attempt (default 30 s). */
  initialMs: number;
  /** Growth per further attempt (default 2). */
  factor: number;
  /** Longest delay (default 30 min). */
  maxMs: number;
}

export interface AlertDispatcherOptions {
  outbox: AlertOutbox;
  /** SMTP_URL; without it (and without `mailer`) alerts are stored, not sent. */
  smtpUrl?: string;
  /** A ready mailer instead of `smtpUrl`. */
  mailer?: AlertMailer;
  /** From address (default `Slipway <slipway@localhost>`). */
  from?: string;
  /** Attempts before an alert is `failed` (default 6). */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  /** How long a claimed alert is reserved for its sender (default 5 min, above the SMTP timeouts). */
  leaseMs?: number;
  /** Alerts claimed per batch (default 20). */
  batchSize?: number;
  clock?: () => Date;
  log?: (msg: string) => void;
  /** Every SMTP attempt's outcome: `sent`, or `failed` (retried later or failed for good) — for metrics. */
  onEmail?: (outcome: AlertEmailOutcome) => void;
}

export type AlertEmailOutcome = 'sent' | 'failed';

export interface DispatchReport {
  sent: number;
  /** Failed this time, will be tried again. */
  retrying: number;
  /** Failed for good (attempts exhausted or a permanent SMTP error). */
  failed: number;
  stored: number;
  /** Errors that stopped a pass (e.g. the database was unreachable). */
  errors: string[];
}

const MAX_BATCHES_PER_PASS = 10;

export class AlertDispatcher {
  private readonly outbox: AlertOutbox;
  private readonly mailer?: AlertMailer;
  private readonly from: string;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly clock: () => Date;
  private readonly log: (msg: string) => void;
  private readonly onEmail: (outcome: AlertEmailOutcome) => void;
  private running?: Promise<DispatchReport>;
  private again = false;

  constructor(opts: AlertDispatcherOptions) {
    this.outbox = opts.outbox;
    this.mailer = opts.mailer ?? (opts.smtpUrl ? smtpMailer(opts.smtpUrl) : undefined);
    this.from = opts.from ?? 'Slipway <slipway@localhost>';
    this.maxAttempts = Math.max(opts.maxAttempts ?? 6, 1);
    this.backoff = { initialMs: 30_000, factor: 2, maxMs: 30 * 60_000, ...opts.backoff };
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.batchSize = opts.batchSize ?? 20;
    this.clock = opts.clock ?? (() => new Date());
    this.log = opts.log ?? ((m) => console.log(`[alerts] ${m}`));
    this.onEmail = opts.onEmail ?? (() => undefined);
  }

  /** Whether alerts are sent (an SMTP server is configured) or only stored. */
  get sending(): boolean {
    return this.mailer !== undefined;
  }

  /**
   * Send (or store) every due alert. Concurrent calls share one run, and a call that arrives
   * during a run makes it look again at the end, so a just-enqueued alert is not missed.
   */
  dispatch(): Promise<DispatchReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.loop().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  close(): void {
    this.mailer?.close();
  }

  /** Delay before the next attempt after `attempts` failed ones. */
  delayAfter(attempts: number): number {
    const { initialMs, factor, maxMs } = this.backoff;
    return Math.min(initialMs * factor ** Math.max(attempts - 1, 0), maxMs);
  }

  private async loop(): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retrying: 0, failed: 0, stored: 0, errors: [] };
    do {
      this.again = false;
      try {
        await this.pass(report);
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        report.errors.push(message);
        this.log(`dispatch failed, the next dispatch tries again: ${message}`);
      }
    } while (this.again);
    return report;
  }

  private async pass(report: DispatchReport): Promise<void> {
    if (!this.mailer) {
      const stored = await this.outbox.storeDue({ now: this.clock(), reason: 'SMTP_URL is not set: stored, not sent', scope: 'all' });
      for (const a of stored) this.logStored(a, 'SMTP_URL is not set');
      report.stored += stored.length;
      return;
    }
    const stored = await this.outbox.storeDue({ now: this.clock(), reason: 'no recipients: stored, not sent', scope: 'without-recipients' });
    for (const a of stored) this.logStored(a, 'it has no recipients');
    report.stored += stored.length;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const now = this.clock();
      const claimed = await this.outbox.claimDue({ now, leaseUntil: new Date(now.getTime() + this.leaseMs), limit: this.batchSize });
      for (const alert of claimed) await this.send(this.mailer, alert, report);
      if (claimed.length < this.batchSize) break;
    }
  }

  private async send(mailer: AlertMailer, alert: AlertRecord, report: DispatchReport): Promise<void> {
    const what = `${alert.kind} alert for ${alert.namespace}/${alert.workflowName} (${alert.id})`;
    try {
      const result = await mailer.send({
        from: this.from,
        to: alert.recipients,
        subject: alert.subject,
        text: alert.bodyText,
        html: alert.bodyHtml,
        messageId: alert.messageId,
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Slipway-Workflow': `${alert.namespace}/${alert.workflowName}`,
          'X-Slipway-Workflow-Uid': alert.workflowId,
        },
      });
      this.onEmail('sent');
      await this.outbox.markSent(alert.id, this.clock());
      report.sent++;
      const refused = result.rejected.length > 0 ? `; refused by the server: ${result.rejected.join(', ')}` : '';
      this.log(`${what} sent to ${alert.recipients.join(', ')} as ${alert.messageId}${refused}`);
    } catch (err) {
      this.onEmail('failed');
      const error = describeSmtpError(err);
      if (isPermanentSmtpError(err) || alert.attempts >= this.maxAttempts) {
        await this.outbox.markFailed(alert.id, error);
        report.failed++;
        this.log(`${what} failed for good after ${alert.attempts} attempt(s): ${error}`);
      } else {
        const retryAt = new Date(this.clock().getTime() + this.delayAfter(alert.attempts));
        await this.outbox.markFailed(alert.id, error, retryAt);
        report.retrying++;
        this.log(`${what} not sent (attempt ${alert.attempts} of ${this.maxAttempts}), retrying at ${retryAt.toISOString()}: ${error}`);
      }
    }
  }

  private logStored(alert: AlertRecord, why: string): void {
    const to = alert.recipients.length > 0 ? ` for ${alert.recipients.join(', ')}` : '';
    this.log(`${alert.kind} alert for ${alert.namespace}/${alert.workflowName} stored, not sent, because ${why} (${alert.id})${to}: ${alert.subject}`);
  }
}
