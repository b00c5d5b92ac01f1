/**
 * The worker's part of push-to-deployed-tag, in one place for the WorkerHost: the `deliveries`
 * queue processor, the delivery outbox sweep, commit statuses and failure alerts (both fed by the
 * reconciler's `saved()` callback), run on the resync tick and closed on shutdown.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NewAlert, PrismaClient } from '@slipway/persistence';
import type { AlertEmailOutcome, AlertMailer } from '@slipway/notify';
import { QUEUE_NAMES, type JobPayloads, type SlipwayQueues } from '@slipway/queue';
import { GithubChangedPaths, GitlabChangedPaths, type ChangedPathsSource, type Delivery } from '@slipway/scm';
import type { Workflow } from '@slipway/workflow';
import { FailureAlerts } from '../alerts/failure-alerts.js';
import { statusSenders, WorkflowStatusReporter, type ScmStatusConfig } from '../status/workflow-status.js';
import { DeliveryProcessor } from './delivery-processor.js';
import { DeliverySweeper } from './delivery-sweeper.js';

export interface WebhookPipelineOptions extends ScmStatusConfig {
  /** SLIPWAY_PUBLIC_URL: links in commit statuses and e-mails (default http://localhost:2746). */
  publicUrl?: string;
  /** SMTP_URL; unset: alerts are stored, not sent. */
  smtpUrl?: string;
  /** A ready mailer instead of smtpUrl (tests). */
  mailer?: AlertMailer;
  alertFrom?: string;
  /** Delivery sweep thresholds (defaults 10 s unqueued, 5 min stuck). */
  unqueuedAfterMs?: number;
  stuckAfterMs?: number;
}

type SavedSummary = { namespace: string; name: string; phase: string; version: number };

export class WebhookPipeline {
  readonly processor: DeliveryProcessor;
  readonly sweeper: DeliverySweeper;
  readonly statuses: WorkflowStatusReporter;
  readonly alerts: FailureAlerts;

  constructor(deps: {
    db: PrismaClient;
    queues: SlipwayQueues;
    ring: (workflowId: string) => Promise<void>;
    flushLogs: () => Promise<void>;
    log: (msg: string) => void;
    /** Each alert e-mail sent or failed (metrics). */
    onAlertEmail?: (outcome: AlertEmailOutcome) => void;
    options?: WebhookPipelineOptions;
  }) {
    const o = deps.options ?? {};
    const publicUrl = o.publicUrl ?? 'http://localhost:2746';
    this.statuses = new WorkflowStatusReporter(deps.db, { senders: statusSenders(o), publicUrl, log: deps.log });
    this.alerts = new FailureAlerts(deps.db, { smtpUrl: o.smtpUrl, mailer: o.mailer, from: o.alertFrom, publicUrl, flushLogs: deps.flushLogs, log: deps.log, onEmail: deps.onAlertEmail });
    const changedPaths: Partial<Record<Delivery['provider'], ChangedPathsSource>> = {};
    if (o.gitlabToken) changedPaths.gitlab = new GitlabChangedPaths({ host: o.gitlabUrl ?? 'https://gitlab.com', token: o.gitlabToken });
    if (o.githubToken) changedPaths.github = new GithubChangedPaths({ apiUrl: o.githubApiUrl, token: o.githubToken });
    this.processor = new DeliveryProcessor({
      db: deps.db,
      ring: deps.ring,
      accepted: (run) => this.statuses.accepted(run, run.annotations),
      changedPaths,
      log: deps.log,
    });
    this.sweeper = new DeliverySweeper(deps.db, deps.queues, { unqueuedAfterMs: o.unqueuedAfterMs, stuckAfterMs: o.stuckAfterMs });
  }

  /** The BullMQ worker of the `deliveries` queue. */
  worker(connection: Redis, prefix: string, concurrency = 4): Worker {
    return new Worker<JobPayloads['delivery']>(QUEUE_NAMES.deliveries, (job: Job<JobPayloads['delivery']>) => this.processor.process(job.data.deliveryId), {
      prefix,
      connection,
      concurrency,
      stalledInterval: 5000,
      maxStalledCount: 5,
    });
  }

  /** Call after every state save (never throws, never delays the reconcile for long). */
  saved(workflowId: string, summary: SavedSummary): void {
    void this.statuses.saved(workflowId, summary);
    void this.alerts.saved(workflowId, summary);
  }

  /** Make `sink.saved` also report to the pipeline, and failing saves carry their alert (`failureAlert`). */
  observe<T extends { saved(workflowId: string, summary: SavedSummary): Promise<void>; failureAlert?(wf: Workflow): Promise<NewAlert | undefined> }>(sink: T): T {
    sink.failureAlert = (wf: Workflow) => this.alerts.prepare(wf);
    const original = sink.saved.bind(sink);
    sink.saved = async (workflowId, summary) => {
      await original(workflowId, summary);
      this.saved(workflowId, summary);
    };
    return sink;
  }

  /** Resync tick: queue lost deliveries, write missing alerts, send due alerts. Never throws. */
  async tick(log: (msg: string) => void): Promise<void> {
    try {
      const r = await this.sweeper.sweep();
      if (r.unqueued || r.stuck) log(`deliveries: queued ${r.unqueued} unqueued and ${r.stuck} stuck`);
    } catch (err) {
      log(`delivery sweep failed: ${(err as Error).message}`);
    }
    await this.alerts.tick();
  }

  async close(): Promise<void> {
    // Statuses still being sent get a moment; retries beyond it are given up (the next state resends).
    await Promise.race([this.statuses.reporter.idle(), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.alerts.close();
  }
}
