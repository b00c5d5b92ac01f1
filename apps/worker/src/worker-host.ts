/**
 * The worker process: BullMQ processors for reconcile, pod and timer jobs, the kill channel, and
 * the periodic resync. Several worker processes can share one PostgreSQL and Redis.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { KubernetesExecutorOptions } from '@slipway/executors';
import type { SecretStore } from '@slipway/executors/local';
import { CustomMetricsRecorder, SlipwayMetrics, startMetricsServer, workflowCounts, WorkflowObserver, type MetricsServer } from '@slipway/observability';
import { customMetricsOf } from '@slipway/engine';
import type { Workflow, WorkflowSpec } from '@slipway/workflow';
import {
  LogChunks,
  Locks,
  PodExecutions,
  Timers,
  WorkflowInbox,
  WorkflowRepository,
  WorkflowStateStore,
  WorkerLeases,
  type PrismaClient,
  type WorkflowHead,
} from '@slipway/persistence';
import { QUEUE_NAMES, redisConnection, SlipwayQueues, type JobPayloads } from '@slipway/queue';
import { ActionPerformer, killChannel, updatesChannel, type KillMessage } from './reconcile/action-performer.js';
import { ReconcileService } from './reconcile/reconcile-service.js';
import { LocalReconciles } from './reconcile/local-reconciles.js';
import { UpdatePublisher } from './reconcile/update-publisher.js';
import { LogWriter } from './pods/log-writer.js';
import { PodService } from './pods/pod-service.js';
import { executorFor, type ExecutorName, type WorkerPodRequest } from './pods/executor-choice.js';
import { ExecutorPool } from './pods/executor-pool.js';
import { PodSlots } from './pods/pod-slots.js';
import { SelfRunPods } from './pods/self-run-pods.js';
import { Resync } from './maintenance/resync.js';
import { LeaseKeeper } from './maintenance/lease-keeper.js';
import { CronScheduler } from './cron/cron-scheduler.js';
import { WebhookPipeline, type WebhookPipelineOptions } from './deliveries/webhook-pipeline.js';

export interface WorkerOptions {
  db: PrismaClient;
  redisUrl: string;
  prefix: string;
  workdir: string;
  sandbox: 'auto' | 'bwrap' | 'none';
  /** How the local executor starts step processes (default resident). */
  spawner?: 'resident' | 'node';
  /** Secret name → key → value for steps (git artifact credentials); see SLIPWAY_SECRETS_DIR. */
  secrets?: SecretStore;
  podConcurrency: number;
  /**
   * How many pods of its own reconciles this worker claims and runs without a queue job at most
   * (running or waiting for one of its slots; a claimed pod that waits more than a second for a
   * slot goes to the queue; ADR 0008). Default 256 (at least 2 × podConcurrency); 0: every pod
   * goes through the queue.
   */
  selfRunBound?: number;
  /**
   * Own pods handed to the local executor beyond `podConcurrency`: they wait in its spawner
   * helper, which starts the next the moment a step exits (the executor's gate keeps
   * `podConcurrency`; ADR 0011). Default max(podConcurrency, 16); 0: none, and no gate.
   */
  stagedPods?: number;
  /** SLIPWAY_EXECUTOR: where pods of workflows that do not choose run (default local). */
  executor?: ExecutorName;
  /** The Kubernetes executor's settings (kubeconfig, helper image, …), used when a workflow runs there. */
  kubernetes?: KubernetesExecutorOptions;
  reconcileConcurrency?: number;
  resyncSeconds: number;
  /** How often CronWorkflows are checked (default 10 s; 0 = never, tests call cronTick). */
  cronSeconds?: number;
  log?: (msg: string) => void;
  /** Serve Prometheus `GET /metrics` on this port (0 = any free port; unset = no server). */
  metricsPort?: number;
  /** The registry (default: a new one for this worker). */
  metrics?: SlipwayMetrics;
  /** Webhook deliveries, commit statuses and failure alerts (SLIPWAY_PUBLIC_URL, SMTP_URL, GITLAB_*, GITHUB_*). */
  webhooks?: WebhookPipelineOptions;
  clock?: () => number;
}

