/** `slipway run FILE` — lint, then run a workflow locally with in-memory state. */
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { chooseLauncher, LocalExecutor } from '@slipway/executors/local';
import {
  formatDiagnostic,
  instantiateWorkflow,
  InMemoryTemplateLibrary,
  lintDocuments,
  parseParameterFlags,
  SubmitError,
  type CronWorkflow,
  type ParsedDocument,
  type Workflow,
  type WorkflowTemplate,
} from '@slipway/workflow';
import { loadPaths } from '../load/index.js';
import { LocalRun } from '../run/local-host.js';
import { randomBytesSync, randomUuid } from '../run/random-ids.js';
import { createProgress } from '../render/progress.js';
import type { Io } from '../io.js';
import { EXIT } from '../exit.js';

export interface RunArgs {
  file: string;
  templates: string[];
  parameters: string[];
  output?: 'json' | 'yaml';
  workdir?: string;
  autoResume: boolean;
  /** `NODE.PARAM=VALUE`: supply a suspend node's output parameter (like `argo node set`). */
  supply?: string[];
  sandbox?: 'auto' | 'bwrap' | 'none';
  maxPods?: number;
  quiet?: boolean;
}

export { EXIT };

export async function runCommand(args: RunArgs, io: Io): Promise<number> {
  withoutMidTierJit();
  const spawner = process.env.SLIPWAY_SPAWNER ?? 'resident';
  if (spawner !== 'resident' && spawner !== 'node') {
    io.stderr(`slipway run: SLIPWAY_SPAWNER=${spawner}: must be resident or node\n`);
    return EXIT.error;
  }
  const warn = (m: string) => io.stderr(`warning: ${m}\n`);
  // The process spawner's helper starts before the files are read: it costs less to start while
  // this process is small (libuv forks all of it), and its start-up overlaps parsing and linting.
  // Idle, it neither keeps this process alive nor outlives it (e.g. when linting fails).
  const launcher = chooseLauncher(spawner, warn);
  launcher.prepare?.();
  // Read, lint and instantiate in a function of their own: once it returns, nothing holds the
  // parsed documents, their source positions or the diagnostics, so they die young instead of being
  // copied and promoted by the first collections of the run (≈ 10 ms of GC at the first steps).
  const prepared = loadRunnable(args, io);
  if (typeof prepared === 'number') return prepared;
  const { workflow, library } = prepared;
  let supply: Record<string, Record<string, string>>;
  try {
    supply = parseSupply(args.supply ?? []);
  } catch (err) {
    io.stderr(`slipway run: ${(err as Error).message}\n`);
    return EXIT.error;
  }
  const executor = new LocalExecutor({
    workdir: resolve(args.workdir ?? '.slipway'),
    sandbox: args.sandbox ?? 'auto',
    launcher,
    warn,
    removeFiles: 'process',
  });
  if (executor.spawnerKind === 'node') keepForksCheap();
  const progress = createProgress(io.stderrStream, args.quiet);
  const run = new LocalRun({
    workflow,
    library,
    executor,
    autoResume: args.autoResume,
    supply,
    maxPods: args.maxPods,
    // Quiet: no list of changed nodes is made after each reconcile.
    onUpdate: args.quiet ? undefined : (wf, changed) => progress.update(wf, changed),
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    io.stderr(interrupts === 1 ? '\nstopping (exit handlers still run; Ctrl-C again to terminate)\n' : '\nterminating\n');
    run.signal({ type: interrupts === 1 ? 'Stop' : 'Terminate' });
  };
  process.on('SIGINT', onSigint);
  let cleanup: Promise<unknown> | undefined;
  try {
    const final = await run.start();
    process.off('SIGINT', onSigint);
    // Removing the workflow's scratch files and stopping the spawner overlap with the output.
    cleanup = Promise.all([run.released, executor.close()]);
    progress.finish(final);
    if (!args.quiet) io.stderr(`logs: ${resolve(args.workdir ?? '.slipway', 'logs', final.metadata.uid ?? '')}\n`);
    if (args.output === 'json') io.stdout(`${JSON.stringify(final, null, 2)}\n`);
    else if (args.output === 'yaml') io.stdout((await import('yaml')).stringify(final));
    const phase = final.status?.phase;
    return phase === 'Succeeded' ? EXIT.succeeded : phase === 'Failed' ? EXIT.failed : EXIT.error;
  } finally {
    process.off('SIGINT', onSigint);
    await (cleanup ?? executor.close());
  }
}

/**
 * Only when steps start with Node's own spawn (no resident spawner): then every step starts with
 * a fork of this process, and a fork copies the page tables of all the
 * memory it has touched. Left alone, V8 grows the young generation to 16 MB semi-spaces during a
 * run (RSS ~140 MB instead of ~105 MB), which makes each step start ~0.5 ms slower — more than
 * the engine spends on the step. Growth factor 1 keeps the young generation at its initial size;
 * the extra scavenges cost less than that (measured with bench/: none on the reconciler).
 */
function keepForksCheap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** The workflow to run and the templates it may reference, or the exit status when there is none. */
function loadRunnable(args: RunArgs, io: Io): { workflow: Workflow; library: InMemoryTemplateLibrary } | number {
  const loaded = loadPaths([args.file, ...args.templates]);
  const diagnostics = [...loaded.diagnostics, ...lintDocuments(loaded.documents)];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of diagnostics.filter((d) => d.severity !== 'info')) io.stderr(`${formatDiagnostic(d)}\n`);
  if (errors.length > 0) {
    io.stderr(`${args.file}: not run: ${errors.length} lint error${errors.length === 1 ? '' : 's'}\n`);
    return EXIT.error;
  }
  const target = resolve(args.file);
  const mine = loaded.documents.filter((d) => resolve(d.file) === target);
  const source = pickRunnable(mine);
  if (!source) {
    io.stderr(`${args.file}: no Workflow (or WorkflowTemplate/CronWorkflow to submit) in this file\n`);
    return EXIT.error;
  }
  const library = new InMemoryTemplateLibrary(
    loaded.documents
      .filter((d) => d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate')
      .map((d) => d.object as unknown as WorkflowTemplate),
  );
  let workflow: Workflow;
  try {
    workflow = instantiateWorkflow(source.object as unknown as Workflow | WorkflowTemplate | CronWorkflow, {
      nameSuffix: randomSuffix(),
      uid: randomUuid(),
      now: Date.now(),
      parameters: parseParameterFlags(args.parameters),
    });
  } catch (err) {
    if (err instanceof SubmitError) {
      io.stderr(`${args.file}: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }
  return { workflow, library };
}

/**
 * A run is a short-lived process whose hot code runs a few thousand times: V8's mid-tier JIT
 * (Maglev) spends more compiling it, on background threads, than its code saves before the run
 * ends. Without it, a 1,000-step DAG run (bench/cli-vs-make.mjs) uses ≈ 20 % less CPU in Node,
 * ≈ 0.15 s, for the same wall time on its own, and with the steps' processes competing for the
 * same cores that CPU is theirs again. Code that stays hot still reaches TurboFan.
 */
function withoutMidTierJit(): void {
  setFlagsFromString('--no-maglev');
}

function pickRunnable(docs: ParsedDocument[]): ParsedDocument | undefined {
  return (
    docs.find((d) => d.kind === 'Workflow') ??
    docs.find((d) => (d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate') && hasEntrypoint(d)) ??
    docs.find((d) => d.kind === 'CronWorkflow')
  );
}

function hasEntrypoint(d: ParsedDocument): boolean {
  const spec = d.object.spec as { entrypoint?: string } | undefined;
  return typeof spec?.entrypoint === 'string';
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytesSync(5);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function parseSupply(flags: string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq > 0 ? flag.slice(0, eq) : '';
    const dot = key.lastIndexOf('.');
    if (eq <= 0 || dot <= 0 || dot === key.length - 1) throw new Error(`--set "${flag}" must be NODE.PARAMETER=VALUE`);
    const node = key.slice(0, dot);
    (out[node] ??= {})[key.slice(dot + 1)] = flag.slice(eq + 1);
  }
  return out;
}
