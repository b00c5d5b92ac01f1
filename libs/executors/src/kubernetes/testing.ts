/** Test helpers: a kubeconfig for the fake API server, deterministic pod requests, a recording sink. */
import { KubeConfig } from '@kubernetes/client-node';
import type { PodResult } from '@slipway/engine';
import type { Container, Template } from '@slipway/workflow';
import type { ExecutionSink } from '../port.js';
import type { KubePodRequest } from './pod-manifest.js';

export function fakeKubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'slipway', token: 'test-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'slipway', namespace: 'default' }],
    currentContext: 'fake',
  });
  return kc;
}

/** A container-template request for node `nodeId` of workflow `wf` in namespace `ns`. */
export function kubeRequest(nodeId: string, container: Container, overrides: Partial<KubePodRequest> = {}): KubePodRequest {
  const main = { name: 'main', ...container };
  const template: Template = { name: 'tmpl', container: main };
  return {
    workflow: { name: 'wf', namespace: 'ns', uid: 'wf-uid' },
    nodeId,
    nodeName: `wf.${nodeId}`,
    podName: `wf-tmpl-${nodeId.replace(/^wf-/, '')}`,
    templateName: 'tmpl',
    template,
    containers: [main],
    initContainers: [],
    sidecars: [],
    volumes: [],
    captureResult: false,
    outputParameterPaths: [],
    outputArtifactPaths: [],
    inputArtifacts: [],
    env: {},
    daemon: false,
    ...overrides,
  };
}

export class Recorder implements ExecutionSink {
  readonly started = new Map<string, number>();
  readonly ready = new Map<string, string | undefined>();
  readonly finished: PodResult[] = [];
  readonly lines: { container: string; text: string }[] = [];
  private waiters: (() => void)[] = [];

  podStarted(nodeId: string, at: number): void {
    this.started.set(nodeId, at);
    this.wake();
  }
  podReady(nodeId: string, _at: number, ip?: string): void {
    this.ready.set(nodeId, ip);
    this.wake();
  }
  podFinished(result: PodResult): void {
    this.finished.push(result);
    this.wake();
  }
  log(line: { container: string; text: string }): void {
    this.lines.push({ container: line.container, text: line.text });
    this.wake();
  }

  /** Resolves once `check` holds (re-checked after every report), or rejects after `timeoutMs`. */
  async until<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error('timed out waiting for the executor');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  result(nodeId: string): Promise<PodResult> {
    return this.until(() => this.finished.find((r) => r.nodeId === nodeId));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export const terminated = (name: string, exitCode: number, extra: Record<string, unknown> = {}) => ({
  name,
  ready: false,
  state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:02Z', ...extra } },
});

export const running = (name: string) => ({ name, ready: true, state: { running: { startedAt: '2026-01-01T00:00:01Z' } } });
