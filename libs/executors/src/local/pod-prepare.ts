/**
 * Turn a PodRequest into ready-to-spawn containers: argv (image shims, script path, bwrap
 * command line), environment and working directory. Pure apart from reading the host's
 * directory structure; problems come back as an `error` (the pod then ends in phase Error).
 */
import type { PodRequest } from '@slipway/engine';
import type { Container } from '@slipway/workflow';
import type { PreparedContainer } from './container-run.js';
import type { SecretStore } from './git-artifacts.js';
import { hostLayout, LayoutError, mainContainer, sandboxLayout, type PodLayout } from './pod-layout.js';
import { SAFE_NAME } from './safe-name.js';
import { bwrapArgs, type BindMount } from './sandbox-args.js';
import { ASSETS_DIR, containerArgv, SANDBOX_ASSETS_DIR, SANDBOX_SCRIPT_PATH } from './shims.js';
import type { Launcher } from './spawner/launcher.js';
import type { ScratchDirs } from './scratch-dirs.js';

export interface RunnerConfig {
  workdir: string;
  sandboxed: boolean;
  bwrapPath: string;
  killGraceMs: number;
  daemonReadyMs: number;
  warn: (message: string) => void;
  /** PATH (with the shim directory first), HOME, LANG: what every container starts from. */
  baseEnv: NodeJS.ProcessEnv;
  /** Secrets for git input artifacts: secret name → key → value. */
  secrets: SecretStore;
  /** Read-only binds (same path inside) for host tools the sandbox would not show, e.g. a checkout under /tmp. */
  toolBinds?: BindMount[];
  /** Starts container processes (spawner/README.md). */
  launcher: Launcher;
  /** Fresh per-pod directories, made ahead of need (absent: made when the pod starts). */
  scratchDirs?: ScratchDirs;
}

export interface PreparedPod {
  layout: PodLayout;
  init: PreparedContainer[];
  sidecars: PreparedContainer[];
  main: (PreparedContainer & { dependencies: string[] })[];
  /** The container whose stdout is the result and whose exit code is the pod's. */
  mainName: string;
}

/** The shim directory as containers see it. */
export function shimBinDir(sandboxed: boolean): string {
  return sandboxed ? `${SANDBOX_ASSETS_DIR}/bin` : `${ASSETS_DIR}/bin`;
}

/** `scratch`: the pod's fresh private directory, when one was made for it (ScratchDirs). */
export function prepareContainers(req: PodRequest, config: RunnerConfig, scratch?: string): PreparedPod | { error: string } {
  if (req.containers.length === 0) return { error: 'the pod has no containers' };
  let layout: PodLayout;
  try {
    layout = config.sandboxed ? sandboxLayout(config.workdir, req, scratch) : hostLayout(config.workdir, req, scratch);
  } catch (error) {
    if (error instanceof LayoutError) return { error: error.message };
    throw error;
  }
  const main = mainContainer(req);
  const names = new Set<string>();
  const prepare = (c: Container, role: 'main' | 'init' | 'sidecar'): PreparedContainer | { error: string } => {
    const name = c.name ?? 'main';
    if (!SAFE_NAME.test(name)) return { error: `container name "${name}" cannot be used as a file name` };
    if (names.has(name)) return { error: `two containers are named "${name}"` };
    names.add(name);
    const script = c === main && req.scriptSource !== undefined;
    const resolved = containerArgv(c, script ? (config.sandboxed ? SANDBOX_SCRIPT_PATH : layout.dirs.scriptPath) : undefined);
    if ('error' in resolved) return resolved;
    const view = layout.view(c, role);
    if ('error' in view) return view;
    const { env, notices } = containerEnv(c, req, config.baseEnv);
    let argv = resolved.argv;
    if (config.sandboxed) {
      argv = [
        config.bwrapPath,
        ...bwrapArgs({
          binds: [
            ...view.binds,
            ...(layout.rootDir === undefined ? [] : [{ src: `${ASSETS_DIR}/argosay`, dest: '/argosay', readOnly: true }]),
            ...(config.toolBinds ?? []),
          ],
          dirs: view.sandboxDirs,
          symlinks: layout.rootDir === undefined ? [[`${SANDBOX_ASSETS_DIR}/argosay`, '/argosay']] : [],
          hide: [config.workdir],
          rootDir: layout.rootDir,
          cwd: view.cwd,
          argv,
        }),
      ];
      return { name, argv, env, notices };
    }
    if (argv[0] === '/argosay') argv = [`${ASSETS_DIR}/argosay`, ...argv.slice(1)];
    if (c.volumeMounts?.length) notices.push(`slipway: running unsandboxed: volume mounts of container "${name}" are not provided`);
    return { name, argv, env, cwd: view.cwd, notices };
  };

  const init: PreparedContainer[] = [];
  for (const c of req.initContainers) {
    const prepared = prepare(c, 'init');
    if ('error' in prepared) return prepared;
    init.push(prepared);
  }
  const sidecars: PreparedContainer[] = [];
  for (const c of req.sidecars) {
    const prepared = prepare(c, 'sidecar');
    if ('error' in prepared) return prepared;
    sidecars.push(prepared);
  }
  const mains: PreparedPod['main'] = [];
  for (const c of req.containers) {
    const prepared = prepare(c, 'main');
    if ('error' in prepared) return prepared;
    mains.push({ ...prepared, dependencies: c.dependencies ?? [] });
  }
  const problem = dependencyProblem(mains);
  if (problem) return { error: problem };
  return { layout, init, sidecars, main: mains, mainName: main.name ?? 'main' };
}

function containerEnv(
  c: Container,
  req: PodRequest,
  baseEnv: NodeJS.ProcessEnv,
): { env: NodeJS.ProcessEnv; notices: string[] } {
  const notices: string[] = [];
  // Nothing to add: the shared base environment itself (never changed), so the spawner client
  // can encode it once (encodeRequest caches per environment object).
  if ((c.env === undefined || c.env.length === 0) && isEmpty(req.env)) return { env: baseEnv, notices };
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...req.env };
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom !== undefined) {
      notices.push(`slipway: env ${variable.name}: valueFrom is not supported by the local executor; variable not set`);
    } else env[variable.name] = '';
  }
  return { env, notices };
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const _ in record) return false;
  return true;
}

/** Unknown dependencies or a cycle among containerSet containers. */
function dependencyProblem(mains: { name: string; dependencies: string[] }[]): string | undefined {
  if (mains.length === 1 && mains[0].dependencies.length === 0) return undefined;
  const byName = new Map(mains.map((m) => [m.name, m]));
  for (const m of mains) {
    const unknown = m.dependencies.find((d) => !byName.has(d));
    if (unknown !== undefined) return `container "${m.name}" depends on unknown container "${unknown}"`;
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): boolean => {
    if (state.get(name) === 'done') return false;
    if (state.get(name) === 'visiting') return true;
    state.set(name, 'visiting');
    const cyclic = byName.get(name)!.dependencies.some(visit);
    state.set(name, 'done');
    return cyclic;
  };
  const cyclic = mains.find((m) => visit(m.name));
  return cyclic ? `containerSet dependencies form a cycle (through "${cyclic.name}")` : undefined;
}
