/**
 * Watching workflows of a namespace (Argo's WatchWorkflows): first the current workflows as
 * ADDED, then MODIFIED (full object, newest state) after each save the worker announces, and
 * DELETED. Bursts for one workflow are coalesced: only the newest version is sent.
 */
import { Injectable } from '@nestjs/common';
import { WorkflowRepository, WorkflowStateStore } from '@slipway/persistence';
import type { Workflow } from '@slipway/workflow';
import { labelMatcher } from '../common/labels.js';
import { invalid } from '../common/api-error.js';
import { withVersion } from '../workflows/workflow-query.service.js';
import { UpdatesHub, type WorkflowUpdate } from './updates-hub.js';

export interface WatchQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Workflow | { metadata: { name: string; namespace: string; uid: string } };
}

const INITIAL_LIMIT = 500;

@Injectable()
export class WatchService {
  constructor(
    private readonly hub: UpdatesHub,
    private readonly workflows: WorkflowRepository,
    private readonly state: WorkflowStateStore,
  ) {}

  /** Validate the query (400 before streaming); the returned function streams until `signal` aborts. */
  open(namespace: string, q: WatchQuery): (signal: AbortSignal) => AsyncGenerator<WatchEvent[]> {
    const name = nameFromFieldSelector(q.fieldSelector);
    const selected = labelMatcher(q.labelSelector);
    return (signal) => this.events(namespace, name, q.labelSelector, selected, signal);
  }

  private async *events(
    namespace: string,
    name: string | undefined,
    labelSelector: string | undefined,
    selected: (labels: Record<string, string> | undefined) => boolean,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent[]> {
    const pending = new Map<string, WorkflowUpdate>();
    let wake: (() => void) | undefined;
    const stop = await this.hub.listen((u) => {
      if (u.namespace !== namespace || (name !== undefined && u.name !== name)) return;
      const prev = pending.get(u.workflowId);
      if (!prev || u.deleted || (u.version ?? 0) >= (prev.version ?? 0)) pending.set(u.workflowId, u);
      wake?.();
    });
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort);
    const sent = new Map<string, number>();
    try {
      const initial = await this.initial(namespace, name, labelSelector);
      for (const wf of initial) sent.set(wf.metadata.uid!, Number(wf.metadata.resourceVersion ?? -1));
      if (initial.length > 0) yield initial.map((object) => ({ type: 'ADDED' as const, object }));
      while (!signal.aborted) {
        if (pending.size === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const batch: WatchEvent[] = [];
        for (const [id, update] of [...pending]) {
          pending.delete(id);
          const event = await this.toEvent(update, sent, selected);
          if (event) batch.push(event);
        }
        if (batch.length > 0) yield batch;
      }
    } finally {
      stop();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async initial(namespace: string, name: string | undefined, labelSelector: string | undefined): Promise<Workflow[]> {
    if (name !== undefined) {
      const id = await this.workflows.idOf(namespace, name);
      const loaded = id ? await this.state.load(id) : undefined;
      return loaded && labelMatcher(labelSelector)(loaded.workflow.metadata.labels) ? [withVersion(loaded)] : [];
    }
    return (await this.workflows.list({ namespace, labelSelector, limit: INITIAL_LIMIT })).items;
  }

  private async toEvent(u: WorkflowUpdate, sent: Map<string, number>, selected: (l: Record<string, string> | undefined) => boolean): Promise<WatchEvent | undefined> {
    const gone = (): WatchEvent | undefined => {
      if (!sent.has(u.workflowId)) return undefined;
      sent.delete(u.workflowId);
      return { type: 'DELETED', object: { metadata: { name: u.name, namespace: u.namespace, uid: u.workflowId } } };
    };
    if (u.deleted) return gone();
    const loaded = await this.state.load(u.workflowId);
    if (!loaded) return gone();
    if (!selected(loaded.workflow.metadata.labels)) return undefined;
    const last = sent.get(u.workflowId);
    if (last !== undefined && loaded.version <= last) return undefined;
    sent.set(u.workflowId, loaded.version);
    return { type: last === undefined ? 'ADDED' : 'MODIFIED', object: withVersion(loaded) };
  }
}

/** `metadata.name=X` (Argo's watch for one workflow); other fields are not supported. */
function nameFromFieldSelector(selector: string | undefined): string | undefined {
  let name: string | undefined;
  for (const term of (selector ?? '').split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^metadata\.(name|namespace)\s*==?\s*(.*)$/.exec(term);
    if (!m) throw invalid(`listOptions.fieldSelector: only metadata.name=NAME is supported, got "${term}"`);
    if (m[1] === 'name') name = m[2];
  }
  return name;
}
