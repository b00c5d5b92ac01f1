/**
 * Control operations on a workflow, with Argo Server's semantics. Stop, terminate, suspend,
 * resume and set append an engine event to the workflow's inbox and ring its doorbell; retry
 * rewrites the state in one version-checked transaction; resubmit submits a new workflow.
 */
import { Inject, Injectable } from '@nestjs/common';
import { OperationError, parseNodeFieldSelector, resubmitWorkflow, retryWorkflow, type EngineEvent } from '@slipway/engine';
import { WorkflowInbox, WorkflowWrites, type LoadedState } from '@slipway/persistence';
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { randomUUID } from 'node:crypto';
import { ApiError, invalid, precondition } from '../common/api-error.js';
import { Doorbell } from '../common/doorbell.js';
import { CLOCK, type Clock } from '../deps.js';
import { WorkflowQueryService, withVersion } from './workflow-query.service.js';
import { WorkflowSubmissionService } from './workflow-submission.service.js';

export interface SetRequest {
  nodeFieldSelector?: string;
  /** JSON object of strings, as Argo's SetWorkflow takes it. */
  outputParameters?: string;
  phase?: string;
  message?: string;
}

export interface RetryRequest {
  nodeFieldSelector?: string;
  restartSuccessful?: boolean;
  parameters?: string[];
}

type Loaded = LoadedState & { id: string };

const FINISHED = new Set(['Succeeded', 'Failed', 'Error']);
const RETRY_RACES = 3;

@Injectable()
export class WorkflowActionsService {
  constructor(
    private readonly query: WorkflowQueryService,
    private readonly inbox: WorkflowInbox,
    private readonly writes: WorkflowWrites,
    private readonly submission: WorkflowSubmissionService,
    private readonly doorbell: Doorbell,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Stop (exit handlers run); with a selector, fail the matching suspend nodes instead. */
  async stop(namespace: string, name: string, body: { nodeFieldSelector?: string; message?: string }): Promise<Workflow> {
    const wf = await this.query.load(namespace, name);
    if (body.nodeFieldSelector) {
      const nodes = activeSuspendNodes(wf.workflow, body.nodeFieldSelector);
      return this.send(wf, nodes.map((n) => setNode(n, { phase: 'Failed', message: body.message })));
    }
    this.refuseFinished(wf, `cannot shutdown a completed workflow: workflow: "${name}", namespace: "${namespace}"`);
    return this.send(wf, [{ type: 'Stop', ...(body.message ? { message: body.message } : {}) }]);
  }

  /** Terminate: running nodes are killed and exit handlers do not run. */
  async terminate(namespace: string, name: string): Promise<Workflow> {
    const wf = await this.query.load(namespace, name);
    this.refuseFinished(wf, `cannot shutdown a completed workflow: workflow: "${name}", namespace: "${namespace}"`);
    return this.send(wf, [{ type: 'Terminate' }]);
  }

  async suspend(namespace: string, name: string): Promise<Workflow> {
    const wf = await this.query.load(namespace, name);
    this.refuseFinished(wf, 'cannot suspend completed workflows');
    return this.send(wf, [{ type: 'Suspend' }]);
  }

  /** Resume the workflow, or with a selector only the matching suspend nodes. */
  async resume(namespace: string, name: string, body: { nodeFieldSelector?: string }): Promise<Workflow> {
    const wf = await this.query.load(namespace, name);
    this.refuseFinished(wf, 'cannot resume completed workflows');
    if (!body.nodeFieldSelector) return this.send(wf, [{ type: 'Resume' }]);
    const nodes = activeSuspendNodes(wf.workflow, body.nodeFieldSelector);
    return this.send(wf, nodes.map((n): EngineEvent => ({ type: 'Resume', nodeName: n.name })));
  }

  /** Argo's `argo node set`: output parameters, phase and/or message of matching suspend nodes. */
  async set(namespace: string, name: string, body: SetRequest): Promise<Workflow> {
    if (!body.nodeFieldSelector) throw invalid("nodeFieldSelector: 'set' currently only targets suspend nodes, use a node field selector to target them");
    const outputs = parseOutputParameters(body.outputParameters);
    const phase = body.phase === undefined || body.phase === '' ? undefined : body.phase;
    if (phase !== undefined && phase !== 'Succeeded' && phase !== 'Failed') throw invalid(`phase: must be Succeeded or Failed, got "${phase}"`);
    const wf = await this.query.load(namespace, name);
    const nodes = activeSuspendNodes(wf.workflow, body.nodeFieldSelector);
    for (const node of nodes) checkOutputs(node, outputs);
    return this.send(wf, nodes.map((n) => setNode(n, { phase, message: body.message || undefined, outputs })));
  }

  /** Argo's retry: failed parts (and what depends on them) run again; succeeded outputs stay. */
  async retry(namespace: string, name: string, body: RetryRequest): Promise<Workflow> {
    for (let attempt = 1; ; attempt++) {
      const wf = await this.query.load(namespace, name);
      const result = engineCall(() =>
        retryWorkflow(wf.workflow, wf.runtime, { nodeFieldSelector: body.nodeFieldSelector, restartSuccessful: body.restartSuccessful, parameters: body.parameters }, this.clock()),
      );
      const saved = await this.writes.rewriteState({
        id: wf.id,
        expectedVersion: wf.version,
        workflow: result.workflow,
        runtime: result.runtime,
        changedNodeIds: result.changedNodeIds,
        deletedNodeIds: result.deletedNodeIds,
      });
      if (saved) {
        await this.doorbell.ring(wf.id);
        return withVersion({ workflow: result.workflow, runtime: result.runtime, version: wf.version + 1 });
      }
      if (attempt >= RETRY_RACES) throw new ApiError('Aborted', `workflow "${name}" changed while it was being retried; try again`);
    }
  }

  /** A new workflow with the same spec (and optional parameter overrides). */
  async resubmit(namespace: string, name: string, body: { parameters?: string[]; memoized?: boolean }): Promise<Workflow> {
    const wf = await this.query.load(namespace, name);
    const make = (suffix: string): Workflow =>
      engineCall(() => resubmitWorkflow(wf.workflow, { parameters: body.parameters, memoized: body.memoized }, { nameSuffix: suffix, uid: randomUUID(), now: this.clock() }));
    make('check');
    return this.submission.submitBuilt(namespace, make);
  }

  private async send(wf: Loaded, events: EngineEvent[]): Promise<Workflow> {
    for (const event of events) await this.inbox.append(wf.id, event);
    await this.doorbell.ring(wf.id);
    return withVersion(wf);
  }

  private refuseFinished(wf: Loaded, message: string): void {
    if (FINISHED.has(wf.workflow.status?.phase ?? '')) throw precondition(message);
  }
}

function engineCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OperationError) throw invalid(err.message);
    throw err;
  }
}

