/**
 * The executors of one worker process: the default one (SLIPWAY_EXECUTOR) made at start, the
 * other made when a workflow first chooses it. What concerns a node already stored (kill, podGC,
 * the workflow's PVCs) goes to the executor its stored request names.
 */
import { resolve } from 'node:path';
import { KubernetesExecutor, type KubernetesExecutorOptions, type PodExecutor } from '@slipway/executors';
import { LocalExecutor, type SecretStore } from '@slipway/executors/local';
import type { SlipwayMetrics } from '@slipway/observability';
import type { PodExecutions } from '@slipway/persistence';
import { executorFor, type ExecutorName, type WorkerPodRequest } from './executor-choice.js';

export interface ExecutorPoolOptions {
  defaultExecutor: ExecutorName;
  workdir: string;
  sandbox: 'auto' | 'bwrap' | 'none';
  spawner?: 'resident' | 'node';
  /** Secrets for the local executor's git artifacts (SLIPWAY_SECRETS_DIR). */
  secrets?: SecretStore;
  kubernetes?: KubernetesExecutorOptions;
  /**
   * The local executor runs at most this many pods at once, kept by its launcher's gate (the
   * worker's step slots, so pods staged beyond them wait in the spawner helper; ADR 0011).
   * Unset: no limit of its own.
   */
  localPodLimit?: number;
  executions: PodExecutions;
  metrics: SlipwayMetrics;
  warn: (message: string) => void;
}

export class ExecutorPool {
  private readonly executors = new Map<ExecutorName, PodExecutor>();

  constructor(private readonly opts: ExecutorPoolOptions) {
    this.named(opts.defaultExecutor);
  }

  get defaultExecutor(): ExecutorName {
    return this.opts.defaultExecutor;
  }

  /** The executor by name, created on first use. */
  named(name: ExecutorName): PodExecutor {
    let executor = this.executors.get(name);
    if (!executor) {
      const { warn } = this.opts;
      executor =
        name === 'kubernetes'
          ? new KubernetesExecutor({ ...this.opts.kubernetes, warn })
          : new LocalExecutor({ workdir: resolve(this.opts.workdir), sandbox: this.opts.sandbox, spawner: this.opts.spawner, secrets: this.opts.secrets, maxPods: this.opts.localPodLimit, warn });
      this.executors.set(name, executor);
    }
    return executor;
  }

  /** Pods of this executor keep running without the worker (they are re-adopted, not awaited, on stop). */
  outlivesWorker(name: ExecutorName): boolean {
    return name === 'kubernetes';
  }

  /** Stop, terminate, timeouts: kill the node where its stored request says it runs (if this process made that executor). */
  async kill(workflowId: string, nodeId: string, reason: string): Promise<void> {
    const row = await this.opts.executions.get(workflowId, nodeId);
    const name = row ? this.nameOf(row.request) : this.opts.defaultExecutor;
    const executor = name === undefined ? undefined : this.executors.get(name);
    if (!executor || name === undefined) return;
    await this.opts.metrics.podOperation(name, 'kill', () => executor.kill(nodeId, reason).then(() => 'kill'));
  }

  /** podGC (a DeletePod action): delete the pod where its node ran, when that executor keeps pods. */
  async deletePod(workflowId: string, nodeId: string, podName: string): Promise<void> {
    const row = await this.opts.executions.get(workflowId, nodeId);
    if (!row || this.nameOf(row.request) !== 'kubernetes') return;
    const kube = this.named('kubernetes') as KubernetesExecutor;
    await this.opts.metrics.podOperation('kubernetes', 'delete', () => kube.deletePod(nodeId, podName, row.request.workflow.namespace).then(() => 'delete'));
  }

  /** A workflow ended: delete its volumeClaimTemplates' PVCs when its pods ran on Kubernetes (any worker can). */
  async releaseClaims(workflowId: string): Promise<void> {
    const request: WorkerPodRequest | undefined = await this.opts.executions.anyRequest(workflowId);
    if (!request?.volumeClaimTemplates?.length || this.nameOf(request) !== 'kubernetes') return;
    await (this.named('kubernetes') as KubernetesExecutor).deleteClaims(request);
  }

  /** A finished or deleted workflow: what each executor keeps for it (volumes, watches). */
  async releaseWorkflow(workflowId: string): Promise<void> {
    for (const executor of this.executors.values()) await executor.releaseWorkflow(workflowId);
  }

  async close(): Promise<void> {
    for (const executor of this.executors.values()) await executor.close();
  }

  /** The executor a stored request names; undefined for an invalid choice (that node never ran). */
  private nameOf(request: WorkerPodRequest): ExecutorName | undefined {
    try {
      return executorFor(request, this.opts.defaultExecutor);
    } catch {
      return undefined;
    }
  }
}
