/**
 * The `deliveries` job: a stored webhook delivery becomes workflow runs.
 *
 * In one transaction: claim the delivery (`FOR UPDATE`, only while its outcome is `received`, so
 * a second job for it is a no-op), restore it (GitLab/GitHub, or an event from Argo's generic
 * endpoint: payload, headers and discriminator, as Argo's event server matches them), match the namespace's WorkflowEventBindings, plan,
 * submit one run per started binding (deterministic names: a retried job adopts what an earlier
 * attempt created), record the outcome. After the commit: ring the runs' doorbells, report
 * `pending` on the commit, and stop superseded runs of the same concurrency group.
 */
import {
  DeliveryStore,
  EventBindingRepository,
  WebhookHookRepository,
  WorkflowInbox,
  type PrismaClient,
} from '@slipway/persistence';
import {
  bindingsNeedChangedPaths,
  completeChangedPaths,
  matchBindings,
  planDelivery,
  restoreEvent,
  type BindingEvent,
  type ChangedPathsSource,
  type Delivery,
} from '@slipway/scm';
import { RECEIVED_AT_ANNOTATION, CONCURRENCY_LABEL, concurrencyLabel } from './run-identity.js';
import { RunSubmitter, type SubmittedRun } from './run-submitter.js';
import { deletedRefGroups } from './deleted-ref.js';

export interface DeliveryReport {
  status: 'processed' | 'already-processed' | 'missing';
  outcome?: string;
  reason?: string | null;
  runs: SubmittedRun[];
  stopped: string[];
}

export interface DeliveryProcessorDeps {
  db: PrismaClient;
  ring: (workflowId: string) => Promise<void>;
  /** A run was accepted (report `pending` on its commit). */
  accepted?: (run: SubmittedRun) => void;
  /** Compare APIs to complete a push's changed paths, per provider. */
  changedPaths?: Partial<Record<Delivery['provider'], ChangedPathsSource>>;
  log?: (msg: string) => void;
  clock?: () => number;
}

export class DeliveryProcessor {
  private readonly submitter: RunSubmitter;
  private readonly inbox: WorkflowInbox;
  private readonly log: (msg: string) => void;

  constructor(private readonly deps: DeliveryProcessorDeps) {
    this.submitter = new RunSubmitter(deps.db, deps.clock);
    this.inbox = new WorkflowInbox(deps.db);
    this.log = deps.log ?? (() => {});
  }

