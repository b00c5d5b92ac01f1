/**
 * Running one node's pod on this worker, or adopting what an earlier attempt did: a finished
 * execution is never run again, and its result reaches the workflow exactly once.
 */
import type { PodResult } from '@slipway/engine';
import type { ExecutionSink, PodExecutor } from '@slipway/executors';
import type { PodExecutions, WorkflowInbox } from '@slipway/persistence';
import type { LogWriter } from './log-writer.js';

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
    const row = await executions.get(workflowId, nodeId);
    if (!row || row.state === 'Cancelled') return 'skipped';
    if (row.state === 'Done') {
      await this.deps.ring(workflowId);
      return 'adopted';
    }
    if (!(await executions.claim(workflowId, nodeId, workerId))) return 'adopted';
    const result = await new Promise<PodResult>((resolve) => {
      const sink: ExecutionSink = {
        podStarted: (id, at) => void this.event(workflowId, { type: 'PodStarted', nodeId: id, at }),
        podReady: (id, at, ip) => void this.event(workflowId, { type: 'PodReady', nodeId: id, at, ip }),
        podFinished: resolve,
        log: (line) => this.deps.logs.write({ workflowId, podName: line.podName, container: line.container, content: line.text }),
      };
      executor.start(row.request, sink);
    });
    await this.deps.logs.flush();
    await executions.finish(workflowId, result);
    await this.deps.ring(workflowId);
    return 'ran';
  }

  private async event(workflowId: string, event: Parameters<WorkflowInbox['append']>[1]): Promise<void> {
    try {
      await this.deps.inbox.append(workflowId, event);
      await this.deps.ring(workflowId);
    } catch {
      // A lost PodStarted only delays the Running phase; PodFinished is written transactionally.
    }
  }
}
