/**
 * Where a pod's files live on the host and where they appear inside its containers.
 *
 * Host side, under the executor's workdir:
 *   workflows/<uid>/volumes/<claim>/        workflow-lifetime claims, shared by the workflow's pods
 *   workflows/<uid>/scratch/<random>/        the pod's private /tmp (sandboxed) or default working
 *                                            directory (unsandboxed); see scratch-dirs.ts
 *   workflows/<uid>/pods/<pod>/volumes/<v>/  emptyDir (and configMap/secret stand-ins)
 *   workflows/<uid>/pods/<pod>/fs/<path>/    private writable dirs for output paths outside /tmp and mounts
 *   workflows/<uid>/pods/<pod>/root/         sandbox root, only when the pod writes files directly under /
 *   workflows/<uid>/pods/<pod>/script        script template source
 *   workflows/<uid>/artifacts/<node>/<name>  kept output artifacts
 *   logs/<uid>/<pod>/<container>.log         never removed by releaseWorkflow
 *
 * A plain pod needs one new directory, its scratch directory, which is usually made ahead of
 * need (scratch-dirs.ts). (Directory creation is the largest per-pod cost after process start;
 * `pods/<pod>/` is only made for pods that use it.)
 */
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import type { PodRequest } from '@slipway/engine';
import type { Container, VolumeMount } from '@slipway/workflow';
import { type BindMount, canonicalTop, isUnder } from './sandbox-args.js';
import { SANDBOX_ASSETS_DIR, SANDBOX_SCRIPT_PATH, SANDBOX_WORK_DIR, ASSETS_DIR } from './shims.js';

export interface PodDirs {
  workflowDir: string;
  podDir: string;
  /** The pod's private directory: its /tmp when sandboxed, its default working directory when not. */
  scratch: string;
  scriptPath: string;
  logDir: string;
  artifactsDir: string;
}

/** `scratch`: a fresh directory made for this pod (ScratchDirs); default: one named after the pod. */
export function podDirs(workdir: string, req: PodRequest, scratch?: string): PodDirs {
  const workflowDir = `${workdir}/workflows/${req.workflow.uid}`;
  const podDir = `${workflowDir}/pods/${req.podName}`;
  return {
    workflowDir,
    podDir,
    scratch: scratch ?? `${workflowDir}/scratch/${req.podName}`,
    scriptPath: `${podDir}/script`,
    logDir: `${workdir}/logs/${req.workflow.uid}/${req.podName}`,
    artifactsDir: `${workflowDir}/artifacts/${req.nodeId}`,
  };
}

/** Where one container runs: its mounts (sandboxed) and its working directory. */
export interface ContainerView {
  binds: BindMount[];
  /** Directories bwrap creates inside the sandbox (in its root, not on the host). */
  sandboxDirs?: string[];
  /** Working directory inside the sandbox (sandboxed) or on the host (unsandboxed). */
  cwd: string;
}

export interface PodLayout {
  dirs: PodDirs;
  /** Directories to create before the first container starts (the scratch directory among them, when used). */
  mkdirs: Set<string>;
  /** Sandbox root directory when the pod writes directly under `/`. */
  rootDir?: string;
  view(container: Container, role: 'main' | 'init' | 'sidecar'): ContainerView | { error: string };
  /** Host location of a path as the main container sees it; undefined when it is not kept. */
  hostPathOf(path: string): string | undefined;
}

export class LayoutError extends Error {}

function normalise(path: string, what: string): string {
  if (!path.startsWith('/')) throw new LayoutError(`${what} "${path}" must be an absolute path`);
  const p = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (p === '/') throw new LayoutError(`${what} "/" cannot be used`);
  return canonicalTop(p);
}

/** The first container named `main`, else the last one: where outputs are read from. */
export function mainContainer(req: PodRequest): Container {
  return req.containers.find((c) => (c.name ?? 'main') === 'main') ?? req.containers[req.containers.length - 1];
}

