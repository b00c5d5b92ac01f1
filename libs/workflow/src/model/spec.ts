/**
 * The Argo Workflows language (argoproj.io/v1alpha1) as plain TypeScript types.
 * Field names and shapes follow Argo's Go types (pkg/apis/workflow/v1alpha1) so that a
 * user's YAML decodes into these without translation. Only fields Slipway reads are typed
 * precisely; the rest stay `unknown` and are carried through untouched.
 */

export const API_VERSION = 'argoproj.io/v1alpha1';

export type Kind =
  | 'Workflow'
  | 'WorkflowTemplate'
  | 'ClusterWorkflowTemplate'
  | 'CronWorkflow'
  | 'WorkflowEventBinding';

export const KINDS: readonly Kind[] = [
  'Workflow',
  'WorkflowTemplate',
  'ClusterWorkflowTemplate',
  'CronWorkflow',
  'WorkflowEventBinding',
];

/** Kubernetes' IntOrString: Argo accepts `limit: 10` and `limit: "10"` alike. */
export type IntOrString = number | string;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  [extra: string]: unknown;
}

export interface ValueFrom {
  path?: string;
  default?: string;
  expression?: string;
  parameter?: string;
  jsonPath?: string;
  jqFilter?: string;
  event?: string;
  supplied?: Record<string, never>;
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
}

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  enum?: string[];
  description?: string;
  globalName?: string;
  valueFrom?: ValueFrom;
}

export interface GitArtifact {
  repo: string;
  revision?: string;
  depth?: number;
  fetch?: string[];
  singleBranch?: boolean;
  branch?: string;
  insecureIgnoreHostKey?: boolean;
  disableSubmodules?: boolean;
  sshPrivateKeySecret?: SecretKeySelector;
  usernameSecret?: SecretKeySelector;
  passwordSecret?: SecretKeySelector;
}

export interface SecretKeySelector {
  name: string;
  key: string;
  optional?: boolean;
}

export interface Artifact {
  name: string;
  path?: string;
  mode?: number;
  from?: string;
  fromExpression?: string;
  globalName?: string;
  optional?: boolean;
  raw?: { data: string };
  git?: GitArtifact;
  http?: { url: string };
  s3?: unknown;
  archive?: unknown;
  [extra: string]: unknown;
}

export interface Inputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface Outputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
  result?: string;
  exitCode?: string;
}

export interface Arguments {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  workingDir?: string;
  volumeMounts?: VolumeMount[];
  resources?: unknown;
  securityContext?: unknown;
  imagePullPolicy?: string;
  /** Only on containerSet containers. */
  dependencies?: string[];
  [extra: string]: unknown;
}

export interface ScriptTemplate extends Container {
  source: string;
}

export interface ContainerSetTemplate {
  containers: Container[];
  volumeMounts?: VolumeMount[];
  retryStrategy?: { retries?: IntOrString; duration?: string };
}

export interface SuspendTemplate {
  duration?: string;
}

export interface ResourceTemplate {
  action: 'get' | 'create' | 'apply' | 'delete' | 'replace' | 'patch';
  manifest?: string;
  manifestFrom?: unknown;
  mergeStrategy?: string;
  successCondition?: string;
  failureCondition?: string;
  setOwnerReference?: boolean;
  flags?: string[];
}

export interface Backoff {
  duration?: IntOrString;
  factor?: IntOrString;
  maxDuration?: string;
  cap?: string;
}

export type RetryPolicy = 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';

export interface RetryStrategy {
  limit?: IntOrString;
  retryPolicy?: RetryPolicy;
  backoff?: Backoff;
  expression?: string;
  affinity?: unknown;
}

export interface ContinueOn {
  error?: boolean;
  failed?: boolean;
}

export interface TemplateRef {
  name: string;
  template: string;
  clusterScope?: boolean;
}

export interface LifecycleHook {
  template?: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  expression?: string;
}

export type LifecycleHooks = Record<string, LifecycleHook>;

export interface Sequence {
  count?: IntOrString;
  start?: IntOrString;
  end?: IntOrString;
  format?: string;
}

export type Item = string | number | boolean | null | Item[] | { [key: string]: Item };

/** Fields shared by a steps entry and a DAG task. */
export interface Invocation {
  name: string;
  template?: string;
  templateRef?: TemplateRef;
  inline?: Template;
  arguments?: Arguments;
  when?: string;
  withItems?: Item[];
  withParam?: string;
  withSequence?: Sequence;
  continueOn?: ContinueOn;
  onExit?: string;
  hooks?: LifecycleHooks;
}

export type WorkflowStep = Invocation;

/** `steps` is a list of parallel groups. Argo also accepts `- steps: [...]` objects. */
export type ParallelSteps = WorkflowStep[];

