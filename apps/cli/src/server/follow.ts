/**
 * Follow one workflow until it finishes: the watch stream (`/api/v1/workflow-events/{ns}`), re-opened
 * when the server ends it, and polling `GET …/{name}` when the server has no watch stream or the
 * stream is lost. Every new state is reported with the nodes that changed since the last one.
 */
import { isWorkflowDone, type NodeStatus, type Workflow } from '@slipway/workflow';
import { ApiResponseError, CliError, EXIT_SERVER_ERROR } from './api-client.js';
import type { SlipwayApi } from './slipway-api.js';

export interface FollowOptions {
  /** Poll interval when streaming is not available (ms). */
  pollMs: number;
  /** How long polling tolerates an unreachable server before giving up (ms; default 60 s). */
  reconnectMs?: number;
  onUpdate?: (workflow: Workflow, changed: NodeStatus[]) => void;
  signal?: AbortSignal;
}

/** Stream statuses that mean "this server has no watch endpoint": poll instead. */
const NO_STREAM = new Set([404, 405, 501]);
/** Streams that end without any event this many times in a row: poll instead. */
const EMPTY_STREAMS_BEFORE_POLLING = 2;

export async function followWorkflow(api: SlipwayApi, start: Workflow, options: FollowOptions): Promise<Workflow> {
  const name = start.metadata.name ?? '';
  const tracker = new ChangeTracker(options.onUpdate);
  let current = tracker.report(start);
  if (isWorkflowDone(current.status?.phase)) return current;
  let empty = 0;
  while (empty < EMPTY_STREAMS_BEFORE_POLLING) {
    let events = 0;
    try {
      for await (const event of api.watchWorkflow(name, options.signal)) {
        if (event.type === 'DELETED') throw new WorkflowDeletedError(`workflow "${name}" was deleted`, EXIT_SERVER_ERROR);
        if (!event.object || event.object.metadata?.name !== name) continue;
        events++;
        // A watch event without nodes (a trimmed object) is completed by a GET.
        const object = !event.object.status?.nodes && current.status?.nodes ? await api.getWorkflow(name) : event.object;
        current = tracker.report(object);
        if (isWorkflowDone(current.status?.phase)) return current;
      }
    } catch (err) {
      if (options.signal?.aborted || !streamUnavailable(err)) throw err;
      break;
    }
    empty = events === 0 ? empty + 1 : 0;
    // The server ended the stream before the workflow finished: open it again, a little later.
    await sleep(options.pollMs, options.signal);
  }
  return poll(api, name, tracker, options);
}

class WorkflowDeletedError extends CliError {}

/** No watch endpoint (404/405/501) or the stream was lost: polling can still work. */
function streamUnavailable(err: unknown): boolean {
  if (err instanceof ApiResponseError) return NO_STREAM.has(err.status);
  return err instanceof CliError && !(err instanceof WorkflowDeletedError);
}

async function poll(api: SlipwayApi, name: string, tracker: ChangeTracker, options: FollowOptions): Promise<Workflow> {
  const reconnectMs = options.reconnectMs ?? 60_000;
  let failingSince: number | undefined;
  for (;;) {
    await sleep(options.pollMs, options.signal);
    let wf: Workflow;
    try {
      wf = await api.getWorkflow(name);
      failingSince = undefined;
    } catch (err) {
      // A server restart mid-run: keep asking for a while; answers that are errors end the wait.
      if (err instanceof ApiResponseError || !(err instanceof CliError) || options.signal?.aborted) throw err;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > reconnectMs) throw err;
      continue;
    }
    const current = tracker.report(wf);
    if (isWorkflowDone(current.status?.phase)) return current;
  }
}

/** Reports each state with the nodes whose phase, message or times changed. */
class ChangeTracker {
  private readonly seen = new Map<string, string>();

  constructor(private readonly onUpdate?: (workflow: Workflow, changed: NodeStatus[]) => void) {}

  report(wf: Workflow): Workflow {
    const changed: NodeStatus[] = [];
    for (const node of Object.values(wf.status?.nodes ?? {})) {
      const key = `${node.phase}|${node.message ?? ''}|${node.startedAt ?? ''}|${node.finishedAt ?? ''}`;
      if (this.seen.get(node.id) === key) continue;
      this.seen.set(node.id, key);
      changed.push(node);
    }
    this.onUpdate?.(wf, changed);
    return wf;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CliError('interrupted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CliError('interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
