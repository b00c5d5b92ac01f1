/**
 * Runs one of Argo's examples through the real `slipway run` code path, in-process: the CLI's
 * argument parsing, lint, instantiation, the engine, the local host and the LocalExecutor (bwrap
 * sandbox). Returns the final Workflow printed by `-o json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { main } from '../../apps/cli/src/main.js';
import type { Io } from '../../apps/cli/src/io.js';
import { EXTRA_ARGS, type CatalogueRow } from './catalogue.js';

export interface ExampleRun {
  file: string;
  /** The --workdir it ran in (logs under logs/UID/POD/). */
  workdir: string;
  exitCode: number;
  workflow?: Workflow;
  /** Lint diagnostics, warnings and internal errors written to stderr. */
  stderr: string;
  seconds: number;
}

/** The `slipway run` arguments for one catalogue row (companions as --templates, plus EXTRA_ARGS). */
export function runArgs(root: string, row: CatalogueRow, workdir: string): string[] {
  return [
    'run',
    join(root, row.file),
    '-o',
    'json',
    '-q',
    '--workdir',
    workdir,
    ...row.companions.flatMap((c) => ['--templates', join(root, c)]),
    ...(EXTRA_ARGS[row.file] ?? []),
  ];
}

export async function runExample(root: string, row: CatalogueRow, workdir: string): Promise<ExampleRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrStream: process.stderr,
  };
  const started = performance.now();
  let exitCode: number;
  try {
    exitCode = await main(runArgs(root, row, workdir), io);
  } catch (err) {
    stderr += `internal error: ${(err as Error).stack ?? String(err)}\n`;
    exitCode = -1;
  }
  const seconds = (performance.now() - started) / 1000;
  let workflow: Workflow | undefined;
  try {
    workflow = stdout ? (JSON.parse(stdout) as Workflow) : undefined;
  } catch {
    stderr += `stdout is not JSON: ${stdout.slice(0, 200)}\n`;
  }
  return { file: row.file, workdir, exitCode, workflow, stderr, seconds };
}

/** Runs tasks at most `limit` at a time, in the order they were submitted. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** A scratch directory for volumes, artifacts and logs; `dispose` removes it. */
export function scratchDir(prefix: string): { path: string; dispose: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Nodes keyed by name with the workflow-name prefix replaced by `W`, as argo-semantics.md writes them. */
export function nodesByName(wf: Workflow): Map<string, NodeStatus> {
  const name = wf.metadata.name ?? '';
  const out = new Map<string, NodeStatus>();
  for (const node of Object.values(wf.status?.nodes ?? {})) {
    out.set(node.name === name ? 'W' : node.name.startsWith(name) ? `W${node.name.slice(name.length)}` : node.name, node);
  }
  return out;
}