export interface DAGTask extends Invocation {
  dependencies?: string[];
  depends?: string;
}

export interface DAGTemplate {
  tasks: DAGTask[];
  target?: string;
  failFast?: boolean;
}

export interface SemaphoreRef {
  configMapKeyRef?: { name: string; key: string };
  database?: { key: string };
  namespace?: string;
}

export interface MutexRef {
  name: string;
  namespace?: string;
  database?: boolean;
}

export interface Synchronization {
  mutex?: MutexRef;
  mutexes?: MutexRef[];
  semaphore?: SemaphoreRef;
  semaphores?: SemaphoreRef[];
}

export interface Metadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface UserContainer extends Container {
  mirrorVolumeMounts?: boolean;
}

export interface Template {
  name: string;
  inputs?: Inputs;
  outputs?: Outputs;
  metadata?: Metadata;
  daemon?: boolean;
  steps?: ParallelSteps[];
  dag?: DAGTemplate;
  container?: Container;
  script?: ScriptTemplate;
  containerSet?: ContainerSetTemplate;
  resource?: ResourceTemplate;
  suspend?: SuspendTemplate;
  http?: unknown;
  plugin?: Record<string, unknown>;
  data?: unknown;
  volumes?: Volume[];
  initContainers?: UserContainer[];
  sidecars?: UserContainer[];
  activeDeadlineSeconds?: IntOrString;
  timeout?: string;
  retryStrategy?: RetryStrategy;
  parallelism?: IntOrString;
  failFast?: boolean;
  synchronization?: Synchronization;
  memoize?: unknown;
  podSpecPatch?: string;
  serviceAccountName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  tolerations?: unknown[];
  securityContext?: unknown;
  priority?: number;
  priorityClassName?: string;
  hostAliases?: unknown[];
  archiveLocation?: unknown;
  metrics?: unknown;
  executor?: unknown;
  automountServiceAccountToken?: boolean;
  schedulerName?: string;
  [extra: string]: unknown;
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  configMap?: unknown;
  secret?: unknown;
  hostPath?: { path: string };
  [extra: string]: unknown;
}

export interface PersistentVolumeClaim {
  metadata: ObjectMeta;
  spec?: unknown;
}

export interface TTLStrategy {
  secondsAfterCompletion?: number;
  secondsAfterSuccess?: number;
  secondsAfterFailure?: number;
}

export interface PodGC {
  strategy?: 'OnPodCompletion' | 'OnPodSuccess' | 'OnWorkflowCompletion' | 'OnWorkflowSuccess';
  labelSelector?: unknown;
  deleteDelayDuration?: string;
}

export interface WorkflowTemplateRef {
  name: string;
  clusterScope?: boolean;
}

export interface WorkflowSpec {
  entrypoint?: string;
  arguments?: Arguments;
  templates?: Template[];
  onExit?: string;
  hooks?: LifecycleHooks;
  parallelism?: number;
  activeDeadlineSeconds?: IntOrString;
  volumes?: Volume[];
  volumeClaimTemplates?: PersistentVolumeClaim[];
  templateDefaults?: Partial<Template>;
  workflowTemplateRef?: WorkflowTemplateRef;
  ttlStrategy?: TTLStrategy;
  podGC?: PodGC;
  synchronization?: Synchronization;
  serviceAccountName?: string;
  workflowMetadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    labelsFrom?: Record<string, { expression: string }>;
  };
  suspend?: boolean;
  shutdown?: 'Stop' | 'Terminate' | '';
  retryStrategy?: RetryStrategy;
  [extra: string]: unknown;
}

export interface Workflow {
  apiVersion: string;
  kind: 'Workflow';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  status?: import('./status.js').WorkflowStatus;
}

export interface WorkflowTemplate {
  apiVersion: string;
  kind: 'WorkflowTemplate' | 'ClusterWorkflowTemplate';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}

export interface CronWorkflowSpec {
  schedule?: string;
  schedules?: string[];
  timezone?: string;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  suspend?: boolean;
  when?: string;
  stopStrategy?: { expression?: string; condition?: string };
  workflowSpec: WorkflowSpec;
  workflowMetadata?: ObjectMeta;
}

export interface CronWorkflow {
  apiVersion: string;
  kind: 'CronWorkflow';
  metadata: ObjectMeta;
  spec: CronWorkflowSpec;
}

export interface WorkflowEventBinding {
  apiVersion: string;
  kind: 'WorkflowEventBinding';
  metadata: ObjectMeta;
  spec: {
    event: { selector: string };
    submit?: {
      workflowTemplateRef: WorkflowTemplateRef;
      metadata?: ObjectMeta;
      arguments?: Arguments;
    };
    [extra: string]: unknown;
  };
}

export type ArgoObject = Workflow | WorkflowTemplate | CronWorkflow | WorkflowEventBinding;
