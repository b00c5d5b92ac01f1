/**
 * Run one container to completion and classify the outcome with Argo's wording:
 * exit 0 → Succeeded; exit N → Failed "NAME: Error (exit code N)"; could not start → Error.
 */
import { getSystemErrorMap } from 'node:util';
import type { ContainerResult } from '@slipway/engine';
import { ContainerOutput, type Stream } from './container-output.js';
import { exitCodeOf, ProcessGroup, type ProcessExit } from './process-group.js';
import type { LaunchGate, Launcher } from './spawner/launcher.js';

export interface PreparedContainer {
  name: string;
  /** The full command line: bwrap and its arguments first when sandboxed. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Host working directory (unsandboxed only; bwrap gets --chdir). */
  cwd?: string;
  /** Lines written to the container's log before it starts (e.g. ignored env valueFrom). */
  notices: string[];
}

export interface ContainerRunOptions {
  logPath: string;
  sandboxed: boolean;
  launcher: Launcher;
  /** Wait for a slot of this gate before starting (the pod's slot, see pod-runner.ts). */
  gate?: LaunchGate;
  /** A directory the launcher examines after the exit (`ContainerRunResult.dirEmpty`). */
  probeDir?: string;
  capture: boolean;
  onLine?: (stream: Stream, text: string) => void;
  onSpawn?: (process: ProcessGroup, at: number) => void;
}

export interface ContainerRunResult extends ContainerResult {
  /** Captured stdout (when asked). */
  stdout?: string;
  /** It never started (a dependency failed, or the pod was killed first). */
  notRun?: boolean;
  /** `probeDir` was still an empty private directory after the exit (unset: not examined). */
  dirEmpty?: boolean;
}

/** Spawns synchronously (so the caller can track it at once) and resolves when it has exited. */
export function runContainer(
  container: PreparedContainer,
  options: ContainerRunOptions,
): { process: ProcessGroup; result: Promise<ContainerRunResult> } {
  const output = new ContainerOutput({ logPath: options.logPath, capture: options.capture, onLine: options.onLine });
  for (const notice of container.notices) output.note(notice);
  let startedAt: number | undefined;
  const process: ProcessGroup = new ProcessGroup({
    argv: container.argv,
    env: container.env,
    cwd: container.cwd,
    sandboxed: options.sandboxed,
    launcher: options.launcher,
    gate: options.gate,
    probeDir: options.probeDir,
    onSpawn: (at) => {
      startedAt = at;
      options.onSpawn?.(process, at);
    },
    onStdout: (chunk) => output.write('stdout', chunk),
    onStderr: (chunk) => output.write('stderr', chunk),
  });
  const result = process.exited.then((exit): ContainerRunResult => {
    output.finish();
    const finishedAt = exit.endedAt ?? Date.now();
    if (exit.cancelled) {
      return { name: container.name, phase: 'Failed', message: `${container.name}: not started (cancelled)`, startedAt: finishedAt, finishedAt, notRun: true };
    }
    const classified = classify(container.name, exit, options.sandboxed ? output.firstStderr : '');
    return {
      name: container.name,
      ...classified,
      startedAt: startedAt ?? finishedAt,
      finishedAt,
      ...(options.capture ? { stdout: output.result() } : {}),
      ...(exit.probeEmpty === undefined ? {} : { dirEmpty: exit.probeEmpty }),
    };
  });
  return { process, result };
}

function classify(
  name: string,
  exit: ProcessExit,
  stderrHead: string,
): Pick<ContainerResult, 'phase' | 'exitCode' | 'message'> {
  if (exit.spawnError) {
    const { errno, path, message } = exit.spawnError;
    const text = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
    const reason = text === undefined ? message : `${path ?? '?'}: ${text}`;
    return { phase: 'Error', message: `container "${name}" could not start: ${reason}` };
  }
  // bwrap reports its own failures (before the command runs) as "bwrap: …" and exit status 1.
  if (exit.code === 1 && stderrHead.startsWith('bwrap: ')) {
    const line = stderrHead.slice('bwrap: '.length).split('\n')[0];
    const exec = /^execvp (.*)$/.exec(line);
    return exec
      ? { phase: 'Error', message: `container "${name}" could not start: ${exec[1]}` }
      : { phase: 'Error', message: `container "${name}": sandbox set-up failed: ${line}` };
  }
  const exitCode = exitCodeOf(exit);
  if (exitCode === 0) return { phase: 'Succeeded', exitCode: 0 };
  // Argo (since v3.6) prefixes the container name: "main: Error (exit code 1)".
  if (exitCode === undefined) return { phase: 'Failed', message: `${name}: Error (killed by ${exit.signal ?? 'a signal'})` };
  return { phase: 'Failed', exitCode, message: `${name}: Error (exit code ${exitCode})` };
}
