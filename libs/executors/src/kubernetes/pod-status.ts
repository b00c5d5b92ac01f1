/** Reading a Pod's status: started/ready/finished, container outcomes, wrapper output parameters. */
import type { ContainerResult, PodResult } from '@slipway/engine';

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: {
    running?: { startedAt?: string };
    waiting?: { reason?: string; message?: string };
    terminated?: { exitCode?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
  };
}

export interface PodObject {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec?: { containers?: { name: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    startTime?: string;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

/** Waiting reasons that never resolve by themselves: the pod ends in phase Error. */
const FATAL_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'ErrImageNeverPull']);

const time = (s: string | undefined, fallback: number) => (s ? Date.parse(s) : fallback);

/** A container that could not start (image pull errors…), as an Error message. */
export function fatalWaiting(pod: PodObject): string | undefined {
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const w = s.state?.waiting;
    if (w?.reason && FATAL_WAITING.has(w.reason)) return `${s.name}: ${w.reason}${w.message ? `: ${w.message}` : ''}`;
  }
  return undefined;
}

export function containerStatus(pod: PodObject, name: string): ContainerStatus | undefined {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === name);
}

/** Containers that are running or have run (their logs can be read). */
export function startedContainers(pod: PodObject): string[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .filter((s) => s.state?.running !== undefined || s.state?.terminated !== undefined)
    .map((s) => s.name);
}

export function isFinished(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Outcome of one terminated container, with the local executor's messages. */
export function containerOutcome(s: ContainerStatus | undefined, now: number): ContainerResult & { name: string } {
  const t = s?.state?.terminated;
  const name = s?.name ?? 'main';
  if (!t) return { name, phase: 'Error', message: `${name}: did not run`, startedAt: now, finishedAt: now };
  const notRun = /^#not-run (\S+)/.exec(t.message ?? '');
  if (notRun) return { name, phase: 'Failed', message: `not run: dependency "${notRun[1]}" did not succeed`, startedAt: now, finishedAt: now };
  const base = { name, exitCode: t.exitCode, startedAt: time(t.startedAt, now), finishedAt: time(t.finishedAt, now) };
  if (t.exitCode === 0) return { ...base, phase: 'Succeeded' };
  if (t.reason === 'OOMKilled') return { ...base, phase: 'Failed', message: `${name}: OOMKilled (exit code ${t.exitCode ?? 137})` };
  return { ...base, phase: 'Failed', message: `${name}: Error (exit code ${t.exitCode ?? 'unknown'})` };
}

/** Parse the wrapper's termination message: one `NAME BASE64` (or `NAME -` when missing) line per parameter. */
export function parseOutputMessage(message: string | undefined, names: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]));
  for (const line of (message ?? '').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const name = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (name in out) out[name] = value === '-' ? null : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

export interface ResultInputs {
  nodeId: string;
  mainNames: string[];
  outputNames: string[];
  /** Main container stdout (from its log stream), when a result is asked for. */
  stdout?: string;
  containerSet: boolean;
  requestedAt: number;
}

/** The PodResult of a finished pod. */
export function podResult(pod: PodObject, r: ResultInputs): PodResult {
  const now = Date.now();
  const init = (pod.status?.initContainerStatuses ?? []).find((s) => s.state?.terminated && s.state.terminated.exitCode !== 0);
  const mains = r.mainNames.map((n) => containerOutcome(containerStatus(pod, n), now));
  const main = mains[0];
  const decisive = init ? containerOutcome(init, now) : mains.find((m) => m.phase !== 'Succeeded');
  let phase: PodResult['phase'] = decisive ? (decisive.phase === 'Succeeded' ? 'Failed' : decisive.phase) : 'Succeeded';
  let message = decisive?.message;
  if (pod.status?.reason === 'DeadlineExceeded') {
    phase = 'Failed';
    message = pod.status.message ?? 'Pod was active on the node longer than the specified deadline';
  } else if (pod.status?.phase === 'Failed' && !decisive) {
    phase = 'Error';
    message = pod.status.message ?? pod.status.reason ?? 'pod failed';
  }
  const mainStatus = containerStatus(pod, r.mainNames[0] ?? 'main');
  const result: PodResult = {
    nodeId: r.nodeId,
    phase,
    outputParameters: parseOutputMessage(mainStatus?.state?.terminated?.message, r.outputNames),
    startedAt: time(pod.status?.startTime, r.requestedAt),
    finishedAt: Math.max(...mains.map((m) => m.finishedAt)),
  };
  const exitCode = main?.exitCode ?? decisive?.exitCode;
  if (exitCode !== undefined) result.exitCode = exitCode;
  if (message !== undefined) result.message = message;
  if (r.stdout !== undefined) result.result = r.stdout;
  if (r.containerSet) result.containers = mains.map(({ name, phase: p, exitCode: e, message: m, startedAt, finishedAt }) => ({ name, phase: p, ...(e !== undefined ? { exitCode: e } : {}), ...(m ? { message: m } : {}), startedAt, finishedAt }));
  return result;
}
