/**
 * Pod results with group commit: a result is written at once when no result write is in flight;
 * results that arrive meanwhile wait for it and then go together, in one statement and one
 * synchronous commit (`PodExecutions.finishManyWithHead`). Each caller still learns whether its
 * result was stored and the workflow's head as of that write.
 */
import type { EngineEvent, PodResult } from '@slipway/engine';
import type { WorkflowHead } from '@slipway/persistence';

export interface ResultItem {
  workflowId: string;
  result: PodResult;
  before?: readonly EngineEvent[];
}

export type ResultAnswer = { done: boolean; head?: WorkflowHead };

interface Pending {
  item: ResultItem;
  resolve: (answer: ResultAnswer) => void;
  reject: (err: unknown) => void;
}

export class ResultWriter {
  private pending: Pending[] = [];
  private writing = false;

  constructor(
    /** Store these results in one statement; answers in their order. */
    private readonly writeMany: (items: readonly ResultItem[]) => Promise<ResultAnswer[]>,
    /** Most results in one statement. */
    private readonly maxBatch = 64,
  ) {}

  /** Store one result (with the events before it); resolves once it is committed. */
  finish(workflowId: string, result: PodResult, before: readonly EngineEvent[] = []): Promise<ResultAnswer> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item: { workflowId, result, before }, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.writing = true;
    this.writeMany(batch.map((p) => p.item)).then(
      (answers) => batch.forEach((p, i) => p.resolve(answers[i])),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    ).finally(() => {
      this.writing = false;
      this.kick();
    });
  }
}
