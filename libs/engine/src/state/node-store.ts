/** The workflow's nodes (Argo's `status.nodes`) with the indexes and counters the reconciler needs. */
import {
  isFulfilled,
  nodeId as makeNodeId,
  type NodePhase,
  type NodeStatus,
  type NodeType,
  type Workflow,
} from '@slipway/workflow';
import type { NodeRuntime, RuntimeMap } from './runtime.js';
import { rfc3339 } from './time.js';

export interface NewNode {
  name: string;
  displayName?: string;
  type: NodeType;
  phase: NodePhase;
  boundaryID?: string;
  templateName?: string;
  templateRef?: NodeStatus['templateRef'];
  templateScope?: string;
  message?: string;
  inputs?: NodeStatus['inputs'];
  nodeFlag?: NodeStatus['nodeFlag'];
}

export class NodeStore {
  readonly nodes: Record<string, NodeStatus>;
  readonly runtime: RuntimeMap;
  private readonly byName = new Map<string, string>();
  /** Ids of nodes created or changed since the last `takeChanges()`. */
  private changed = new Set<string>();
  /** Ids of nodes that became daemoned (kept, small). */
  readonly daemons = new Set<string>();
  /** Pod nodes that are Pending or Running (for workflow `parallelism`). */
  activePods = 0;
  /** Per boundary node id: unit children that are Pending or Running (template `parallelism`). */
  private readonly activeByBoundary = new Map<string, number>();
  /** Per boundary node id: unit children that ended Failed or Error (template `failFast`). */
  private readonly failedByBoundary = new Map<string, number>();
  /** Each parent's `children` list as a set, keyed by the list itself (see addChild). */
  private readonly childSets = new WeakMap<string[], Set<string>>();

  constructor(
    private readonly workflow: Workflow,
    runtime: RuntimeMap,
    private readonly clock: () => number,
    /** Called once for every node that becomes fulfilled (created fulfilled, or moved to a fulfilled phase). */
    private readonly onFulfilled: (node: NodeStatus) => void = () => {},
    /** Called when a node is created or changes phase (before onFulfilled). */
    private readonly onPhase: (node: NodeStatus) => void = () => {},
  ) {
    workflow.status ??= {};
    workflow.status.nodes ??= {};
    this.nodes = workflow.status.nodes;
    this.runtime = runtime;
    for (const node of Object.values(this.nodes)) {
      this.byName.set(node.name, node.id);
      if (node.daemoned) this.daemons.add(node.id);
      this.count(node, undefined, node.phase);
    }
  }

  get workflowName(): string {
    return this.workflow.metadata.name ?? '';
  }

  id(name: string): string {
    return makeNodeId(this.workflowName, name);
  }

  get(id: string): NodeStatus | undefined {
    return this.nodes[id];
  }

  byNodeName(name: string): NodeStatus | undefined {
    const id = this.byName.get(name);
    return id === undefined ? undefined : this.nodes[id];
  }

  rt(id: string): NodeRuntime {
    let r = this.runtime[id];
    if (!r) {
      r = { owner: '' };
      this.runtime[id] = r;
    }
    return r;
  }

  create(spec: NewNode, runtime: NodeRuntime): NodeStatus {
    const id = this.id(spec.name);
    const existing = this.nodes[id];
    if (existing) return existing;
    const now = this.clock();
    const node: NodeStatus = {
      id,
      name: spec.name,
      displayName: spec.displayName ?? this.displayNameFor(spec.name, spec.boundaryID),
      type: spec.type,
      phase: spec.phase,
    };
    if (spec.templateName) node.templateName = spec.templateName;
    if (spec.templateRef) node.templateRef = spec.templateRef;
    // Argo names the workflow's own scope `local/<workflow name>`.
    if (spec.templateScope) node.templateScope = spec.templateScope === 'local/' ? `local/${this.workflowName}` : spec.templateScope;
    if (spec.boundaryID) node.boundaryID = spec.boundaryID;
    if (spec.message) node.message = spec.message;
    node.startedAt = rfc3339(now);
    if (spec.inputs) node.inputs = spec.inputs;
    if (spec.nodeFlag && (spec.nodeFlag.hooked || spec.nodeFlag.retried)) node.nodeFlag = spec.nodeFlag;
    this.nodes[id] = node;
    this.byName.set(spec.name, id);
    this.runtime[id] = { ...runtime, startedMs: now };
    if (isFulfilled(spec.phase)) {
      node.finishedAt = node.startedAt;
      this.runtime[id].finishedMs = now;
    }
    this.count(node, undefined, spec.phase);
    this.changed.add(id);
    this.onPhase(node);
    if (isFulfilled(spec.phase)) this.onFulfilled(node);
    return node;
  }

