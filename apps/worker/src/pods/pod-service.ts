/**
 * Running one node's pod on this worker, or adopting what an earlier attempt did: a finished
 * execution is never run again, and its result reaches the workflow exactly once.
 */
import type { EngineEvent, PodResult } from '@slipway/engine';
import type { ExecutionSink, PodExecutor } from '@slipway/executors';
import type { PodExecutions, WorkflowInbox } from '@slipway/persistence';
import type { LogWriter } from './log-writer.js';

/**
 * PodStarted waits this long before it is written on its own: a step that finishes sooner
 * delivers it with its PodFinished, in one statement and one reconcile instead of two.
 */
export const POD_STARTED_DELAY_MS = 250;

export class PodService {
  constructor(
    private readonly deps: {
      executions: PodExecutions;
      inbox: WorkflowInbox;
      executor: PodExecutor;
      logs: LogWriter;
      workerId: string;
      /** Ring the workflow's doorbell. */
      ring: (workflowId: string) => Promise<void>;
    },
  ) {}

  async run(workflowId: string, nodeId: string): Promise<'ran' | 'adopted' | 'skipped'> {
    const { executions, executor, workerId } = this.deps;
    // Claim and read the request in one round trip; only a miss needs the row's state.
    const request = await executions.claimRequest(workflowId, nodeId, workerId);
    if (!request) {
      const row = await executions.get(workflowId, nodeId);
      if (!row || row.state === 'Cancelled') return 'skipped';
      if (row.state === 'Done') await this.deps.ring(workflowId);
      return 'adopted';
    }
    // PodStarted (and a daemon's PodReady after it) are held back briefly, see POD_STARTED_DELAY_MS.
    let held: EngineEvent[] | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Events written on their own, in order, and before the PodFinished.
    let written: Promise<void> = Promise.resolve();
    const write = (events: EngineEvent[]): void => {
      written = written.then(() => this.events(workflowId, events));
    };
    const release = (): void => {
      timer = undefined;
      const events = held ?? [];
      held = undefined;
      write(events);
    };
    const result = await new Promise<PodResult>((resolve) => {
      const sink: ExecutionSink = {
        podStarted: (id, at) => {
          held = [{ type: 'PodStarted', nodeId: id, at }];
          timer = setTimeout(release, POD_STARTED_DELAY_MS);
        },
        podReady: (id, at, ip) => {
          const event: EngineEvent = { type: 'PodReady', nodeId: id, at, ip };
          if (held) held.push(event);
          else write([event]);
        },
        podFinished: resolve,
        log: (line) => this.deps.logs.write({ workflowId, podName: line.podName, container: line.container, content: line.text }),
      };
      executor.start(request, sink);
    });
    if (timer) clearTimeout(timer);
    const before = held ?? [];
    held = undefined;
    await written;
    await this.deps.logs.flush();
    await executions.finish(workflowId, result, before);
    // The result is stored: a later run of this node (after a retry) must start a new process.
    executor.forget?.(nodeId);
    await this.deps.ring(workflowId);
    return 'ran';
  }

  private async events(workflowId: string, events: EngineEvent[]): Promise<void> {
    try {
      for (const event of events) await this.deps.inbox.append(workflowId, event);
      if (events.length > 0) await this.deps.ring(workflowId);
    } catch {
      // A lost PodStarted only delays the Running phase; PodFinished is written transactionally.
    }
  }
}