/** Realtime custom metric gauges that ended (JSON list of sources), for every worker. */
export function customMetricsChannel(prefix: string): string {
  return `${prefix}:custom-metrics-ended`;
}

export class WorkerHost {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly connections: Redis[] = [];
  private readonly workers: Worker[] = [];
  private readonly queues: SlipwayQueues;
  private readonly executors: ExecutorPool;
  private readonly reconciler: ReconcileService;
  private readonly local: LocalReconciles;
  private readonly updates: UpdatePublisher;
  private readonly pods: PodService;
  private readonly slots: PodSlots;
  private readonly selfRun: SelfRunPods;
  private readonly lease: LeaseKeeper;
  private podWorker?: Worker;
  private readonly resync: Resync;
  private readonly logs: LogWriter;
  private resyncTimer?: NodeJS.Timeout;
  private cronTimer?: NodeJS.Timeout;
  readonly metrics: SlipwayMetrics;
  private metricsServer?: MetricsServer;
  private readonly cron: CronScheduler;
  /** The `deliveries` queue, commit statuses and failure alerts. */
  readonly webhooks: WebhookPipeline;
  private readonly log: (msg: string) => void;
  private readonly customMetrics: CustomMetricsRecorder;
  private readonly publisher: Redis;

  constructor(private readonly opts: WorkerOptions) {
    this.log = opts.log ?? ((m) => console.log(`[worker] ${m}`));
    const producer = this.connection(false);
    this.queues = new SlipwayQueues(producer, opts.prefix);
    const publisher = this.connection(false);
    const inbox = new WorkflowInbox(opts.db);
    const executions = new PodExecutions(opts.db);
    const timers = new Timers(opts.db);
    const workflows = new WorkflowRepository(opts.db);
    this.metrics = opts.metrics ?? new SlipwayMetrics({ component: 'worker' });
    const staged = opts.stagedPods ?? Math.max(opts.podConcurrency, 16);
    this.executors = new ExecutorPool({
      defaultExecutor: opts.executor ?? 'local',
      localPodLimit: staged > 0 ? opts.podConcurrency : undefined,
      workdir: opts.workdir,
      sandbox: opts.sandbox,
      spawner: opts.spawner,
      secrets: opts.secrets,
      kubernetes: opts.kubernetes,
      executions,
      metrics: this.metrics,
      warn: (m) => this.log(`warning: ${m}`),
    });
    this.updates = new UpdatePublisher((message) =>
      publisher.publish(updatesChannel(opts.prefix), message).then(
        () => undefined,
        (err: Error) => this.log(`cannot publish a workflow update: ${err.message}`),
      ),
    );
    const performer = new ActionPerformer({
      pods: executions,
      timers,
      locks: new Locks(opts.db),
      inbox,
      queues: this.queues,
      publisher,
      prefix: opts.prefix,
      updates: this.updates,
      log: this.log,
      deletePod: (workflowId, nodeId, podName) => this.executors.deletePod(workflowId, nodeId, podName),
      workflowCompleted: (workflowId) => this.executors.releaseClaims(workflowId),
    });
    this.webhooks = new WebhookPipeline({
      db: opts.db,
      queues: this.queues,
      ring: (id) => this.queues.reconcileWorkflow(id).catch((err: Error) => this.log(`queue unavailable, the resync will pick this up: ${err.message}`)),
      flushLogs: () => this.logs.flush(),
      log: this.log,
      onAlertEmail: (outcome) => this.metrics.alertEmails.inc({ outcome }),
      options: opts.webhooks,
    });
    this.webhooks.observe(performer);
    const state = new WorkflowStateStore(opts.db);
    this.metrics.workflowsFrom(workflowCounts(opts.db)).watchQueues([this.queues.reconcile, this.queues.pods, this.queues.timers]);
    const observer = new WorkflowObserver(this.metrics);
    const customMetrics = (this.customMetrics = new CustomMetricsRecorder(this.metrics.registry, (message) => {
      this.metrics.customMetricErrors.inc();
      this.log(`warning: custom metric: ${message}`);
    }));
    this.publisher = publisher;
    // Pods this worker's reconciles start are claimed and run here, in the slots the pod queue's
    // consumer shares, while its lease is valid (ADR 0008); some staged in the local executor (ADR 0011).
    this.slots = new PodSlots(opts.podConcurrency, 1000, staged);
    this.lease = new LeaseKeeper(new WorkerLeases(opts.db), this.workerId, this.log);
    this.selfRun = new SelfRunPods({
      worker: this.workerId,
      slots: this.slots,
      bound: opts.selfRunBound ?? Math.max(256, 2 * opts.podConcurrency),
      leaseValid: () => this.lease.valid(),
      eligible: (pod) => this.runsWithThisProcess(pod),
      run: async (workflowId, pod, claimedAt, exited) => {
        // Their wait for a slot is the pod queue's latency (they are the pods this worker takes first).
        this.metrics.jobStarted(QUEUE_NAMES.pods, { timestamp: claimedAt });
        const run = await this.local.track(workflowId, () => this.pods.runClaimed(workflowId, pod, exited));
        this.metrics.podOperations.inc({ executor: run.executor, operation: run.outcome });
      },
      requeue: (workflowId, nodeIds) => this.queues.runPods(workflowId, nodeIds).catch((err: Error) => this.log(`queue unavailable, the resync will pick this up: ${err.message}`)),
      unclaim: (workflowId, nodeIds) => executions.unclaim(workflowId, nodeIds, this.workerId),
      cancel: (workflowId, nodeId) => executions.cancelClaimed(workflowId, nodeId, this.workerId),
      // The queue's consumer fetches only for the slots this worker's own pods leave (at least one).
      onChange: (held) => {
        if (this.podWorker) this.podWorker.concurrency = Math.max(1, opts.podConcurrency - held);
      },
      log: this.log,
    });
    this.reconciler = new ReconcileService(
      state,
      performer,
      Date.now,
      this.log,
      (id, wf, changed, spec) => {
        observer.observe(id, wf, changed);
        this.recordCustomMetrics(customMetrics, wf, spec, changed);
      },
      this.selfRun,
    );
    this.logs = new LogWriter(new LogChunks(opts.db), (err) => this.log(`log write failed: ${err.message}`));
    const ring = async (workflowId: string) => {
      try {
        await this.queues.reconcileWorkflow(workflowId);
      } catch (err) {
        this.log(`queue unavailable, the resync will pick this up: ${(err as Error).message}`);
      }
    };
    // A pod that started or finished here is reconciled here, without a queue round trip (ADR 0005).
    this.local = new LocalReconciles((id, head) => this.metrics.timeReconcile(() => this.reconciler.reconcile(id, head)), ring);
    const ringHere = (workflowId: string, head?: WorkflowHead): Promise<void> => {
      this.local.ring(workflowId, head);
      return Promise.resolve();
    };
    this.pods = new PodService({
      executions,
      inbox,
      executor: (name) => this.executors.named(name),
      defaultExecutor: this.executors.defaultExecutor,
      outlivesWorker: (name) => this.executors.outlivesWorker(name),
      logs: this.logs,
      workerId: this.workerId,
      ring: ringHere,
    });
    this.resync = new Resync({
      workflows,
      inbox,
      timers,
      executions,
      leases: new WorkerLeases(opts.db),
      queues: this.queues,
      state,
      perform: (id, actions) => performer.perform(id, actions),
      worker: this.workerId,
      holds: (workflowId, nodeId) => this.selfRun.holds(workflowId, nodeId),
    });
    this.timerInbox = { inbox, timers, ring };
    this.cron = new CronScheduler(opts.db, ring, this.log);
  }