  async process(deliveryId: string): Promise<DeliveryReport> {
    const { db } = this.deps;
    const stored = await new DeliveryStore(db).get(deliveryId);
    if (!stored) return { status: 'missing', runs: [], stopped: [] };
    if (stored.outcome !== 'received') return { status: 'already-processed', outcome: stored.outcome, runs: [], stopped: [] };
    // Network calls (compare APIs) before the transaction, which holds the delivery's row lock.
    let parsed: BindingEvent | undefined;
    let restoreError: string | undefined;
    try {
      parsed = restoreEvent(stored);
      const source = parsed.provider === 'generic' ? undefined : this.deps.changedPaths?.[parsed.provider];
      if (source && parsed.provider !== 'generic') {
        const bindings = (await new EventBindingRepository(db).list(stored.namespace)).map((b) => b.manifest);
        if (bindingsNeedChangedPaths(parsed, bindings)) {
          parsed = await completeChangedPaths(parsed, source, (e) => this.log(`delivery ${deliveryId}: changed paths: ${e.message}`));
        }
      }
    } catch (err) {
      restoreError = (err as Error).message;
    }

    const result = await db.$transaction(
      async (tx) => {
        const store = new DeliveryStore(tx);
        const row = await store.claim(deliveryId);
        if (!row) return undefined;
        const at = new Date(this.deps.clock?.() ?? Date.now());
        if (!parsed) {
          await store.finish(deliveryId, { outcome: 'error', reason: `cannot read the delivery: ${restoreError ?? 'unknown error'}`, at });
          return { outcome: 'error', reason: restoreError ?? null, runs: [] as SubmittedRun[], deletedGroups: [] as string[], namespace: row.namespace };
        }
        const hook = row.hookId ? await new WebhookHookRepository(tx).get(row.hookId) : undefined;
        const bindings = (await new EventBindingRepository(tx as unknown as PrismaClient).list(row.namespace)).map((b) => b.manifest);
        const plan = planDelivery(parsed, matchBindings(parsed, bindings, { hookName: hook?.name, namespace: row.namespace }));
        const runs: SubmittedRun[] = [];
        const errors: string[] = [];
        for (const start of plan.start) {
          try {
            runs.push(await this.submitter.submit(row.namespace, { id: row.id, receivedAt: row.receivedAt, parsed }, start));
          } catch (err) {
            errors.push((err as Error).message);
          }
        }
        const reason = [plan.reason, ...errors].filter((r): r is string => !!r).join('; ') || null;
        const outcome = plan.outcome === 'started' && runs.length === 0 ? 'error' : plan.outcome;
        await store.finish(deliveryId, { outcome, reason, workflowIds: runs.map((r) => r.id), at });
        const deletedGroups = parsed.provider === 'generic' ? [] : deletedRefGroups(parsed, bindings, { hookName: hook?.name, namespace: row.namespace });
        return { outcome, reason, runs, deletedGroups, namespace: row.namespace };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    if (!result) return { status: 'already-processed', runs: [], stopped: [] };
    for (const run of result.runs) {
      if (run.created) this.deps.accepted?.(run); // pending goes out before the run can report running
      await this.deps.ring(run.id);
    }
    const stopped: string[] = [];
    for (const run of result.runs) {
      if (run.start.cancelInProgress && run.start.concurrencyKey !== undefined) stopped.push(...(await this.supersede(run, run.start.concurrencyKey)));
    }
    for (const key of result.deletedGroups) stopped.push(...(await this.stopGroup(result.namespace, key, `The ref was deleted (delivery ${deliveryId})`)));
    if (result.outcome !== 'started' || result.reason) this.log(`delivery ${deliveryId}: ${result.outcome}${result.reason ? `: ${result.reason}` : ''}`);
    return { status: 'processed', outcome: result.outcome, reason: result.reason, runs: result.runs, stopped };
  }

  /** Stop every unfinished run of a concurrency group (its branch or tag was deleted). */
  private async stopGroup(namespace: string, key: string, message: string): Promise<string[]> {
    const rows = await this.deps.db.workflow.findMany({
      where: { namespace, phase: { in: ['Pending', 'Running'] }, labels: { path: [CONCURRENCY_LABEL], equals: concurrencyLabel(key) } },
      select: { id: true, name: true },
    });
    for (const r of rows) {
      await this.inbox.append(r.id, { type: 'Stop', message });
      await this.deps.ring(r.id);
    }
    if (rows.length) this.log(`concurrency ${key}: ${message}: stopped ${rows.map((r) => r.name).join(', ')}`);
    return rows.map((r) => r.name);
  }

  /**
   * Of the unfinished runs in the run's concurrency group, the one from the latest push keeps
   * running; the others get a Stop (their exit handlers still run). Deliveries processed out of
   * order are handled too: an older push arriving late stops itself.
   */
  private async supersede(run: SubmittedRun, key: string): Promise<string[]> {
    const rows = await this.deps.db.workflow.findMany({
      where: { namespace: run.namespace, phase: { in: ['Pending', 'Running'] }, labels: { path: [CONCURRENCY_LABEL], equals: concurrencyLabel(key) } },
      select: { id: true, name: true, annotations: true, createdAt: true },
    });
    const at = (r: (typeof rows)[number]) => {
      const a = (r.annotations ?? {}) as Record<string, string>;
      return `${a[RECEIVED_AT_ANNOTATION] ?? r.createdAt.toISOString()}|${r.createdAt.toISOString()}|${r.id}`;
    };
    if (rows.length < 2) return [];
    const newest = rows.reduce((a, b) => (at(b) > at(a) ? b : a));
    const stopped: string[] = [];
    for (const r of rows) {
      if (r.id === newest.id) continue;
      await this.inbox.append(r.id, { type: 'Stop', message: `Superseded by a newer push: ${newest.name} (concurrency key ${key})` });
      await this.deps.ring(r.id);
      stopped.push(r.name);
    }
    if (stopped.length) this.log(`concurrency ${key}: stopped ${stopped.join(', ')} for ${newest.name}`);
    return stopped;
  }
}
