/**
 * The exact per-node process the LocalExecutor starts for the benchmark DAG, obtained from the
 * executor itself: the engine builds each PodRequest (via `simulate`), the executor's own
 * `prepareContainers` turns it into argv (plain `true`, or `bwrap … -- true`) and the directories
 * it creates before spawning. Used to write a Makefile whose recipes start the same processes.
 */
import { simulate } from '@slipway/engine';
import { InMemoryTemplateLibrary, instantiateWorkflow } from '@slipway/workflow';
import { prepareContainers, shimBinDir } from '../../libs/executors/dist/local/pod-prepare.js';
import { dagWorkflow, taskName } from './dag.mjs';

/** `{ task → { argv, mkdirs, env } }` for workflow uid `uid` with executor workdir `workdir`. */
export function podCommands(deps, { workdir, uid, sandboxed, bwrapPath = 'bwrap' }) {
  const workflow = instantiateWorkflow(dagWorkflow(deps), { nameSuffix: 'bench', uid, now: Date.parse('2026-01-01T00:00:00Z') });
  const { pods } = simulate(workflow, new InMemoryTemplateLibrary(), () => ({ durationMs: 1 }), { eventAtATime: false });
  const baseEnv = { PATH: `${shimBinDir(sandboxed)}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`, HOME: process.env.HOME ?? '/root' };
  const config = { workdir, sandboxed, bwrapPath, killGraceMs: 2000, daemonReadyMs: 100, warn: () => {}, baseEnv };
  const out = new Map();
  for (const pod of pods) {
    const prepared = prepareContainers(pod, config);
    if ('error' in prepared) throw new Error(`${pod.nodeName}: ${prepared.error}`);
    const [main] = prepared.main;
    out.set(pod.nodeName.slice(pod.nodeName.lastIndexOf('.') + 1), { argv: main.argv, mkdirs: [...prepared.layout.mkdirs], env: main.env });
  }
  for (let i = 0; i < deps.length; i++) if (!out.has(taskName(i))) throw new Error(`no pod for ${taskName(i)}`);
  return out;
}

/** Quote for /bin/sh only where needed (plain paths and flags stay bare, so make execs directly). */
export function shellWord(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
