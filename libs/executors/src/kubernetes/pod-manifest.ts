/**
 * PodRequest → the Pod manifest Slipway sends to the API server (one pod per node, Argo's pod
 * name). Script source and input artifacts are staged by an init container into an emptyDir at
 * `/argo/staging`; output parameters are reported by a wrapper through the main container's
 * termination message (see README.md).
 */
import type { PodRequest } from '@slipway/engine';
import type { Container, PersistentVolumeClaim, VolumeMount } from '@slipway/workflow';
import { parse as parseYaml } from 'yaml';
import { gitInitContainers } from './git-init.js';
import { mergePodDefaults, type PodDefaults } from './workflow-pod-fields.js';

export type { PodDefaults } from './workflow-pod-fields.js';

export const LABEL_WORKFLOW = 'workflows.argoproj.io/workflow';
export const LABEL_NODE_ID = 'workflows.argoproj.io/node-id';
export const LABEL_WORKFLOW_UID = 'slipway.dev/workflow-uid';
export const ANNOTATION_NODE_ID = 'workflows.argoproj.io/node-id';
export const ANNOTATION_NODE_NAME = 'workflows.argoproj.io/node-name';
/** Which execution of the node created the pod: a pod of another one (before a workflow retry) is replaced, not adopted. */
export const ANNOTATION_EXECUTION_ID = 'slipway.dev/execution-id';
export const STAGING = '/argo/staging';
export const STAGING_VOLUME = 'slipway-staging';
export const INIT_NAME = 'slipway-init';

export type Json = Record<string, unknown>;

/**
 * A PodRequest, optionally with the workflow's `volumeClaimTemplates` (their PVCs are created per
 * workflow) and its workflow-level pod fields (`workflowPodDefaults(spec)`, over the executor's defaults).
 */
export type KubePodRequest = PodRequest & { volumeClaimTemplates?: PersistentVolumeClaim[]; podDefaults?: PodDefaults; executionId?: string };


export interface ManifestOptions {
  /** Image of the staging init container (needs `sh`, `base64`; `slipway/helper` adds the exec wrapper). */
  helperImage: string;
  /** Image of git input artifact init containers (needs `sh`, `sed`, `git`). */
  gitImage?: string;
  defaults?: PodDefaults;
}

/** Label values must be ≤ 63 characters of `[A-Za-z0-9._-]` (alphanumeric at both ends). */
export function labelValue(value: string): string | undefined {
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(value) ? value : undefined;
}

/** The PVC name for a volumeClaimTemplate of a workflow: `<workflow name>-<claim>`, as Argo names it (operator.go createPVCs). */
export function claimName(claim: string, workflowName: string): string {
  return `${workflowName}-${claim}`;
}

/** Whether containers run under the exec wrapper: output parameters to report, or containerSet ordering. */
export function needsWrapper(req: PodRequest): boolean {
  return req.outputParameterPaths.length > 0 || orderedSet(req);
}

/** A containerSet whose containers depend on each other (the wrapper makes them wait). */
function orderedSet(req: PodRequest): boolean {
  return req.template.containerSet !== undefined && req.containers.some((c) => (c.dependencies ?? []).length > 0);
}