  /** Argo custom metrics of the nodes (and workflow) this save completed; never fails the reconcile. */
  private recordCustomMetrics(recorder: CustomMetricsRecorder, wf: Workflow, spec: WorkflowSpec, changed: string[]): void {
    try {
      const where = `${wf.metadata.namespace ?? 'default'}/${wf.metadata.name ?? ''}`;
      const batches = customMetricsOf(wf, spec, changed, this.opts.clock?.() ?? Date.now());
      const ended = recorder.record(batches.map((b) => ({ ...b, errors: b.errors.map((e) => `${where}: ${e}`) })));
      // Another worker may have seen these nodes start: their realtime gauges end there too.
      if (ended.length > 0) void this.publisher.publish(customMetricsChannel(this.opts.prefix), JSON.stringify(ended)).catch(() => undefined);
    } catch (err) {
      this.log(`warning: custom metrics failed: ${(err as Error).message}`);
    }
  }

  /** Whether a pod's executor runs it as part of this process (local), so it may run without a queue job. */
  private runsWithThisProcess(pod: WorkerPodRequest): boolean {
    try {
      return !this.executors.outlivesWorker(executorFor(pod, this.executors.defaultExecutor));
    } catch {
      return false; // an invalid executor choice: the pod job reports it
    }
  }