/** Running Suspend nodes matching an Argo node field selector; none is an error, as in Argo. */
function activeSuspendNodes(wf: Workflow, selector: string): NodeStatus[] {
  const matches = engineCall(() => parseNodeFieldSelector(selector));
  const nodes = Object.values(wf.status?.nodes ?? {}).filter((n) => n.type === 'Suspend' && n.phase === 'Running' && matches(n));
  if (nodes.length === 0) {
    throw invalid(`currently, set only targets suspend nodes: no suspend nodes matching nodeFieldSelector: ${selector}`);
  }
  return nodes;
}

function setNode(node: NodeStatus, v: { phase?: 'Succeeded' | 'Failed'; message?: string; outputs?: Record<string, string> }): EngineEvent {
  return {
    type: 'SetNode',
    nodeName: node.name,
    ...(v.outputs && Object.keys(v.outputs).length > 0 ? { outputParameters: v.outputs } : {}),
    ...(v.phase ? { phase: v.phase } : {}),
    ...(v.message ? { message: v.message } : {}),
  };
}

function parseOutputParameters(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`outputParameters: must be a JSON object such as {"name":"value"}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('outputParameters: must be a JSON object such as {"name":"value"}');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Argo's checks: the node must expect each parameter (valueFrom.supplied) and not have it yet. */
function checkOutputs(node: NodeStatus, outputs: Record<string, string> | undefined): void {
  if (!outputs) return;
  const params = node.outputs?.parameters;
  if (!params) throw invalid(`cannot set output parameters because node ${node.displayName} is not expecting any raw parameters`);
  for (const name of Object.keys(outputs)) {
    const p = params.find((x) => x.name === name);
    if (!p) throw invalid(`node ${node.displayName} is not expecting output parameter '${name}'`);
    const supplied = (p.valueFrom as { supplied?: unknown } | undefined)?.supplied !== undefined;
    if (!supplied || p.value !== undefined) {
      throw invalid(`cannot set output parameter '${name}' because it does not use valueFrom.raw or it was already set`);
    }
  }
}
