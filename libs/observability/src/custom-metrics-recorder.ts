/**
 * Recording Argo custom metrics (evaluated by `customMetricsOf` in @slipway/engine) in the
 * process's prom-client registry, under `argo_workflows_<name>` as Argo emits them. One metric per
 * name: its type, help, label names (and buckets) are fixed by the first sample; a later sample
 * that differs is an error, reported and dropped, like an invalid definition.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const CUSTOM_METRIC_PREFIX = 'argo_workflows_';

/** The shape of @slipway/engine's CustomMetricSample (observability does not import the engine). */
export interface CustomSample {
  name: string;
  help: string;
  kind: 'gauge' | 'counter' | 'histogram';
  labels: Record<string, string>;
  value: number;
  buckets?: number[];
  operation?: 'Set' | 'Add' | 'Sub';
  realtime?: { key: string; startedAt: number };
}

export interface CustomBatch {
  source: string;
  final: boolean;
  realtime?: boolean;
  samples: CustomSample[];
  errors: string[];
}

interface Registered {
  kind: CustomSample['kind'];
  help: string;
  labelNames: string[];
  buckets?: number[];
  metric: Gauge | Counter | Histogram;
}

interface LiveGauge {
  name: string;
  labels: Record<string, string>;
  startedAt: number;
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class CustomMetricsRecorder {
  private readonly metrics = new Map<string, Registered>();
  /** Realtime gauges of running nodes, by `<source>|<name>|<labels>`. */
  private readonly live = new Map<string, LiveGauge>();
  /** Sources whose final samples were recorded (bounded: oldest forgotten first). */
  private readonly emitted = new Set<string>();

  constructor(
    private readonly registry: Registry,
    /** An invalid definition or a conflicting sample (the worker logs it and counts it). */
    private readonly report: (message: string) => void,
    private readonly clock: () => number = Date.now,
    private readonly limit = 100_000,
  ) {}

  /**
   * Record what a save emitted; a final source already recorded (a re-save, another pass) is
   * skipped. Returns the sources whose realtime gauges ended: other processes that saw them start
   * must `endLive` them too.
   */
  record(batches: readonly CustomBatch[]): string[] {
    const ended: string[] = [];
    for (const batch of batches) {
      // A source that completed emits nothing more (a late live sample would never end).
      if (this.emitted.has(batch.source)) continue;
      if (batch.final) {
        this.emitted.add(batch.source);
        if (this.emitted.size > this.limit) this.emitted.delete(this.emitted.values().next().value as string);
        // Its live series end here, whether or not a final sample follows (`when` may be false).
        this.endLive(batch.source);
        if (batch.realtime) ended.push(batch.source);
      }
      for (const error of batch.errors) this.report(error);
      for (const sample of batch.samples) {
        try {
          this.recordSample(batch.source, sample);
        } catch (err) {
          this.report(`${CUSTOM_METRIC_PREFIX}${sample.name}: ${(err as Error).message}`);
        }
      }
    }
    return ended;
  }

  /** Stop the realtime gauges of a node or workflow (`<uid>/<node id>` or `<uid>`): its series go. */
  endLive(source: string): void {
    for (const [key, g] of this.live) {
      if (!key.startsWith(`${source}|`)) continue;
      this.live.delete(key);
      (this.metrics.get(`${CUSTOM_METRIC_PREFIX}${g.name}`)?.metric as Gauge | undefined)?.remove(g.labels);
    }
  }

  private recordSample(source: string, s: CustomSample): void {
    const registered = this.metricFor(s);
    const labels = s.labels;
    if (s.realtime) {
      this.live.set(`${source}|${s.name}|${JSON.stringify(labels)}`, { name: s.name, labels, startedAt: s.realtime.startedAt });
      return;
    }
    switch (s.kind) {
      case 'counter':
        (registered.metric as Counter).inc(labels, s.value);
        break;
      case 'histogram':
        (registered.metric as Histogram).observe(labels, s.value);
        break;
      case 'gauge': {
        const gauge = registered.metric as Gauge;
        if (s.operation === 'Add') gauge.inc(labels, s.value);
        else if (s.operation === 'Sub') gauge.dec(labels, s.value);
        else gauge.set(labels, s.value);
        break;
      }
    }
  }

  private metricFor(s: CustomSample): Registered {
    const name = `${CUSTOM_METRIC_PREFIX}${s.name}`;
    const labelNames = Object.keys(s.labels).sort();
    const known = this.metrics.get(name);
    if (known) {
      if (known.kind !== s.kind) throw new Error(`already a ${known.kind}, not a ${s.kind} (metrics with one name keep one type)`);
      if (known.help !== s.help) throw new Error(`help "${s.help}" differs from "${known.help}" (metrics with one name keep one help)`);
      if (!sameList(known.labelNames, labelNames)) throw new Error(`labels [${labelNames.join(', ')}] differ from [${known.labelNames.join(', ')}]`);
      if (s.buckets && known.buckets && !sameList(known.buckets, s.buckets)) throw new Error(`buckets [${s.buckets.join(', ')}] differ from [${known.buckets.join(', ')}]`);
      return known;
    }
    if (this.registry.getSingleMetric(name)) throw new Error('the name is taken by a built-in metric');
    const registers = [this.registry];
    let metric: Registered['metric'];
    if (s.kind === 'counter') metric = new Counter({ name, help: s.help, labelNames, registers });
    else if (s.kind === 'histogram') metric = new Histogram({ name, help: s.help, labelNames, buckets: s.buckets, registers });
    else {
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const recorder = this;
      metric = new Gauge({
        name,
        help: s.help,
        labelNames,
        registers,
        collect() {
          recorder.refreshLive(this, s.name);
        },
      });
    }
    const registered: Registered = { kind: s.kind, help: s.help, labelNames, buckets: s.buckets, metric };
    this.metrics.set(name, registered);
    return registered;
  }

  /** On scrape: a running node's realtime gauge is the time since it started. */
  private refreshLive(gauge: Gauge, name: string): void {
    const now = this.clock();
    for (const g of this.live.values()) if (g.name === name) gauge.set(g.labels, Math.max(0, (now - g.startedAt) / 1000));
  }
}