  /** Change a node's phase (and message). A fulfilled node never changes phase again. */
  setPhase(id: string, phase: NodePhase, message?: string): boolean {
    const node = this.nodes[id];
    if (!node) return false;
    if (isFulfilled(node.phase)) return false;
    const before = node.phase;
    if (before === phase && (message === undefined || message === node.message)) return false;
    node.phase = phase;
    if (message !== undefined) {
      if (message) node.message = message;
      else delete node.message;
    }
    if (isFulfilled(phase)) {
      const now = this.clock();
      node.finishedAt = rfc3339(now);
      this.rt(id).finishedMs = now;
    }
    this.count(node, before, phase);
    this.changed.add(id);
    if (before !== phase) this.onPhase(node);
    if (isFulfilled(phase)) this.onFulfilled(node);
    return true;
  }

  setMessage(id: string, message: string): void {
    const node = this.nodes[id];
    if (!node || node.message === message) return;
    if (message) node.message = message;
    else delete node.message;
    this.changed.add(id);
  }

  touch(id: string): void {
    this.changed.add(id);
  }

  addChild(parentName: string, childName: string): void {
    const parent = this.byNodeName(parentName);
    if (!parent) return;
    const childId = this.id(childName);
    parent.children ??= [];
    // A set beside the list keeps this O(1) for wide parents (a DAG with thousands of roots).
    let set = this.childSets.get(parent.children);
    if (!set || set.size !== parent.children.length) {
      set = new Set(parent.children);
      this.childSets.set(parent.children, set);
    }
    if (!set.has(childId)) {
      set.add(childId);
      parent.children.push(childId);
      this.changed.add(parent.id);
    }
  }

  activeIn(boundaryId: string): number {
    return this.activeByBoundary.get(boundaryId) ?? 0;
  }

  failedIn(boundaryId: string): number {
    return this.failedByBoundary.get(boundaryId) ?? 0;
  }

  /** Mark a node as counting towards its boundary's parallelism (called right after create). */
  markUnit(id: string): void {
    const r = this.rt(id);
    if (r.unit) return;
    r.unit = true;
    const node = this.nodes[id];
    this.countUnit(node, undefined, node.phase);
  }

  takeChanges(): Set<string> {
    const out = this.changed;
    this.changed = new Set();
    return out;
  }

  all(): NodeStatus[] {
    return Object.values(this.nodes);
  }

  /** Argo's display name: the name without its boundary node's name and the `[i].`/`.` that follows. */
  private displayNameFor(name: string, boundaryID: string | undefined): string {
    const boundary = boundaryID ? this.nodes[boundaryID] : undefined;
    if (!boundary || !name.startsWith(boundary.name)) return name;
    return name.slice(boundary.name.length).replace(/^(\[\d+\])?\./, '');
  }

  private count(node: NodeStatus, before: NodePhase | undefined, after: NodePhase): void {
    if (node.type === 'Pod') {
      const was = before !== undefined && !isFulfilled(before);
      const is = !isFulfilled(after);
      if (was !== is) this.activePods += is ? 1 : -1;
    }
    if (this.runtime[node.id]?.unit) this.countUnit(node, before, after);
  }

  private countUnit(node: NodeStatus, before: NodePhase | undefined, after: NodePhase): void {
    const boundary = node.boundaryID;
    if (!boundary) return;
    const was = before !== undefined && !isFulfilled(before);
    const is = !isFulfilled(after);
    if (was !== is) this.activeByBoundary.set(boundary, this.activeIn(boundary) + (is ? 1 : -1));
    const failedBefore = before === 'Failed' || before === 'Error';
    const failedAfter = after === 'Failed' || after === 'Error';
    if (failedBefore !== failedAfter) this.failedByBoundary.set(boundary, this.failedIn(boundary) + (failedAfter ? 1 : -1));
  }
}
