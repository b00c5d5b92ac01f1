/**
 * What the reconciler asks its host to do. Every action carries a deterministic identity
 * (node id, pod name, timer key) so a host that performs it twice adopts instead of duplicating.
 */
import type { Container, Template, Volume, VolumeMount } from '@slipway/workflow';

/** How long a volume's contents live on a local executor (Argo's lifetimes). */
export type VolumeLifetime = 'pod' | 'workflow';

export interface ResolvedVolume {
  name: string;
  /** `emptyDir` (and configMap/secret/hostPath stand-ins) live for one pod; claims for the workflow. */
  lifetime: VolumeLifetime;
  source: Volume;
}

/** Everything an executor needs to run one Pod node. All `{{…}}` are already substituted. */
export interface PodRequest {
  workflow: { name: string; namespace: string; uid: string };
  nodeId: string;
  nodeName: string;
  podName: string;
  templateName: string;
  /** The fully resolved template (container, script, containerSet or resource, with inputs filled in). */
  template: Template;
  /** Main containers in start order. For container/script templates there is one, named `main`. */
  containers: Container[];
  /** Script source for script templates (written to a file whose path is appended to the command). */
  scriptSource?: string;
  initContainers: Container[];
  sidecars: Container[];
  /** Volumes visible to this pod: spec.volumes, template volumes and volumeClaimTemplates. */
  volumes: ResolvedVolume[];
  /** Template-level volume mounts (containerSet) merged into every container by the executor. */
  extraVolumeMounts?: VolumeMount[];
  /** Capture stdout of the main container as `outputs.result`. */
  captureResult: boolean;
  /** Output parameters with `valueFrom.path`: the executor returns each file's content (or null when missing). */
  outputParameterPaths: { name: string; path: string }[];
  /** Output artifacts with a `path`: the executor keeps them for later consumers. */
  outputArtifactPaths: { name: string; path: string }[];
  /** Input artifacts to place before the main container starts (raw data or git). */
  inputArtifacts: { name: string; path: string; raw?: string; git?: unknown; mode?: number }[];
  /** Environment Argo injects (ARGO_TEMPLATE etc. are not needed locally). */
  env: Record<string, string>;
  /** A daemon step: keeps running; report PodReady once it is up. */
  daemon: boolean;
}

/** A mutex or semaphore named by `synchronization` (Argo's sync manager keys). */
export interface LockRequest {
  /** `<namespace>/Mutex/<name>` or `<namespace>/ConfigMap/<name>/<key>` (semaphore). */
  key: string;
  kind: 'mutex' | 'semaphore';
  /** For semaphores: where the limit comes from (a ConfigMap key) or the database key. */
  semaphore?: { configMapName?: string; configMapKey?: string; databaseKey?: string; namespace: string };
}

export type Action =
  | { type: 'StartPod'; pod: PodRequest }
  /** Stop a running pod: kill its process group (local) or delete it (Kubernetes). */
  | { type: 'KillPod'; nodeId: string; podName: string; reason: string }
  /** Call `reconcile` again with a TimerFired event at (or after) `at` (epoch ms). */
  | { type: 'WakeAt'; key: string; at: number }
  /**
   * Ask for a lock for `holder` (the workflow uid, or `uid/nodeId` for a template-level lock). The
   * host answers with a LockGranted event once it is held (at once when free; FIFO otherwise).
   */
  | { type: 'AcquireLock'; lock: LockRequest; holder: string }
  /** Give a lock back (or stop waiting for it). */
  | { type: 'ReleaseLock'; key: string; holder: string }
  /** podGC: this pod may be deleted now (its node is done and the strategy allows it). */
  | { type: 'DeletePod'; nodeId: string; podName: string }
  /**
   * The workflow reached a terminal phase; the host may release workflow-lifetime resources.
   * `deleteAt` (epoch ms) is when ttlStrategy says the workflow should be deleted.
   */
  | { type: 'WorkflowCompleted'; phase: 'Succeeded' | 'Failed' | 'Error'; deleteAt?: number };
