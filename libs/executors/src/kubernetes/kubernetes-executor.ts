/**
 * KubernetesExecutor: one Pod per node in the workflow's namespace, phases by watch (one watch per
 * workflow, re-listed after a lost watch or 410 Gone), logs followed into the sink while the pod
 * runs, "already exists" adopts, kill/podGC delete the pod. See README.md.
 */
import { CoreV1Api, KubeConfig, KubernetesObjectApi, Log, Watch } from '@kubernetes/client-node';
import type { PodResult } from '@slipway/engine';
import type { ExecutionSink, PodExecutor } from '../port.js';
import { LogFollower } from './log-follower.js';
import { buildPodManifest, claimManifests, ANNOTATION_EXECUTION_ID, ANNOTATION_NODE_ID, LABEL_WORKFLOW, type KubePodRequest, type PodDefaults } from './pod-manifest.js';
import { containerStatus, fatalWaiting, isFinished, podResult, startedContainers, type PodObject } from './pod-status.js';
import { runResource } from './resource-action.js';

export interface KubernetesExecutorOptions {
  /** Defaults to `loadFromDefault()` ($KUBECONFIG, ~/.kube/config, in-cluster service account). */
  kubeConfig?: KubeConfig;
  /** Image of the staging init container. Default `slipway/helper:latest`. */
  helperImage?: string;
  /** Image of git input artifact init containers. Default `alpine/git:v2.47.2`. */
  gitImage?: string;
  /** Pod settings used when the template does not set them (workflow-level spec fields). */
  defaults?: PodDefaults;
  /** Grace period of deletions by kill (seconds). Default 30. */
  killGraceSeconds?: number;
  /** Pause before re-listing after a lost watch. Default 1000 ms. */
  rewatchDelayMs?: number;
  /** How often resource templates re-read their object while waiting for a condition. Default 5000 ms. */
  resourcePollMs?: number;
  warn?: (message: string) => void;
}

interface Tracked {
  req: KubePodRequest;
  /** The pod's uid once created or adopted: events of an older pod of the same name are ignored. */
  uid?: string;
  /** Replacing a previous attempt's pod: ignore events until the new pod exists. */
  replacing?: boolean;
  sink: ExecutionSink;
  requestedAt: number;
  created: boolean;
  started: boolean;
  ready: boolean;
  finishing: boolean;
  result?: PodResult;
  killReason?: string;
  logs: LogFollower;
  waiters: (() => void)[];
}

interface WorkflowWatch {
  namespace: string;
  name: string;
  abort?: AbortController;
  stopped: boolean;
}

