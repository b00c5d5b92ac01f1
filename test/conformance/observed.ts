/**
 * A finished example run seen the way argo-semantics.md describes it: nodes by name with the
 * workflow name written as `W`, their structure, pod names and logs. Node ids and pod names are
 * recomputed here from Argo's rules (not imported from the engine), so the tests check them too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { NodePhase, NodeStatus, NodeType, Workflow } from '@slipway/workflow';
import type { ExampleRun } from './harness.js';

/** Go's hash/fnv New32a over the UTF-8 bytes. */
export function fnv32a(text: string): number {
  let hash = 2166136261;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

export interface NodeExpectation {
  type: NodeType;
  phase: NodePhase;
  /** Exact message, or a pattern; omitted means "no message". */
  message?: string | RegExp;
  /** Defaults to the last path segment (`hello1`, `[0]`, `task-0(0:3)`). */
  displayName?: string;
  templateName?: string;
}

export class Observed {
  readonly wf: Workflow;
  readonly name: string;
  private readonly byShort = new Map<string, NodeStatus>();
  private readonly byId = new Map<string, NodeStatus>();

  constructor(readonly run: ExampleRun) {
    expect(run.workflow, `${run.file}: no workflow printed (exit ${run.exitCode})\n${run.stderr}`).toBeDefined();
    this.wf = run.workflow!;
    this.name = this.wf.metadata.name ?? '';
    for (const node of Object.values(this.wf.status?.nodes ?? {})) {
      this.byShort.set(this.short(node.name), node);
      this.byId.set(node.id, node);
    }
  }

  get phase(): string | undefined {
    return this.wf.status?.phase;
  }

  get message(): string | undefined {
    return this.wf.status?.message;
  }

  short(fullName: string): string {
    return fullName === this.name ? 'W' : fullName.startsWith(this.name) ? `W${fullName.slice(this.name.length)}` : fullName;
  }

  full(short: string): string {
    return short === 'W' ? this.name : short.startsWith('W') ? `${this.name}${short.slice(1)}` : short;
  }

  names(): string[] {
    return [...this.byShort.keys()].sort();
  }

  has(short: string): boolean {
    return this.byShort.has(short);
  }

  node(short: string): NodeStatus {
    const node = this.byShort.get(short);
    if (!node) throw new Error(`${this.run.file}: no node ${short}; nodes: ${this.names().join(', ')}`);
    return node;
  }

  /** Argo's node id: the workflow name for the root, else `W-<fnv32a(name)>`. */
  expectedId(short: string): string {
    return short === 'W' ? this.name : `${this.name}-${fnv32a(this.full(short))}`;
  }

  /** Argo's v2 pod name: the workflow name for the root, else `W-<template>-<fnv32a(name)>`. */
  podName(short: string): string {
    if (short === 'W') return this.name;
    const node = this.node(short);
    const template = node.templateName ?? node.templateRef?.template ?? '';
    return `${template ? `${this.name}-${template}` : this.name}-${fnv32a(this.full(short))}`;
  }

  private shortOfId(id: string): string {
    const node = this.byId.get(id);
    return node ? this.short(node.name) : `?${id}`;
  }

  children(short: string): string[] {
    return (this.node(short).children ?? []).map((id) => this.shortOfId(id)).sort();
  }

  /** Children in the order Argo adds them (a group's steps/items in order, skipped ones included). */
  childrenInOrder(short: string): string[] {
    return (this.node(short).children ?? []).map((id) => this.shortOfId(id));
  }

  outbound(short: string): string[] {
    return (this.node(short).outboundNodes ?? []).map((id) => this.shortOfId(id)).sort();
  }

  boundary(short: string): string | undefined {
    const id = this.node(short).boundaryID;
    return id === undefined ? undefined : this.shortOfId(id);
  }

  input(short: string, name: string): string | undefined {
    return this.node(short).inputs?.parameters?.find((p) => p.name === name)?.value;
  }

  output(short: string, name: string): string | undefined {
    return this.node(short).outputs?.parameters?.find((p) => p.name === name)?.value;
  }

  seconds(short: string, field: 'startedAt' | 'finishedAt'): number {
    const value = this.node(short)[field];
    expect(value, `${short}.${field}`).toBeDefined();
    return Date.parse(value!) / 1000;
  }

  /** The main container's log of the node's pod (LocalExecutor: WORKDIR/logs/UID/POD/main.log). */
  log(short: string): string {
    const file = join(this.run.workdir, 'logs', this.wf.metadata.uid ?? '', this.podName(short), 'main.log');
    expect(existsSync(file), `log of ${short} (${file})`).toBe(true);
    return readFileSync(file, 'utf8');
  }

  /**
   * The workflow has exactly these nodes, each with this type, phase, message, display name and
   * template; every id follows Argo's rule.
   */
  expectNodes(expected: Record<string, NodeExpectation>): void {
    expect(this.names(), `${this.run.file}: node names`).toEqual(Object.keys(expected).sort());
    for (const [short, want] of Object.entries(expected)) {
      const node = this.node(short);
      const got = {
        type: node.type,
        phase: node.phase,
        displayName: node.displayName,
        id: node.id,
        ...(want.templateName !== undefined ? { templateName: node.templateName } : {}),
      };
      expect(got, `${this.run.file}: node ${short}`).toEqual({
        type: want.type,
        phase: want.phase,
        displayName: want.displayName ?? (short === 'W' ? this.name : lastSegment(short)),
        id: this.expectedId(short),
        ...(want.templateName !== undefined ? { templateName: want.templateName } : {}),
      });
      if (want.message instanceof RegExp) expect(node.message ?? '', `${short} message`).toMatch(want.message);
      else expect(node.message ?? '', `${short} message`).toBe(want.message ?? '');
    }
  }
}

/** `W[1].hello2a` → `hello2a`, `W[0]` → `[0]`, `W.task-0(0:3)` → `task-0(0:3)` (dots inside (…) kept). */
export function lastSegment(short: string): string {
  let depth = 0;
  for (let i = short.length - 1; i >= 0; i--) {
    const c = short[i];
    if (c === ')') depth++;
    else if (c === '(') depth--;
    else if (depth === 0 && c === '.') return short.slice(i + 1);
    else if (depth === 0 && c === '[' && i > 0 && short[i - 1] !== '.') return short.slice(i);
  }
  return short;
}

/** A pod that exited non-zero, as Argo words it. */
export const exitCode = (code: number) => `main: Error (exit code ${code})`;
