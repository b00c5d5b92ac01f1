/**
 * Workflow and node completions from a saved workflow: each node (and the workflow) is observed
 * once, when it is seen finished for the first time in this process.
 */
import type { SlipwayMetrics } from './metrics.js';

const FINISHED = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted']);

interface NodeLike {
  id?: string;
  type?: string;
  phase?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface WorkflowLike {
  metadata: { namespace?: string; uid?: string; name?: string };
  status?: { phase?: string; startedAt?: string; finishedAt?: string; nodes?: Record<string, NodeLike> };
}

function seconds(start?: string, end?: string): number | undefined {
  if (!start || !end) return undefined;
  const d = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

export class WorkflowObserver {
  /** Keys already observed (bounded: oldest forgotten first). */
  private readonly seen = new Set<string>();

  constructor(
    private readonly metrics: SlipwayMetrics,
    private readonly limit = 100_000,
  ) {}

  /** Look at the nodes that changed in this save (all when `changedNodeIds` is undefined). */
  observe(workflowId: string, wf: WorkflowLike, changedNodeIds?: Iterable<string>): void {
    const namespace = wf.metadata.namespace ?? 'default';
    const nodes = wf.status?.nodes ?? {};
    const ids = changedNodeIds ? [...changedNodeIds] : Object.keys(nodes);
    for (const id of ids) {
      const n = nodes[id];
      if (!n?.phase || !FINISHED.has(n.phase) || !this.first(`${workflowId}/${id}`)) continue;
      const d = seconds(n.startedAt, n.finishedAt);
      if (d !== undefined) this.metrics.nodeDuration.observe({ namespace, phase: n.phase, type: n.type ?? 'Pod' }, d);
    }
    const phase = wf.status?.phase;
    if (phase && FINISHED.has(phase) && this.first(workflowId)) {
      this.metrics.workflowsCompleted.inc({ namespace, phase });
      const d = seconds(wf.status?.startedAt, wf.status?.finishedAt);
      if (d !== undefined) this.metrics.workflowDuration.observe({ namespace, phase }, d);
    }
  }

  private first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.limit) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}
