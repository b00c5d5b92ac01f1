/** What happened outside the reconciler since it last ran. Time always comes in as an input. */
import type { NodePhase } from '@slipway/workflow';

export interface ContainerResult {
  name: string;
  phase: 'Succeeded' | 'Failed' | 'Error';
  exitCode?: number;
  message?: string;
  startedAt: number;
  finishedAt: number;
}

export interface PodResult {
  nodeId: string;
  /** Succeeded (exit 0), Failed (non-zero exit, killed by timeout), Error (could not run). */
  phase: Extract<NodePhase, 'Succeeded' | 'Failed' | 'Error'>;
  exitCode?: number;
  message?: string;
  /** stdout of the main container, when `captureResult` was asked (last 256 KiB, one trailing newline trimmed). */
  result?: string;
  /** Content of each requested output parameter file; null when the file did not exist. */
  outputParameters: Record<string, string | null>;
  /** For containerSet: one entry per container. */
  containers?: ContainerResult[];
  startedAt: number;
  finishedAt: number;
}

export type EngineEvent =
  /** The pod's main container started running. */
  | { type: 'PodStarted'; nodeId: string; at: number }
  /** A daemon pod is up and ready: its node becomes Daemoned. */
  | { type: 'PodReady'; nodeId: string; at: number; ip?: string }
  | { type: 'PodFinished'; result: PodResult }
  | { type: 'TimerFired'; key: string }
  /** Nothing happened, but look again (e.g. after a retry rewrote the stored state). */
  | { type: 'Wake' }
  /** The host granted a lock asked for with AcquireLock. */
  | { type: 'LockGranted'; key: string; holder: string }
  /** Resume suspended nodes; with `nodeFieldSelector`-like name, only that node. */
  | { type: 'Resume'; nodeName?: string }
  | { type: 'Suspend' }
  /** Stop: running nodes are killed, exit handlers still run. */
  | { type: 'Stop'; message?: string }
  /** Terminate: running nodes are killed, exit handlers do not run. */
  | { type: 'Terminate'; message?: string }
  /** `argo node set`: supply output parameters (and optionally the phase) of a suspend node. */
  | {
      type: 'SetNode';
      nodeName: string;
      outputParameters?: Record<string, string>;
      phase?: 'Succeeded' | 'Failed';
      message?: string;
    };