/** Sandboxed layout (bwrap): every path is mapped. */
export function sandboxLayout(workdir: string, req: PodRequest, scratch?: string): PodLayout {
  const dirs = podDirs(workdir, req, scratch);
  const mkdirs = new Set<string>([dirs.scratch]);
  const main = mainContainer(req);

  const volumeBinds = (c: Container, role: 'main' | 'init' | 'sidecar'): BindMount[] => {
    const mounts: VolumeMount[] = [...(c.volumeMounts ?? [])];
    if (role === 'main') mounts.push(...(req.extraVolumeMounts ?? []));
    if (role !== 'main' && c.mirrorVolumeMounts === true) mounts.push(...(main.volumeMounts ?? []), ...(req.extraVolumeMounts ?? []));
    return mounts.map((m) => {
      const volume = req.volumes.find((v) => v.name === m.name);
      if (!volume) throw new LayoutError(`container "${c.name ?? 'main'}": volume "${m.name}" is not defined`);
      let src: string;
      if (volume.source.hostPath) src = volume.source.hostPath.path;
      else if (volume.lifetime === 'workflow') {
        const claim = volume.source.persistentVolumeClaim?.claimName ?? volume.name;
        src = `${dirs.workflowDir}/volumes/${claim}`;
      } else src = `${dirs.podDir}/volumes/${volume.name}`;
      if (m.subPath) src = posix.join(src, posix.normalize(`/${m.subPath}`));
      mkdirs.add(src);
      const readOnly = m.readOnly === true || volume.source.persistentVolumeClaim?.readOnly === true;
      return { src, dest: normalise(m.mountPath, 'mountPath'), readOnly };
    });
  };

  const tmpBind: BindMount = { src: dirs.scratch, dest: '/tmp', readOnly: false };
  const mainBinds = dedupe([tmpBind, ...volumeBinds(main, 'main')]);

  // Paths the pod writes that must outlive it: outputs, and inputs we place before it starts.
  const writable = [
    ...req.outputParameterPaths.map((p) => normalise(p.path, `output parameter "${p.name}" path`)),
    ...req.outputArtifactPaths.map((a) => normalise(a.path, `output artifact "${a.name}" path`)),
    ...req.inputArtifacts.map((a) => normalise(a.path, `input artifact "${a.name}" path`)),
  ];
  const privateBinds: BindMount[] = [];
  let rootDir: string | undefined;
  const covered = (path: string): boolean =>
    [...mainBinds, ...privateBinds].some((b) => isUnder(path, b.dest));
  for (const path of writable.sort((a, b) => depth(a) - depth(b))) {
    if (covered(path)) continue;
    const parent = posix.dirname(path);
    if (parent === '/') {
      rootDir = `${dirs.podDir}/root`;
      continue;
    }
    const src = `${dirs.podDir}/fs${parent}`;
    mkdirs.add(src);
    privateBinds.push({ src, dest: parent, readOnly: false });
  }
  if (rootDir !== undefined) mkdirs.add(rootDir);

  const withPrivate = dedupe([...mainBinds, ...privateBinds]);
  const hostPathOf = (path: string): string | undefined => {
    const p = canonicalTop(posix.normalize(path));
    const best = coveringBind(p, withPrivate);
    if (best) return best.src + p.slice(best.dest.length);
    return rootDir === undefined ? undefined : rootDir + p;
  };

  const view = (c: Container, role: 'main' | 'init' | 'sidecar'): ContainerView | { error: string } => {
    try {
      const own = c === main ? mainBinds : dedupe([tmpBind, ...volumeBinds(c, role)]);
      const binds = dedupe([
        ...own,
        { src: ASSETS_DIR, dest: SANDBOX_ASSETS_DIR, readOnly: true },
        ...(req.scriptSource === undefined ? [] : [{ src: dirs.scriptPath, dest: SANDBOX_SCRIPT_PATH, readOnly: true }]),
        ...privateBinds,
      ]);
      const cwd = c.workingDir ? normalise(c.workingDir, 'workingDir') : SANDBOX_WORK_DIR;
      const inside = coveringBind(cwd, binds);
      if (inside) mkdirs.add(inside.src + cwd.slice(inside.dest.length));
      // The default working directory lives in the sandbox root: no host directory per pod.
      else if (!c.workingDir) return { binds, cwd, sandboxDirs: [cwd] };
      else if (rootDir !== undefined && posix.dirname(cwd) === '/') mkdirs.add(rootDir + cwd);
      else if (!isHostDir(cwd)) {
        // Kubernetes creates a missing workingDir: give the container a private, writable one.
        const src = `${dirs.podDir}/fs${cwd}`;
        mkdirs.add(src);
        binds.push({ src, dest: cwd, readOnly: false });
      }
      return { binds, cwd };
    } catch (error) {
      if (error instanceof LayoutError) return { error: error.message };
      throw error;
    }
  };

  return { dirs, mkdirs, rootDir, view, hostPathOf };
}

/** Unsandboxed layout: paths are the host's own; only the working directory is provided. */
export function hostLayout(workdir: string, req: PodRequest, scratch?: string): PodLayout {
  const dirs = podDirs(workdir, req, scratch);
  const mkdirs = new Set<string>();
  return {
    dirs,
    mkdirs,
    view: (c) => {
      const cwd = c.workingDir ?? dirs.scratch;
      mkdirs.add(cwd);
      return { binds: [], cwd };
    },
    // Never copy or read the whole host for an artifact at "/".
    hostPathOf: (path) => (posix.normalize(path) === '/' ? undefined : path),
  };
}

const depth = (path: string): number => path.split('/').length;

/** The innermost mount holding `path`. */
function coveringBind(path: string, binds: BindMount[]): BindMount | undefined {
  let best: BindMount | undefined;
  for (const b of binds) if (isUnder(path, b.dest) && (!best || b.dest.length > best.dest.length)) best = b;
  return best;
}

function isHostDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** One mount per destination; a later one (a volume at /tmp) replaces an earlier one. */
function dedupe(binds: BindMount[]): BindMount[] {
  const byDest = new Map<string, BindMount>();
  for (const b of binds) {
    byDest.delete(b.dest);
    byDest.set(b.dest, b);
  }
  return [...byDest.values()];
}
