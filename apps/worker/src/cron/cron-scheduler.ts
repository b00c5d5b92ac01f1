/**
 * Starting CronWorkflow runs: on each tick, for every CronWorkflow, decide (cron-decision.ts) and
 * submit `<cron>-<unix time>`. The deterministic name makes a second scheduler's submission of the
 * same run collide instead of duplicating it; Replace stops the active runs first.
 */
import { randomUUID } from 'node:crypto';
import { storeReferencedTemplates } from '@slipway/engine';
import {
  CronRuns,
  TemplateRepository,
  WorkflowExistsError,
  WorkflowInbox,
  WorkflowRepository,
  WorkflowWrites,
  type CronEntry,
  type PrismaClient,
} from '@slipway/persistence';
import { InMemoryTemplateLibrary, instantiateWorkflow } from '@slipway/workflow';
import { decide, nextRun, runName } from './cron-decision.js';

export interface CronTickReport {
  started: string[];
  skipped: { cron: string; reason: string }[];
  stopped: string[];
  pruned: number;
}

export class CronScheduler {
  private readonly runs: CronRuns;
  private readonly templates: TemplateRepository;
  private readonly writes: WorkflowWrites;
  private readonly workflows: WorkflowRepository;
  private readonly inbox: WorkflowInbox;

  constructor(
    db: PrismaClient,
    private readonly ring: (workflowId: string) => Promise<void>,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.runs = new CronRuns(db);
    this.templates = new TemplateRepository(db);
    this.writes = new WorkflowWrites(db);
    this.workflows = new WorkflowRepository(db);
    this.inbox = new WorkflowInbox(db);
  }

  async tick(now: Date): Promise<CronTickReport> {
    const report: CronTickReport = { started: [], skipped: [], stopped: [], pruned: 0 };
    for (const cron of await this.runs.all()) {
      try {
        await this.one(cron, now, report);
      } catch (err) {
        this.log(`cron ${cron.namespace}/${cron.name}: ${(err as Error).message}`);
      }
    }
    return report;
  }

  private async one(cron: CronEntry, now: Date, report: CronTickReport): Promise<void> {
    const runs = await this.runs.runs(cron.namespace, cron.name);
    const active = runs.filter((r) => r.phase === 'Pending' || r.phase === 'Running');
    const decision = decide(cron.manifest, cron, active, now);
    if (decision.kind === 'wait') return;
    if (!(await this.runs.markScheduled(cron.id, decision.scheduledTime, nextRun(cron.manifest, now)))) return;
    if (decision.kind === 'skip') {
      report.skipped.push({ cron: cron.name, reason: decision.reason });
      return;
    }
    for (const run of decision.stop) {
      await this.inbox.append(run.id, { type: 'Stop', message: `Stopped by CronWorkflow ${cron.name} (concurrencyPolicy Replace)` });
      await this.ring(run.id);
      report.stopped.push(run.name);
    }
    const id = await this.submit(cron, decision.scheduledTime, now);
    if (id) report.started.push(runName(cron.manifest, decision.scheduledTime));
    report.pruned += await this.pruneHistory(cron);
  }

  private async submit(cron: CronEntry, scheduledTime: Date, now: Date): Promise<string | undefined> {
    const wf = instantiateWorkflow(cron.manifest, { nameSuffix: '', uid: randomUUID(), now: now.getTime(), namespace: cron.namespace });
    wf.metadata.name = runName(cron.manifest, scheduledTime);
    delete wf.metadata.generateName;
    wf.metadata.annotations = { ...(wf.metadata.annotations ?? {}), 'workflows.argoproj.io/scheduled-time': scheduledTime.toISOString().replace('.000Z', 'Z') };
    const library = new InMemoryTemplateLibrary([
      ...(await this.templates.list('WorkflowTemplate', cron.namespace)).map((t) => t.manifest),
      ...(await this.templates.list('ClusterWorkflowTemplate', '')).map((t) => t.manifest),
    ]);
    storeReferencedTemplates(wf, library);
    try {
      await this.writes.createSubmitted(wf);
    } catch (err) {
      if (err instanceof WorkflowExistsError) return undefined;
      throw err;
    }
    await this.ring(wf.metadata.uid!);
    return wf.metadata.uid;
  }

  /** successfulJobsHistoryLimit (default 3) and failedJobsHistoryLimit (default 1). */
  private async pruneHistory(cron: CronEntry): Promise<number> {
    const spec = cron.manifest.spec;
    const runs = await this.runs.runs(cron.namespace, cron.name);
    const keepOk = spec.successfulJobsHistoryLimit ?? 3;
    const keepFailed = spec.failedJobsHistoryLimit ?? 1;
    const ok = runs.filter((r) => r.phase === 'Succeeded');
    const failed = runs.filter((r) => r.phase === 'Failed' || r.phase === 'Error');
    let pruned = 0;
    for (const r of [...ok.slice(keepOk), ...failed.slice(keepFailed)]) {
      if (await this.workflows.deleteById(r.id)) pruned++;
    }
    return pruned;
  }
}