function toInt(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/** Files the init container writes under STAGING: relative path → content. */
export function stagedFiles(req: PodRequest): { path: string; content: string; mode: number }[] {
  const files: { path: string; content: string; mode: number }[] = [];
  if (req.scriptSource !== undefined) files.push({ path: 'script', content: req.scriptSource, mode: 0o755 });
  for (const a of req.inputArtifacts) {
    if (a.raw !== undefined) files.push({ path: `inputs/artifacts/${a.name}`, content: a.raw, mode: a.mode ?? 0o644 });
  }
  if (req.outputParameterPaths.length > 0) {
    files.push({ path: 'outputs', content: req.outputParameterPaths.map((p) => `${p.name} ${p.path}\n`).join(''), mode: 0o644 });
  }
  return files;
}

const INIT_SCRIPT = [
  'set -e',
  'i=0',
  'while :; do',
  '  eval "v=\\${SLIPWAY_STAGE_$i:-}"',
  '  [ -z "$v" ] && break',
  '  mode=${v%% *}; rest=${v#* }; rel=${rest%% *}; data=${rest#* }',
  `  mkdir -p "$(dirname "${STAGING}/$rel")"`,
  `  printf %s "$data" | base64 -d > "${STAGING}/$rel"`,
  `  chmod "$mode" "${STAGING}/$rel"`,
  '  i=$((i+1))',
  'done',
  `if [ -n "$SLIPWAY_WRAP" ]; then mkdir -p ${STAGING}/bin && cp /bin/busybox /slipway/exec ${STAGING}/bin/; fi`,
].join('\n');

function initContainer(req: PodRequest, opts: ManifestOptions): Json | undefined {
  const files = stagedFiles(req);
  if (files.length === 0 && !needsWrapper(req)) return undefined;
  const env: Json[] = files.map((f, i) => ({
    name: `SLIPWAY_STAGE_${i}`,
    value: `${f.mode.toString(8)} ${f.path} ${Buffer.from(f.content).toString('base64')}`,
  }));
  if (needsWrapper(req)) env.push({ name: 'SLIPWAY_WRAP', value: '1' });
  return {
    name: INIT_NAME,
    image: opts.helperImage,
    command: ['sh', '-c', INIT_SCRIPT],
    env,
    volumeMounts: [{ name: STAGING_VOLUME, mountPath: STAGING }],
  };
}

function envList(req: PodRequest, c: Container): unknown[] {
  const own = (c.env ?? []) as { name: string }[];
  const injected = Object.entries(req.env)
    .filter(([name]) => !own.some((e) => e.name === name))
    .map(([name, value]) => ({ name, value }));
  return [...injected, ...own];
}

function mainContainer(req: PodRequest, c: Container, staged: boolean, isMain: boolean): Json {
  const { dependencies: _deps, mirrorVolumeMounts: _mirror, source: _source, ...spec } = c as Container & Json;
  const out: Json = { ...spec };
  const mounts: VolumeMount[] = [...(c.volumeMounts ?? []), ...(req.extraVolumeMounts ?? [])];
  if (staged) {
    mounts.push({ name: STAGING_VOLUME, mountPath: STAGING });
    for (const a of req.inputArtifacts) {
      if (a.raw !== undefined || a.git !== undefined) mounts.push({ name: STAGING_VOLUME, mountPath: a.path, subPath: `inputs/artifacts/${a.name}` });
    }
  }
  let command = c.command;
  let args = c.args;
  if (isMain && req.scriptSource !== undefined) args = [...(args ?? []), `${STAGING}/script`];
  const wrapperEnv: { name: string; value: string }[] = [];
  const wrapOutputs = isMain && req.outputParameterPaths.length > 0;
  if ((wrapOutputs || orderedSet(req)) && command !== undefined) {
    command = [`${STAGING}/bin/busybox`, 'sh', `${STAGING}/bin/exec`, ...command, ...(args ?? [])];
    args = undefined;
    if (orderedSet(req)) {
      wrapperEnv.push({ name: 'SLIPWAY_CONTAINER', value: c.name ?? 'main' });
      if ((c.dependencies ?? []).length > 0) wrapperEnv.push({ name: 'SLIPWAY_DEPENDS', value: (c.dependencies ?? []).join(' ') });
    }
    if (!wrapOutputs) wrapperEnv.push({ name: 'SLIPWAY_OUTPUTS', value: '/dev/null' });
  }
  if (command !== undefined) out.command = command;
  if (args !== undefined) out.args = args;
  else delete out.args;
  const env = [...envList(req, c), ...wrapperEnv];
  if (env.length > 0) out.env = env;
  if (mounts.length > 0) out.volumeMounts = mounts;
  return out;
}

/** Strategic-merge-ish: objects merge recursively, `containers`-like lists merge by `name`, other arrays replace. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (xs: unknown[]) => xs.every((x) => typeof x === 'object' && x !== null && typeof (x as Json).name === 'string');
    if (!named(base) || !named(patch)) return patch;
    const out = [...base] as Json[];
    for (const p of patch as Json[]) {
      const i = out.findIndex((b) => b.name === p.name);
      if (i >= 0) out[i] = mergePatch(out[i], p) as Json;
      else out.push(p);
    }
    return out;
  }
  if (typeof base === 'object' && base !== null && typeof patch === 'object' && patch !== null && !Array.isArray(base) && !Array.isArray(patch)) {
    const out: Json = { ...(base as Json) };
    for (const [k, v] of Object.entries(patch as Json)) {
      if (v === null) delete out[k];
      else out[k] = k in out ? mergePatch(out[k], v) : v;
    }
    return out;
  }
  return patch;
}

function parsePatch(text: string): Json {
  const parsed: unknown = parseYaml(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('podSpecPatch must be an object');
  return parsed as Json;
}

/** The volumes of the pod: claims from volumeClaimTemplates get their per-workflow PVC name. */
function podVolumes(req: KubePodRequest): Json[] {
  const templates = new Set((req.volumeClaimTemplates ?? []).map((c) => c.metadata.name ?? ''));
  return req.volumes.map((v) => {
    const { name, ...source } = v.source;
    if (templates.has(v.name) && v.source.persistentVolumeClaim) {
      return { name, persistentVolumeClaim: { ...v.source.persistentVolumeClaim, claimName: claimName(v.name, req.workflow.name) } };
    }
    return { name, ...source };
  });
}

/** The Pod manifest for a pod request (throws on an invalid podSpecPatch). */
export function buildPodManifest(req: KubePodRequest, opts: ManifestOptions): Json {
  const t = req.template;
  const d = mergePodDefaults(opts.defaults, req.podDefaults);
  const init = initContainer(req, opts);
  const gitInits = gitInitContainers(req, opts.gitImage ?? 'alpine/git:v2.47.2', { volume: STAGING_VOLUME, path: STAGING });
  const staged = init !== undefined || gitInits.length > 0;
  const labels: Record<string, string> = { ...(d.podMetadata?.labels ?? {}), ...(t.metadata?.labels ?? {}), [LABEL_WORKFLOW]: req.workflow.name, [LABEL_WORKFLOW_UID]: req.workflow.uid };
  const nodeLabel = labelValue(req.nodeId);
  if (nodeLabel !== undefined) labels[LABEL_NODE_ID] = nodeLabel;
  const annotations: Record<string, string> = { ...(d.podMetadata?.annotations ?? {}), ...(t.metadata?.annotations ?? {}), [ANNOTATION_NODE_ID]: req.nodeId, [ANNOTATION_NODE_NAME]: req.nodeName };
  if (req.executionId !== undefined) annotations[ANNOTATION_EXECUTION_ID] = req.executionId;
  const mainName = req.containers[0]?.name;
  const mirror = (c: Container & { mirrorVolumeMounts?: boolean }): Json => {
    const { mirrorVolumeMounts, ...rest } = c;
    const mounts = [...(rest.volumeMounts ?? [])];
    if (mirrorVolumeMounts === true) mounts.push(...(req.containers[0]?.volumeMounts ?? []));
    const env = envList(req, rest);
    return { ...rest, ...(env.length > 0 ? { env } : {}), ...(mounts.length > 0 ? { volumeMounts: mounts } : {}) };
  };
  const volumes = podVolumes(req);
  if (staged) volumes.push({ name: STAGING_VOLUME, emptyDir: {} });
  let spec: Json = {
    restartPolicy: 'Never',
    ...(t.serviceAccountName ?? d.serviceAccountName ? { serviceAccountName: t.serviceAccountName ?? d.serviceAccountName } : {}),
    ...(d.imagePullSecrets ? { imagePullSecrets: d.imagePullSecrets } : {}),
    ...(t.nodeSelector ?? d.nodeSelector ? { nodeSelector: t.nodeSelector ?? d.nodeSelector } : {}),
    ...(t.affinity ?? d.affinity ? { affinity: t.affinity ?? d.affinity } : {}),
    ...(t.tolerations ?? d.tolerations ? { tolerations: t.tolerations ?? d.tolerations } : {}),
    ...(t.securityContext ?? d.securityContext ? { securityContext: t.securityContext ?? d.securityContext } : {}),
    ...(t.priorityClassName ?? d.priorityClassName ? { priorityClassName: t.priorityClassName ?? d.priorityClassName } : {}),
    ...(t.schedulerName ?? d.schedulerName ? { schedulerName: t.schedulerName ?? d.schedulerName } : {}),
    ...(t.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: t.automountServiceAccountToken } : {}),
    ...(d.hostNetwork !== undefined ? { hostNetwork: d.hostNetwork } : {}),
    ...(d.dnsPolicy ? { dnsPolicy: d.dnsPolicy } : {}),
    ...(d.dnsConfig ? { dnsConfig: d.dnsConfig } : {}),
  };
  // Argo appends the template's hostAliases to the workflow's.
  const hostAliases = [...(d.hostAliases ?? []), ...(t.hostAliases ?? [])];
  if (hostAliases.length > 0) spec.hostAliases = hostAliases;
  const deadline = toInt(t.activeDeadlineSeconds);
  if (deadline !== undefined) spec.activeDeadlineSeconds = deadline;
  const inits = [...(init ? [init] : []), ...gitInits, ...req.initContainers.map(mirror)];
  if (inits.length > 0) spec.initContainers = inits;
  spec.containers = [
    ...req.containers.map((c) => mainContainer(req, c, staged, c.name === mainName)),
    ...req.sidecars.map(mirror),
  ];
  if (volumes.length > 0) spec.volumes = volumes;
  for (const patch of [opts.defaults?.podSpecPatch, req.podDefaults?.podSpecPatch, t.podSpecPatch]) {
    if (patch !== undefined && patch.trim() !== '') spec = mergePatch(spec, parsePatch(patch)) as Json;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: req.podName, namespace: req.workflow.namespace, labels, annotations },
    spec,
  };
}

/** The PVCs a workflow's volumeClaimTemplates ask for. */
export function claimManifests(req: KubePodRequest): Json[] {
  return (req.volumeClaimTemplates ?? []).map((c) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...c.metadata,
      name: claimName(c.metadata.name ?? '', req.workflow.name),
      namespace: req.workflow.namespace,
      labels: { ...(c.metadata.labels ?? {}), [LABEL_WORKFLOW]: req.workflow.name, [LABEL_WORKFLOW_UID]: req.workflow.uid },
    },
    spec: c.spec ?? {},
  }));
}
