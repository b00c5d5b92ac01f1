/** The port every executor (local sandbox, Kubernetes) implements. Hosts call it; the engine never does. */
import type { PodRequest, PodResult } from '@slipway/engine';

export interface ExecutionSink {
  podStarted(nodeId: string, at: number): void;
  /** Daemon pods only: the main container is up (for locals: started and still running after a short grace). */
  podReady(nodeId: string, at: number, ip?: string): void;
  podFinished(result: PodResult): void;
  /** A line of output (without its newline) from one container of a pod, as it happens. */
  log?(line: { nodeId: string; podName: string; container: string; stream: 'stdout' | 'stderr'; text: string; at: number }): void;
}

export interface PodExecutor {
  /** Start the pod. Never throws: problems are reported as a PodResult with phase Error. Idempotent per nodeId. */
  start(request: PodRequest, sink: ExecutionSink): void;
  /** Kill a running pod (whole process group / delete the pod). Resolves when it is gone. No-op when unknown or done. */
  kill(nodeId: string, reason: string): Promise<void>;
  /**
   * Drop what the executor remembers about a finished pod. Hosts that keep results durably call it
   * once the result is stored, so a node that a retry resets runs again instead of being adopted.
   */
  forget?(nodeId: string): void;
  /**
   * Optional: run at most `pods` of this workflow's pods at once; pods started beyond that wait,
   * in order, and each starts the moment a running one ends. A host that supports it can hand
   * over ready pods early instead of queueing them itself.
   */
  limitPods?(workflowUid: string, pods: number): void;
  /** The workflow is over: remove its workflow-lifetime volumes and working files (logs are kept). */
  releaseWorkflow(workflowUid: string): Promise<void>;
  close(): Promise<void>;
}
