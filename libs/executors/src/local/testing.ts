/** Test helpers: PodRequest builders and a sink that records what it is told. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { PodRequest, PodResult } from '@slipway/engine';
import type { Container, Template } from '@slipway/workflow';
import type { ExecutionSink } from '../port.js';
import { LocalExecutor, type LocalExecutorOptions } from './local-executor.js';

let counter = 0;

/** A container template pod running `container` as `main`; override any field. */
export function podRequest(container: Container, overrides: Partial<PodRequest> = {}): PodRequest {
  counter += 1;
  const id = `node-${process.pid}-${counter}`;
  const main = { name: 'main', ...container };
  const template: Template = { name: 'tmpl', container: main };
  return {
    workflow: { name: 'wf', namespace: 'default', uid: 'wf-uid-1' },
    nodeId: id,
    nodeName: `wf.${id}`,
    podName: `wf-tmpl-${id}`,
    templateName: 'tmpl',
    template,
    containers: [main],
    initContainers: [],
    sidecars: [],
    volumes: [],
    captureResult: true,
    outputParameterPaths: [],
    outputArtifactPaths: [],
    inputArtifacts: [],
    env: {},
    daemon: false,
    ...overrides,
  };
}

/** `sh -c SCRIPT` in a busybox-like image. */
export function shPod(script: string, overrides: Partial<PodRequest> = {}): PodRequest {
  return podRequest({ image: 'busybox', command: ['sh', '-c', script] }, overrides);
}

export interface LogLine {
  container: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export class RecordingSink implements ExecutionSink {
  readonly started = new Map<string, number>();
  readonly ready = new Map<string, { at: number; ip?: string }>();
  readonly finished: PodResult[] = [];
  readonly lines: LogLine[] = [];
  private readonly waiters = new Map<string, ((r: PodResult) => void)[]>();
  private readonly readyWaiters = new Map<string, (() => void)[]>();

  podStarted(nodeId: string, at: number): void {
    this.started.set(nodeId, at);
  }

  podReady(nodeId: string, at: number, ip?: string): void {
    this.ready.set(nodeId, { at, ip });
    for (const w of this.readyWaiters.get(nodeId) ?? []) w();
  }

  podFinished(result: PodResult): void {
    this.finished.push(result);
    for (const w of this.waiters.get(result.nodeId) ?? []) w(result);
    this.waiters.delete(result.nodeId);
  }

  log(line: { nodeId: string; container: string; stream: 'stdout' | 'stderr'; text: string }): void {
    this.lines.push({ container: line.container, stream: line.stream, text: line.text });
  }

  result(nodeId: string): Promise<PodResult> {
    const done = this.finished.find((r) => r.nodeId === nodeId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.waiters.set(nodeId, [...(this.waiters.get(nodeId) ?? []), resolve]));
  }

  whenReady(nodeId: string): Promise<void> {
    if (this.ready.has(nodeId)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.set(nodeId, [...(this.readyWaiters.get(nodeId) ?? []), resolve]));
  }
}

/** A fresh executor in a fresh temporary workdir; `dispose` closes it and removes the dir. */
export function testExecutor(options: Partial<LocalExecutorOptions> = {}): {
  executor: LocalExecutor;
  workdir: string;
  run: (req: PodRequest) => Promise<PodResult>;
  sink: RecordingSink;
  dispose: () => Promise<void>;
} {
  const workdir = options.workdir ?? mkdtempSync(`${tmpdir()}/slipway-local-`);
  const executor = new LocalExecutor({ workdir, warn: () => undefined, ...options });
  const sink = new RecordingSink();
  return {
    executor,
    workdir: executor.workdir,
    sink,
    run: (req) => {
      executor.start(req, sink);
      return sink.result(req.nodeId);
    },
    dispose: async () => {
      await executor.close();
      await rm(workdir, { recursive: true, force: true });
    },
  };
}
