/**
 * Slipway's Prometheus metrics: one registry per process (api or worker) with the Node process
 * metrics and the platform's own. Names are the contract of deploy/grafana and deploy/prometheus.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every Slipway metric name (the dashboard and alert rules may only use these and Node's). */
export const METRIC_NAMES = {
  workflows: 'slipway_workflows',
  workflowDuration: 'slipway_workflow_duration_seconds',
  workflowsCompleted: 'slipway_workflows_completed_total',
  nodeDuration: 'slipway_node_duration_seconds',
  queueDepth: 'slipway_queue_depth',
  queueJobLatency: 'slipway_queue_job_latency_seconds',
  reconcileDuration: 'slipway_reconcile_duration_seconds',
  webhookDeliveries: 'slipway_webhook_deliveries_total',
  alertEmails: 'slipway_alert_emails_total',
  podOperations: 'slipway_executor_pod_operations_total',
  podErrors: 'slipway_executor_pod_errors_total',
  customMetricErrors: 'slipway_custom_metric_errors_total',
} as const;

export interface WorkflowCount {
  namespace: string;
  phase: string;
  count: number;
}

export interface QueueCounts {
  name: string;
  /** BullMQ's Queue#getJobCounts. */
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export interface MetricsOptions {
  /** `api` or `worker`: the `component` label on every series. */
  component: string;
  /** Node process metrics (default true). */
  processMetrics?: boolean;
}

const DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const FAST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'];

export class SlipwayMetrics {
  readonly registry = new Registry();
  readonly workflows: Gauge<'namespace' | 'phase'>;
  readonly workflowDuration: Histogram<'namespace' | 'phase'>;
  readonly workflowsCompleted: Counter<'namespace' | 'phase'>;
  readonly nodeDuration: Histogram<'namespace' | 'phase' | 'type'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly queueJobLatency: Histogram<'queue'>;
  readonly reconcileDuration: Histogram<'outcome'>;
  readonly webhookDeliveries: Counter<'source' | 'outcome'>;
  readonly alertEmails: Counter<'outcome'>;
  readonly podOperations: Counter<'executor' | 'operation'>;
  readonly podErrors: Counter<'executor' | 'operation'>;
  readonly customMetricErrors: Counter;
  private workflowSource?: () => Promise<WorkflowCount[]>;
  private workflowRefreshMs = 15_000;
  private workflowsRefreshedAt = 0;
  private queues: QueueCounts[] = [];

  constructor(opts: MetricsOptions) {
    this.registry.setDefaultLabels({ component: opts.component });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.workflows = new Gauge({
      name: METRIC_NAMES.workflows,
      help: 'Workflows by phase and namespace (from PostgreSQL)',
      labelNames: ['namespace', 'phase'],
      registers,
      async collect() {
        await self.refreshWorkflows(false);
      },
    });
    this.workflowDuration = new Histogram({ name: METRIC_NAMES.workflowDuration, help: 'Duration of finished workflows', labelNames: ['namespace', 'phase'], buckets: DURATION_BUCKETS, registers });
    this.workflowsCompleted = new Counter({ name: METRIC_NAMES.workflowsCompleted, help: 'Workflows that finished, by final phase', labelNames: ['namespace', 'phase'], registers });
    this.nodeDuration = new Histogram({ name: METRIC_NAMES.nodeDuration, help: 'Duration of finished workflow nodes', labelNames: ['namespace', 'phase', 'type'], buckets: DURATION_BUCKETS, registers });
    this.queueDepth = new Gauge({
      name: METRIC_NAMES.queueDepth,
      help: 'Jobs in each BullMQ queue by state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        await self.collectQueues();
      },
    });
    this.queueJobLatency = new Histogram({ name: METRIC_NAMES.queueJobLatency, help: 'Time a job waited in its queue before a worker took it (processedOn - timestamp); for pods a worker claimed in its own save, from the claim to its slot', labelNames: ['queue'], buckets: FAST_BUCKETS, registers });
    this.reconcileDuration = new Histogram({ name: METRIC_NAMES.reconcileDuration, help: 'Duration of one workflow reconcile', labelNames: ['outcome'], buckets: FAST_BUCKETS, registers });
    this.webhookDeliveries = new Counter({ name: METRIC_NAMES.webhookDeliveries, help: 'SCM webhook deliveries by source (gitlab, github, generic) and outcome (accepted, duplicate, unauthorized, error)', labelNames: ['source', 'outcome'], registers });
    this.alertEmails = new Counter({ name: METRIC_NAMES.alertEmails, help: 'Alert e-mails by outcome (sent, failed)', labelNames: ['outcome'], registers });
    this.podOperations = new Counter({ name: METRIC_NAMES.podOperations, help: 'Executor pod operations (run, adopt, skip, kill)', labelNames: ['executor', 'operation'], registers });
    this.podErrors = new Counter({ name: METRIC_NAMES.podErrors, help: 'Executor pod operations that failed', labelNames: ['executor', 'operation'], registers });
    this.customMetricErrors = new Counter({ name: METRIC_NAMES.customMetricErrors, help: 'Invalid Argo custom metric definitions and conflicting samples (argo_workflows_*), each logged by the worker', registers });
  }

  /** Where `slipway_workflows` comes from, re-read at most every `refreshMs` (on scrape). */
  workflowsFrom(source: () => Promise<WorkflowCount[]>, refreshMs = 15_000): this {
    this.workflowSource = source;
    this.workflowRefreshMs = refreshMs;
    return this;
  }

  /** Queues whose depth is reported on scrape. */
  watchQueues(queues: QueueCounts[]): this {
    this.queues = queues;
    return this;
  }

  async refreshWorkflows(force = true): Promise<void> {
    if (!this.workflowSource) return;
    const now = Date.now();
    if (!force && now - this.workflowsRefreshedAt < this.workflowRefreshMs) return;
    this.workflowsRefreshedAt = now;
    try {
      const rows = await this.workflowSource();
      this.workflows.reset();
      for (const r of rows) this.workflows.set({ namespace: r.namespace, phase: r.phase }, r.count);
    } catch {
      // PostgreSQL unreachable: keep the last values (readyz reports the outage).
    }
  }

  private async collectQueues(): Promise<void> {
    await Promise.all(
      this.queues.map(async (q) => {
        try {
          const counts = await q.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.queueDepth.set({ queue: q.name, state }, counts[state] ?? 0);
        } catch {
          // Redis unreachable: keep the last values.
        }
      }),
    );
  }

  /** A job was taken by a worker: record how long it waited. */
  jobStarted(queue: string, job: { timestamp: number; processedOn?: number }): void {
    const start = job.processedOn ?? Date.now();
    const delay = (job as { delay?: number }).delay ?? 0;
    this.queueJobLatency.observe({ queue }, Math.max(0, (start - job.timestamp - delay) / 1000));
  }

  /** Time `fn` into the reconcile histogram, labelled with its outcome status (or `error`). */
  async timeReconcile<T extends { status: string }>(fn: () => Promise<T>): Promise<T> {
    const end = this.reconcileDuration.startTimer();
    try {
      const out = await fn();
      end({ outcome: out.status });
      return out;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  }

  /** Count a pod operation, labelled with what it turned out to be (e.g. ran, adopted, skipped), or its failure. */
  async podOperation<T extends string>(executor: string, attempted: string, fn: () => Promise<T>): Promise<T> {
    try {
      const done = await fn();
      this.podOperations.inc({ executor, operation: done });
      return done;
    } catch (err) {
      this.podErrors.inc({ executor, operation: attempted });
      throw err;
    }
  }

  /** The text exposition format and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
