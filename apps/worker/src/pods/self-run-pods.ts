/**
 * Pods a worker runs for its own reconciles without a BullMQ job (ADR 0008).
 *
 * Before a save, the reconcile reserves some of the pods it starts (`reserve`): the save records
 * those Running for this worker instead of Queued, in the same statement as the state. Once it
 * committed, `settle` runs the ones it claimed in this worker's step slots (shared with the BullMQ
 * consumer) and forgets the rest; those, and everything beyond the bound, go to the queue as
 * before. Nothing but this worker's liveness lease tells other workers that these executions are
 * being run: the resync leaves the Running executions of a worker with a live lease alone and
 * re-queues them once it expired, so claims are made only while the lease is known to be valid.
 *
 * Other workers still share the work: a claimed pod that has not found a slot here within
 * `handBackAfterMs` goes to the queue (the job claims the Running row like any other), and the
 * bound (`bound`: pods held here, reserved, waiting or running) sends the rest of a very wide
 * workflow there at once. "Waiting" is waiting in this worker's line for a place: a pod given one
 * is `running` here even while it is staged in the local executor's gate (ADR 0011), where it may
 * start at any moment — it is not handed back then, and a kill goes to the executor, which
 * cancels it there.
 */
import type { PodRequest } from '@slipway/engine';
import type { PodSlots, SlotTicket } from './pod-slots.js';

/** What a reconcile asks before and after its save (see ReconcileService). */
export interface PodClaims {
  /** Pods of `pods` the save should claim for `worker`; undefined: none. */
  reserve(workflowId: string, pods: readonly PodRequest[]): { worker: string; nodeIds: string[] } | undefined;
  /** After the save: run the pods it `claimed` (none when it failed), forget the other reserved ones. */
  settle(workflowId: string, reserved: readonly string[], claimed: readonly string[], pods: readonly PodRequest[]): void;
}

interface Held {
  workflowId: string;
  nodeId: string;
  state: 'reserved' | 'waiting' | 'running' | 'leaving';
  ticket?: SlotTicket;
  /** When it started waiting for a slot. */
  since?: number;
}

export interface SelfRunOptions {
  worker: string;
  slots: PodSlots;
  /** Pods held here at most (reserved, waiting for a slot or running). */
  bound: number;
  /** A claimed pod waiting longer than this for a slot goes to the queue (default 1000). */
  handBackAfterMs?: number;
  /** Whether this worker's lease is valid with a margin (claims are made only then). */
  leaseValid: () => boolean;
  /** Whether a pod may run here without a queue job (its executor's pods end with this process). */
  eligible: (pod: PodRequest) => boolean;
  /**
   * Run a claimed pod to its stored result (`claimedAt`: when it started waiting for a slot);
   * `exited()` once its processes are gone: its slot goes to the next pod while the result is stored.
   */
  run: (workflowId: string, pod: PodRequest, claimedAt: number, exited: () => void) => Promise<void>;
  /** Queue jobs for these pods (a run that failed, a hand-back); never throws. */
  requeue: (workflowId: string, nodeIds: string[]) => Promise<void>;
  /** Make claimed pods that never started Queued again (before a hand-back). */
  unclaim: (workflowId: string, nodeIds: string[]) => Promise<void>;
  /** Record that a claimed pod will not run (killed before it started). */
  cancel: (workflowId: string, nodeId: string) => Promise<void>;
  /** The number of pods held here changed. */
  onChange?: (held: number) => void;
  log: (msg: string) => void;
}

const key = (workflowId: string, nodeId: string): string => `${workflowId}\u0000${nodeId}`;

export class SelfRunPods implements PodClaims {
  private readonly held = new Map<string, Held>();
  private readonly runs = new Set<Promise<void>>();
  private stopping = false;
  private sweep?: NodeJS.Timeout;
  private readonly handBackAfterMs: number;

  constructor(private readonly opts: SelfRunOptions) {
    this.handBackAfterMs = opts.handBackAfterMs ?? 1000;
  }

  /** Pods held here (reserved, waiting or running). */
  get size(): number {
    return this.held.size;
  }

  /** Whether this worker holds the execution (the resync must not queue it). */
  holds(workflowId: string, nodeId: string): boolean {
    return this.held.has(key(workflowId, nodeId));
  }

  reserve(workflowId: string, pods: readonly PodRequest[]): { worker: string; nodeIds: string[] } | undefined {
    if (this.stopping || !this.opts.leaseValid()) return undefined;
    const nodeIds: string[] = [];
    for (const pod of pods) {
      if (this.held.size >= this.opts.bound) break;
      const k = key(workflowId, pod.nodeId);
      if (this.held.has(k) || !this.opts.eligible(pod)) continue;
      this.held.set(k, { workflowId, nodeId: pod.nodeId, state: 'reserved' });
      nodeIds.push(pod.nodeId);
    }
    if (nodeIds.length === 0) return undefined;
    this.opts.onChange?.(this.held.size);
    return { worker: this.opts.worker, nodeIds };
  }

