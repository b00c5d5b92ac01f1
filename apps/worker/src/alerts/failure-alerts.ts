/**
 * Failure alerts: when a workflow ends Failed or Error, exactly one alert row (the `alerts`
 * outbox, unique per workflow and kind) and an e-mail sent by the AlertDispatcher after the row
 * is committed and on every resync tick.
 *
 * The row is written by the state save that records the failure, in the same statement
 * (`prepare()`, called by the reconciler before that save, with the step logs flushed first so the
 * tail is complete): the failed state and its alert commit together or not at all. When the alert
 * could not be prepared (say, the log tail could not be read), the save goes ahead without it and
 * `sweep()` writes it: a recently failed workflow without its row gets one; the unique
 * (workflow, kind) key keeps it to one. Stopped or terminated runs (a newer push superseded them,
 * or a person stopped them) are not failures of the build: they get no alert.
 */
import { AlertOutbox, LogTails, WorkflowRepository, type NewAlert, type PrismaClient } from '@slipway/persistence';
import type { Workflow } from '@slipway/workflow';
import { AlertDispatcher, alertContextOf, prepareFailureAlert, workflowLink, type AlertEmailOutcome, type AlertMailer } from '@slipway/notify';

export interface FailureAlertsOptions {
  smtpUrl?: string;
  mailer?: AlertMailer;
  from?: string;
  publicUrl: string;
  /** Flush buffered step logs (the failed step's last lines may still be in memory). */
  flushLogs: () => Promise<void>;
  log: (msg: string) => void;
  /** Each e-mail sent or failed (the worker counts them in `slipway_alert_emails_total`). */
  onEmail?: (outcome: AlertEmailOutcome) => void;
  /** How far back `sweep()` looks for failed workflows without an alert (default 1 day). */
  sweepWindowMs?: number;
}

const MAX_REMEMBERED = 10_000;

export class FailureAlerts {
  readonly outbox: AlertOutbox;
  readonly dispatcher: AlertDispatcher;
  private readonly tails: LogTails;
  private readonly workflows: WorkflowRepository;
  private readonly handled = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly db: PrismaClient,
    private readonly options: FailureAlertsOptions,
  ) {
    this.outbox = new AlertOutbox(db);
    this.tails = new LogTails(db);
    this.workflows = new WorkflowRepository(db);
    this.dispatcher = new AlertDispatcher({ outbox: this.outbox, smtpUrl: options.smtpUrl, mailer: options.mailer, from: options.from, log: (m) => options.log(`alerts: ${m}`), onEmail: options.onEmail });
  }

  /** The worker saved a workflow's state (never throws): send a new failure alert now. */
  async saved(workflowId: string, summary: { phase: string }): Promise<void> {
    if (summary.phase !== 'Failed' && summary.phase !== 'Error') return;
    // Written with the save (prepare): only a save without it needs the row written here.
    if (!this.handled.has(workflowId)) await this.enqueue(workflowId);
    void this.dispatcher.dispatch();
  }

  /**
   * The alert for the save that finishes `wf` Failed or Error (undefined for a stopped run, or
   * when the workflow did not fail). Throws when it cannot be built; the save then goes without
   * it and `sweep()` writes it.
   */
  async prepare(wf: Workflow): Promise<NewAlert | undefined> {
    const workflowId = wf.metadata.uid;
    const phase = wf.status?.phase;
    if (!workflowId || (phase !== 'Failed' && phase !== 'Error')) return undefined;
    if (wf.spec.shutdown) {
      this.remember(workflowId);
      return undefined;
    }
    const alert = await this.build(workflowId, wf);
    this.remember(workflowId);
    return alert;
  }

  /** Write the alert row of a failed workflow (idempotent; never throws). */
  enqueue(workflowId: string): Promise<void> {
    let running = this.inFlight.get(workflowId);
    if (!running) {
      running = this.enqueueNow(workflowId).finally(() => this.inFlight.delete(workflowId));
      this.inFlight.set(workflowId, running);
    }
    return running;
  }

  private async enqueueNow(workflowId: string): Promise<void> {
    try {
      const wf = await this.workflows.getById(workflowId);
      if (!wf) return;
      const phase = wf.status?.phase;
      if (phase !== 'Failed' && phase !== 'Error') return;
      if (wf.spec.shutdown) {
        this.remember(workflowId);
        return;
      }
      await this.outbox.enqueue(await this.build(workflowId, wf));
      this.remember(workflowId);
    } catch (err) {
      this.options.log(`alerts: cannot write the alert of workflow ${workflowId} (the resync tries again): ${(err as Error).message}`);
    }
  }

  private async build(workflowId: string, wf: Workflow): Promise<NewAlert> {
    await this.options.flushLogs();
    const ctx = alertContextOf(wf);
    if (ctx.invalidRecipients.length) this.options.log(`alerts: ${wf.metadata.namespace}/${wf.metadata.name}: invalid recipients ignored: ${ctx.invalidRecipients.join(', ')}`);
    return prepareFailureAlert({
      ...ctx,
      workflow: wf,
      link: workflowLink(this.options.publicUrl, wf.metadata.namespace ?? 'default', wf.metadata.name ?? ''),
      logTail: (pod, ref) => this.tails.tail(workflowId, pod, { container: ref.container, lines: ref.lines }),
    });
  }

  /** Failed workflows of the last day that have no alert row (it could not be prepared with their save): write it. */
  async sweep(now = Date.now()): Promise<number> {
    const since = new Date(now - (this.options.sweepWindowMs ?? 24 * 3600_000));
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT w.id::text AS id FROM workflows w
      WHERE w.phase IN ('Failed', 'Error') AND w.finished_at >= ${since}
        AND COALESCE(w.manifest #>> '{spec,shutdown}', '') = ''
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.workflow_id = w.id AND a.kind = 'failure')
      LIMIT 100`;
    for (const r of rows) await this.enqueue(r.id);
    return rows.length;
  }

  /** Sweep, then send what is due (never throws). */
  async tick(): Promise<void> {
    try {
      await this.sweep();
    } catch (err) {
      this.options.log(`alerts: sweep failed: ${(err as Error).message}`);
    }
    await this.dispatcher.dispatch();
  }

  close(): void {
    this.dispatcher.close();
  }

  private remember(id: string): void {
    if (this.handled.size >= MAX_REMEMBERED) this.handled.delete(this.handled.values().next().value!);
    this.handled.add(id);
  }
}