/** A pod of the same name created for another execution of the node (its execution id differs). */
const isForeign = (pod: PodObject, req: KubePodRequest): boolean => {
  const id = pod.metadata?.annotations?.[ANNOTATION_EXECUTION_ID];
  return req.executionId !== undefined && id !== undefined && id !== req.executionId;
};
const codeOf = (error: unknown) => (error as { code?: number; statusCode?: number }).code ?? (error as { statusCode?: number }).statusCode;
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class KubernetesExecutor implements PodExecutor {
  readonly kubeConfig: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly watcher: Watch;
  private readonly logApi: Log;
  private readonly nodes = new Map<string, Tracked>();
  private readonly watches = new Map<string, WorkflowWatch>();
  private readonly claims = new Map<string, { namespace: string; names: Map<string, Promise<void>> }>();
  /** Nodes whose results the host stored: a later start is a retry, so their old pod is replaced, not adopted. */
  private readonly forgotten = new Set<string>();
  private closed = false;

  constructor(private readonly options: KubernetesExecutorOptions = {}) {
    this.kubeConfig = options.kubeConfig ?? KubernetesExecutor.defaultConfig();
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    this.watcher = new Watch(this.kubeConfig);
    this.logApi = new Log(this.kubeConfig);
  }

  static defaultConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return kc;
  }

  start(request: KubePodRequest, sink: ExecutionSink): void {
    const known = this.nodes.get(request.nodeId);
    if (known) {
      known.sink = sink;
      if (known.result) this.report(known, () => sink.podFinished(known.result as PodResult));
      return;
    }
    const t: Tracked = {
      req: request,
      sink,
      requestedAt: Date.now(),
      created: false,
      started: false,
      ready: false,
      finishing: false,
      logs: new LogFollower(this.logApi, request, (line) => this.report(t, () => t.sink.log?.(line)), this.warn),
      waiters: [],
    };
    this.nodes.set(request.nodeId, t);
    void this.launch(t).catch((error: unknown) => this.finish(t, this.errorResult(t, `executor failure: ${describe(error)}`)));
  }

  async kill(nodeId: string, reason: string): Promise<void> {
    const t = this.nodes.get(nodeId);
    if (!t || t.result) return;
    t.killReason ??= reason;
    const done = new Promise<void>((resolve) => t.waiters.push(resolve));
    if (t.created) await this.deletePodNamed(t.req.workflow.namespace, t.req.podName, this.options.killGraceSeconds ?? 30, t);
    await done;
  }

  /** podGC: delete a finished node's pod (by the names the DeletePod action carries when the node is forgotten). */
  async deletePod(nodeId: string, podName?: string, namespace?: string): Promise<void> {
    const t = this.nodes.get(nodeId);
    const name = podName ?? t?.req.podName;
    const ns = namespace ?? t?.req.workflow.namespace;
    if (name === undefined || ns === undefined) return;
    await this.deletePodNamed(ns, name, 0, undefined);
  }

  forget(nodeId: string): void {
    const t = this.nodes.get(nodeId);
    if (!t?.result) return;
    this.nodes.delete(nodeId);
    this.forgotten.add(nodeId);
  }

  async releaseWorkflow(workflowUid: string): Promise<void> {
    const claims = this.claims.get(workflowUid);
    this.claims.delete(workflowUid);
    for (const name of claims?.names.keys() ?? []) {
      try {
        await this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: claims?.namespace ?? 'default' });
      } catch (error) {
        if (codeOf(error) !== 404) this.warn(`deleting PVC ${name}: ${describe(error)}`);
      }
    }
    for (const [key, w] of this.watches) {
      const busy = [...this.nodes.values()].some((t) => !t.result && `${t.req.workflow.namespace}/${t.req.workflow.name}` === key);
      const mine = [...this.nodes.values()].some((t) => t.req.workflow.uid === workflowUid && `${t.req.workflow.namespace}/${t.req.workflow.name}` === key);
      if (mine && !busy) this.stopWatch(key, w);
    }
  }

  /**
   * Delete the PVCs of a workflow's volumeClaimTemplates by name (any worker can, e.g. the one that
   * saw the workflow complete after a restart lost `releaseWorkflow`'s memory of them). 404 is fine.
   */
  async deleteClaims(req: KubePodRequest): Promise<void> {
    this.claims.delete(req.workflow.uid);
    for (const body of claimManifests(req)) {
      const name = (body.metadata as { name: string }).name;
      try {
        await this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: req.workflow.namespace });
      } catch (error) {
        if (codeOf(error) !== 404) this.warn(`deleting PVC ${name}: ${describe(error)}`);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [key, w] of this.watches) this.stopWatch(key, w);
    for (const t of this.nodes.values()) t.logs.abort();
    await Promise.resolve();
  }

  private async launch(t: Tracked): Promise<void> {
    const req = t.req;
    this.ensureWatch(req.workflow.namespace, req.workflow.name);
    if (req.template.resource) {
      const result = await runResource(this.objects, req, { pollMs: this.options.resourcePollMs ?? 5000, cancelled: () => t.killReason });
      this.report(t, () => t.sink.podStarted(req.nodeId, result.startedAt));
      return this.finish(t, result);
    }
    await this.createClaims(req);
    let manifest: Record<string, unknown>;
    try {
      manifest = buildPodManifest(req, { helperImage: this.options.helperImage ?? 'slipway/helper:latest', gitImage: this.options.gitImage, defaults: this.options.defaults });
    } catch (error) {
      return this.finish(t, this.errorResult(t, `invalid pod spec: ${describe(error)}`));
    }
    const retry = this.forgotten.delete(req.nodeId);
    t.replacing = retry;
    let pod: PodObject | undefined;
    for (let attempt = 0; pod === undefined; attempt++) {
      try {
        pod = (await this.core.createNamespacedPod({ namespace: req.workflow.namespace, body: manifest })) as PodObject;
      } catch (error) {
        if (codeOf(error) !== 409) return this.finish(t, this.errorResult(t, `creating pod ${req.podName}: ${describe(error)}`));
        const existing = (await this.core.readNamespacedPod({ name: req.podName, namespace: req.workflow.namespace })) as PodObject;
        // Replace, not adopt: a retry's finished pod (no podGC yet), or a pod another execution of
        // this node created (before a workflow retry reset it), running or not.
        const foreign = isForeign(existing, req);
        if ((!foreign && !(retry && isFinished(existing))) || attempt >= 50) pod = existing;
        else {
          t.replacing = true;
          if (attempt === 0) await this.deletePodNamed(req.workflow.namespace, req.podName, 0, undefined);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    t.created = true;
    t.replacing = false;
    t.uid = (pod.metadata as { uid?: string } | undefined)?.uid;
    if (t.killReason !== undefined) await this.deletePodNamed(req.workflow.namespace, req.podName, this.options.killGraceSeconds ?? 30, t);
    this.observe(pod);
  }

  private async createClaims(req: KubePodRequest): Promise<void> {
    const manifests = claimManifests(req);
    if (manifests.length === 0) return;
    let entry = this.claims.get(req.workflow.uid);
    if (!entry) this.claims.set(req.workflow.uid, (entry = { namespace: req.workflow.namespace, names: new Map() }));
    for (const body of manifests) {
      const name = (body.metadata as { name: string }).name;
      let created = entry.names.get(name);
      if (!created) {
        created = this.core.createNamespacedPersistentVolumeClaim({ namespace: req.workflow.namespace, body }).then(
          () => undefined,
          (error: unknown) => {
            if (codeOf(error) !== 409) throw error;
          },
        );
        entry.names.set(name, created);
      }
      await created;
    }
  }

  private async deletePodNamed(namespace: string, name: string, grace: number, t: Tracked | undefined): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: grace });
    } catch (error) {
      if (codeOf(error) !== 404) this.warn(`deleting pod ${namespace}/${name}: ${describe(error)}`);
      else if (t && !t.result) this.finish(t, this.killedResult(t, undefined));
    }
  }

  private ensureWatch(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (this.watches.has(key) || this.closed) return;
    const w: WorkflowWatch = { namespace, name, stopped: false };
    this.watches.set(key, w);
    void this.relistAndWatch(w);
  }

  private stopWatch(key: string, w: WorkflowWatch): void {
    w.stopped = true;
    w.abort?.abort();
    this.watches.delete(key);
  }

  /** List the workflow's pods (catching up on what the watch missed), then watch from the list's resourceVersion. */
  private async relistAndWatch(w: WorkflowWatch): Promise<void> {
    const labelSelector = `${LABEL_WORKFLOW}=${w.name}`;
    while (!w.stopped && !this.closed) {
      try {
        const list = await this.core.listNamespacedPod({ namespace: w.namespace, labelSelector });
        const seen = new Set<string>();
        for (const pod of list.items as PodObject[]) {
          seen.add(pod.metadata?.name ?? '');
          this.observe(pod);
        }
        for (const t of this.nodes.values()) {
          const mine = t.req.workflow.namespace === w.namespace && t.req.workflow.name === w.name;
          if (mine && t.created && !t.result && !seen.has(t.req.podName)) this.onDeleted(t);
        }
        const lost = await this.watchFrom(w, labelSelector, list.metadata?.resourceVersion);
        if (lost && !w.stopped && !this.closed) this.warn(`watch of pods of ${w.namespace}/${w.name}: ${lost}; re-listing`);
      } catch (error) {
        this.warn(`listing pods of ${w.namespace}/${w.name}: ${describe(error)}`);
      }
      if (!w.stopped && !this.closed) await new Promise((r) => setTimeout(r, this.options.rewatchDelayMs ?? 1000));
    }
  }

  /** Resolves with why the watch ended. */
  private watchFrom(w: WorkflowWatch, labelSelector: string, resourceVersion: string | undefined): Promise<string> {
    return new Promise<string>((resolve) => {
      let why: string | undefined;
      this.watcher
        .watch(
          `/api/v1/namespaces/${w.namespace}/pods`,
          { labelSelector, resourceVersion, allowWatchBookmarks: true },
          (type: string, obj: PodObject & { code?: number; message?: string }) => {
            if (type === 'ERROR') {
              why = obj.code === 410 ? '410 Gone' : `error ${obj.code ?? ''} ${obj.message ?? ''}`;
              w.abort?.abort();
            } else if (type === 'DELETED') {
              const t = this.trackedOf(obj);
              if (t) this.onDeleted(t, obj);
            } else if (type === 'ADDED' || type === 'MODIFIED') this.observe(obj);
          },
          (err: unknown) => resolve(why ?? (err ? describe(err) : 'stream closed')),
        )
        .then((abort) => {
          w.abort = abort;
          if (w.stopped) abort.abort();
        })
        .catch((error: unknown) => resolve(describe(error)));
    });
  }

  private trackedOf(pod: PodObject): Tracked | undefined {
    const nodeId = pod.metadata?.annotations?.[ANNOTATION_NODE_ID];
    const t = nodeId === undefined ? undefined : this.nodes.get(nodeId);
    if (!t || t.req.podName !== pod.metadata?.name || t.replacing || isForeign(pod, t.req)) return undefined;
    const uid = (pod.metadata as { uid?: string }).uid;
    return t.uid === undefined || uid === undefined || uid === t.uid ? t : undefined;
  }

  private observe(pod: PodObject): void {
    const t = this.trackedOf(pod);
    if (!t || t.result || t.finishing) return;
    t.created = true;
    t.uid ??= (pod.metadata as { uid?: string } | undefined)?.uid;
    const req = t.req;
    for (const c of startedContainers(pod)) t.logs.follow(c);
    const main = containerStatus(pod, req.containers[0]?.name ?? 'main');
    if (!t.started && (main?.state?.running || main?.state?.terminated)) {
      t.started = true;
      const at = Date.parse(main.state.running?.startedAt ?? main.state.terminated?.startedAt ?? '') || Date.now();
      this.report(t, () => t.sink.podStarted(req.nodeId, at));
    }
    if (req.daemon && !t.ready && main?.state?.running && main.ready !== false) {
      t.ready = true;
      this.report(t, () => t.sink.podReady(req.nodeId, Date.now(), pod.status?.podIP));
    }
    const fatal = fatalWaiting(pod);
    if (fatal !== undefined) {
      t.finishing = true;
      this.finish(t, this.errorResult(t, fatal));
      void this.deletePodNamed(req.workflow.namespace, req.podName, 0, undefined);
      return;
    }
    // Sidecars keep a pod running after its main containers ended: Argo's wait container kills
    // them; we take the result and delete the pod.
    const mainsDone = req.containers.every((c) => containerStatus(pod, c.name ?? 'main')?.state?.terminated !== undefined);
    if (isFinished(pod) || (req.sidecars.length > 0 && mainsDone)) {
      t.finishing = true;
      // A sidecar that still runs has a log that does not end: only the ended containers' are awaited.
      const ended = isFinished(pod) ? undefined : (container: string) => !req.sidecars.some((s) => (s.name ?? '') === container);
      void t.logs.settle(5000, ended).then(() => {
        this.finish(t, this.withKill(t, this.resultOf(t, pod)));
        if (!isFinished(pod)) void this.deletePodNamed(req.workflow.namespace, req.podName, 0, undefined);
      });
    }
  }

  private onDeleted(t: Tracked, last?: PodObject): void {
    if (t.result || t.finishing) return;
    t.finishing = true;
    void t.logs.settle(2000).then(() => {
      if (last && isFinished(last)) return this.finish(t, this.withKill(t, this.resultOf(t, last)));
      this.finish(t, this.killedResult(t, last));
    });
  }

  private resultOf(t: Tracked, pod: PodObject): PodResult {
    const req = t.req;
    return podResult(pod, {
      nodeId: req.nodeId,
      mainNames: req.containers.map((c) => c.name ?? 'main'),
      outputNames: req.outputParameterPaths.map((p) => p.name),
      stdout: req.captureResult ? t.logs.stdout() : undefined,
      containerSet: req.template.containerSet !== undefined,
      requestedAt: t.requestedAt,
    });
  }

  private withKill(t: Tracked, result: PodResult): PodResult {
    return t.killReason === undefined ? result : { ...result, phase: 'Failed', message: t.killReason };
  }

  private killedResult(t: Tracked, last: PodObject | undefined): PodResult {
    const base = last ? this.resultOf(t, last) : this.errorResult(t, '');
    return { ...base, phase: t.killReason !== undefined ? 'Failed' : 'Error', message: t.killReason ?? 'pod deleted' };
  }

  private errorResult(t: Tracked, message: string): PodResult {
    return { nodeId: t.req.nodeId, phase: 'Error', message, outputParameters: {}, startedAt: t.requestedAt, finishedAt: Date.now() };
  }

  private finish(t: Tracked, result: PodResult): void {
    if (t.result) return;
    t.result = result;
    t.logs.abort();
    this.report(t, () => t.sink.podFinished(result));
    for (const w of t.waiters.splice(0)) w();
  }

  private report(t: Tracked, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.warn(`execution sink failed for ${t.req.nodeId}: ${describe(error)}`);
    }
  }

  private readonly warn = (message: string) => (this.options.warn ?? ((m: string) => console.warn(m)))(message);
}