  settle(workflowId: string, reserved: readonly string[], claimed: readonly string[], pods: readonly PodRequest[]): void {
    const mine = new Set(claimed);
    for (const nodeId of reserved) if (!mine.has(nodeId)) this.held.delete(key(workflowId, nodeId));
    for (const pod of pods) if (mine.has(pod.nodeId)) this.start(workflowId, pod);
    this.opts.onChange?.(this.held.size);
  }

  /**
   * A kill for a pod held here that has not started: it never will (Cancelled, as a Queued
   * execution killed before its job ran). False when it is not waiting here (then the executor
   * kills it, if it runs).
   */
  drop(workflowId: string, nodeId: string): boolean {
    const k = key(workflowId, nodeId);
    const entry = this.held.get(k);
    if (entry?.state !== 'waiting') return false;
    entry.ticket?.cancel();
    this.held.delete(k);
    this.opts.onChange?.(this.held.size);
    void this.opts.cancel(workflowId, nodeId).catch((err: Error) => this.opts.log(`cancelling ${nodeId} of ${workflowId} failed (the resync queues it; its job finds the node killed): ${err.message}`));
    return true;
  }

  /** The workflow was deleted: its waiting pods need not run (their rows are gone). */
  dropWorkflow(workflowId: string): void {
    for (const [k, entry] of this.held) {
      if (entry.workflowId !== workflowId || entry.state !== 'waiting') continue;
      entry.ticket?.cancel();
      this.held.delete(k);
    }
    this.opts.onChange?.(this.held.size);
  }

  /**
   * Graceful stop: claim nothing more, hand the pods still waiting for a slot to the queue (their
   * rows stay Running for this worker until a job claims them; the lease, released after this,
   * no longer protects them) and wait for the running ones.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweep) clearTimeout(this.sweep);
    this.sweep = undefined;
    await this.handBack(() => true);
    await this.idle();
  }

  /**
   * Give the waiting pods `which` selects to the queue: out of this worker's line, Queued again
   * (the job's claim then counts the first attempt; if that fails it claims the Running row all
   * the same), one job add per workflow, and only then out of this worker's holdings (until then
   * the resync leaves them alone).
   */
  private async handBack(which: (entry: Held) => boolean): Promise<void> {
    const byWorkflow = new Map<string, Held[]>();
    for (const entry of this.held.values()) {
      if (entry.state !== 'waiting' || !which(entry)) continue;
      entry.ticket?.cancel();
      entry.state = 'leaving';
      byWorkflow.set(entry.workflowId, [...(byWorkflow.get(entry.workflowId) ?? []), entry]);
    }
    for (const [workflowId, entries] of byWorkflow) {
      const nodeIds = entries.map((e) => e.nodeId);
      await this.opts.unclaim(workflowId, nodeIds).catch((err: Error) => this.opts.log(`could not make pods of ${workflowId} Queued again: ${err.message}`));
      await this.opts.requeue(workflowId, nodeIds);
      for (const e of entries) this.held.delete(key(workflowId, e.nodeId));
      this.opts.onChange?.(this.held.size);
    }
  }

  /** While pods wait here, look for those that waited too long (a timer that runs only then). */
  private watchWaiting(): void {
    if (this.sweep) return;
    this.sweep = setTimeout(() => {
      this.sweep = undefined;
      const before = Date.now() - this.handBackAfterMs;
      void this.handBack((entry) => (entry.since ?? 0) <= before).finally(() => {
        if ([...this.held.values()].some((e) => e.state === 'waiting')) this.watchWaiting();
      });
    }, this.handBackAfterMs / 4);
    this.sweep.unref();
  }

  /** Resolves when no pod runs here. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all(this.runs);
  }

  private start(workflowId: string, pod: PodRequest): void {
    const k = key(workflowId, pod.nodeId);
    const entry = this.held.get(k);
    if (!entry) return;
    entry.state = 'waiting';
    entry.since = Date.now();
    entry.ticket = this.opts.slots.take((release) => {
      if (this.held.get(k) !== entry) {
        release();
        return;
      }
      entry.state = 'running';
      const run: Promise<void> = this.opts
        .run(workflowId, pod, entry.since ?? Date.now(), release)
        .catch(async (err: Error) => {
          this.opts.log(`pod ${pod.nodeId} of workflow ${workflowId} failed on this worker, handed to the queue: ${err.message}`);
          await this.opts.requeue(workflowId, [pod.nodeId]);
        })
        .finally(() => {
          this.held.delete(k);
          this.runs.delete(run);
          release();
          this.opts.onChange?.(this.held.size);
        });
      this.runs.add(run);
    });
    if (entry.state === 'waiting') this.watchWaiting();
  }
}