  /** Pods this worker holds for itself (claimed in its saves, waiting or running; ADR 0008). */
  get selfRunPods(): number {
    return this.selfRun.size;
  }

  /** Check every CronWorkflow at `now` (the periodic tick calls this with the clock). */
  cronTick(now: Date): ReturnType<CronScheduler['tick']> {
    return this.cron.tick(now);
  }

  private readonly timerInbox: { inbox: WorkflowInbox; timers: Timers; ring: (id: string) => Promise<void> };

  private connection(forWorker: boolean): Redis {
    const c = redisConnection(this.opts.redisUrl, { forWorker });
    this.connections.push(c);
    return c;
  }

  async start(): Promise<void> {
    if (this.opts.metricsPort !== undefined) {
      // Ready while Redis answers (PostgreSQL errors surface in the jobs and the resync log).
      // Several workers on one machine share SLIPWAY_METRICS_PORT: the first serves it, the others run without.
      try {
        this.metricsServer = await startMetricsServer(this.metrics, this.opts.metricsPort, '0.0.0.0', () => this.queues.connection.ping());
      } catch (err) {
        this.log(`warning: no /metrics on port ${this.opts.metricsPort}: ${(err as Error).message}`);
      }
    }
    const { prefix } = this.opts;
    // The lease first: the pods this worker's reconciles claim are protected by it.
    await this.lease.start();
    const common = { prefix, stalledInterval: 5000, maxStalledCount: 5 };
    this.workers.push(
      new Worker<JobPayloads['reconcile']>(QUEUE_NAMES.reconcile, (job: Job<JobPayloads['reconcile']>) => {
        this.metrics.jobStarted(QUEUE_NAMES.reconcile, job);
        return this.metrics.timeReconcile(() => this.reconciler.reconcile(job.data.workflowId));
      }, {
        ...common,
        connection: this.connection(true),
        concurrency: this.opts.reconcileConcurrency ?? 16,
      }),
      (this.podWorker = new Worker<JobPayloads['pod']>(QUEUE_NAMES.pods, async (job: Job<JobPayloads['pod']>) => {
        this.metrics.jobStarted(QUEUE_NAMES.pods, job);
        const release = await this.slots.acquire();
        try {
          await this.runPod(job.data);
        } finally {
          release();
        }
      }, {
        ...common,
        connection: this.connection(true),
        concurrency: Math.max(1, this.opts.podConcurrency - this.selfRun.size),
        lockDuration: 10_000,
      })),
      new Worker<JobPayloads['timer']>(QUEUE_NAMES.timers, (job: Job<JobPayloads['timer']>) => {
        this.metrics.jobStarted(QUEUE_NAMES.timers, job);
        return this.fire(job.data);
      }, {
        ...common,
        connection: this.connection(true),
        concurrency: 8,
      }),
    );
    this.workers.push(this.webhooks.worker(this.connection(true), prefix));
    for (const w of this.workers) w.on('failed', (job, err) => this.log(`${w.name} job ${job?.id ?? '?'} failed: ${err.message}`));
    const subscriber = this.connection(true);
    await subscriber.subscribe(killChannel(prefix), updatesChannel(prefix), customMetricsChannel(prefix));
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === customMetricsChannel(prefix)) {
        for (const source of JSON.parse(text) as string[]) this.customMetrics.endLive(source);
        return;
      }
      if (channel === killChannel(prefix)) {
        const msg = JSON.parse(text) as KillMessage;
        // A pod this worker claimed but has not started yet never starts; a running one is killed.
        if (!this.selfRun.drop(msg.workflowId, msg.nodeId)) void this.executors.kill(msg.workflowId, msg.nodeId, msg.reason).catch(() => undefined);
        return;
      }
      // A finished or deleted workflow: kill what still runs here and drop its workflow-lifetime volumes.
      const update = JSON.parse(text) as { workflowId: string; phase?: string; deleted?: boolean };
      if (update.deleted) this.selfRun.dropWorkflow(update.workflowId);
      if (update.deleted || update.phase === 'Succeeded' || update.phase === 'Failed' || update.phase === 'Error') {
        void this.executors.releaseWorkflow(update.workflowId);
      }
    });
    const every = this.opts.resyncSeconds * 1000;
    const tick = () => {
      void this.webhooks.tick(this.log);
      this.resync.run({ periodic: true }).then(
        (r) => {
          if (r.timers || r.deleted || r.actions) {
            this.log(`resync: ${r.workflows} workflows, ${r.timers} timers, ${r.pods} pods, ${r.actions} stranded actions, ${r.deleted} deleted by TTL`);
          }
        },
        (err: Error) => this.log(`resync failed: ${err.message}`),
      );
      this.resyncTimer = setTimeout(tick, every);
    };
    this.resyncTimer = setTimeout(tick, Math.min(every, 2000));
    const cronEvery = (this.opts.cronSeconds ?? 10) * 1000;
    if (cronEvery > 0) {
      const cronTick = () => {
        this.cron.tick(new Date(this.opts.clock?.() ?? Date.now())).then(
          (r) => {
            if (r.started.length) this.log(`cron started ${r.started.join(', ')}`);
          },
          (err: Error) => this.log(`cron tick failed: ${err.message}`),
        );
        this.cronTimer = setTimeout(cronTick, cronEvery);
      };
      this.cronTimer = setTimeout(cronTick, cronEvery);
    }
  }

  /** The port `GET /metrics` listens on (undefined without a metrics server). */
  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }

  /** Run the resync now (tests, and the first moments after a restart). */
  resyncNow(): ReturnType<Resync['run']> {
    return this.resync.run();
  }

  private async runPod(data: JobPayloads['pod']): Promise<void> {
    try {
      const run = await this.local.track(data.workflowId, () => this.pods.run(data.workflowId, data.nodeId));
      this.metrics.podOperations.inc({ executor: run.executor, operation: run.outcome });
    } catch (err) {
      this.metrics.podErrors.inc({ executor: this.executors.defaultExecutor, operation: 'run' });
      throw err;
    }
  }

  private async fire(data: JobPayloads['timer']): Promise<void> {
    const { inbox, timers, ring } = this.timerInbox;
    await inbox.append(data.workflowId, { type: 'TimerFired', key: data.key });
    await timers.clear(data.workflowId, data.key);
    await ring(data.workflowId);
  }

  /** Graceful stop: finish in-flight jobs (pods are killed), flush logs, close connections. */
  async stop(): Promise<void> {
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    await this.metricsServer?.close();
    if (this.cronTimer) clearTimeout(this.cronTimer);
    // Kubernetes pods keep running: stop waiting for them (the next worker re-adopts them).
    this.pods.abandon();
    const closing = Promise.all(this.workers.map((w) => w.close()));
    // Pods claimed here that wait for a slot go back to the queue; running ones finish.
    await this.selfRun.stop();
    await closing;
    await this.local.idle();
    await this.reconciler.flush();
    await this.updates.flush();
    await this.executors.close();
    await this.logs.flush();
    // Last: nothing of this worker's runs any more (the lease protected its own pods).
    await this.lease.stop();
    await this.webhooks.close();
    await this.queues.close();
    for (const c of this.connections) c.disconnect();
  }
}
