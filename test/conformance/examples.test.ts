/**
 * Conformance: every shell-runnable Argo example with a known outcome (CATALOGUE.tsv) runs through
 * the real `slipway run` code path and must end in the phase Argo gives it. One test per example;
 * the runs share a pool of CONCURRENCY slots, the longest examples first, so the file takes about
 * as long as its longest example (forever.yaml, ~17 min). SLIPWAY_CONFORMANCE_FILTER (a regular
 * expression on the file path) runs a subset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findArgoExamples, runnableRows, type CatalogueRow } from './catalogue.js';
import { createLimiter, runExample, scratchDir, type ExampleRun } from './harness.js';

const CONCURRENCY = Number(process.env.SLIPWAY_CONFORMANCE_CONCURRENCY ?? 10);
const FILE_TIMEOUT_MS = 25 * 60_000;

/** Examples that take long (mostly sleeps); started first. Rough seconds, longest first. */
const LONG_RUNNING: Record<string, number> = {
  'examples/forever.yaml': 1010,
  'examples/colored-logs.yaml': 100,
  'examples/synchronization-mutex-tmpl-level.yaml': 50,
  'examples/dag-disable-failFast.yaml': 31,
  'examples/loops-param-result.yaml': 31,
  'examples/parallelism-nested-workflow.yaml': 30,
  'examples/suspend-template.yaml': 20,
  'examples/dag-task-level-timeout.yaml': 16,
  'examples/default-pdb-support.yaml': 11,
  'examples/cron-when.yaml': 11,
  'examples/step-level-timeout.yaml': 11,
  'examples/timeouts-step.yaml': 11,
  'examples/parallelism-limit.yaml': 10,
  'examples/parallelism-nested-dag.yaml': 10,
  'examples/parallelism-template-limit.yaml': 10,
  'examples/parallelism-nested.yaml': 10,
};

const root = findArgoExamples();
const rows = runnableRows(root);
const filter = process.env.SLIPWAY_CONFORMANCE_FILTER;
const selected = filter ? rows.filter((r) => new RegExp(filter).test(r.file)) : rows;

const runs = new Map<string, Promise<ExampleRun>>();
const outcomes = new Map<string, boolean>();
let scratch: ReturnType<typeof scratchDir> | undefined;

/**
 * Runs the example; one whose outcome is random by design (the catalogue says "probabilistic", in either case, e.g.
 * retry-with-steps succeeds ~96% of the time in Argo too) gets two more tries before it counts.
 */
async function runPatiently(row: CatalogueRow, workdir: string): Promise<ExampleRun> {
  const tries = /probabilistic/i.test(row.notes) ? 3 : 1;
  let run = await runExample(root, row, workdir);
  for (let i = 1; i < tries && run.workflow?.status?.phase !== row.expected; i++) run = await runExample(root, row, workdir);
  return run;
}

function describeFailure(row: CatalogueRow, run: ExampleRun): string {
  const phase = run.workflow?.status?.phase ?? `no workflow (exit ${run.exitCode})`;
  const message = run.workflow?.status?.message ? `: ${run.workflow.status.message}` : '';
  const stderr = run.stderr.trim() ? `\n${run.stderr.trim().split('\n').slice(-8).join('\n')}` : '';
  return `${row.file}: expected ${row.expected}, got ${phase}${message}${stderr}`;
}

describe('Argo examples end in the phase Argo gives them', () => {
  beforeAll(() => {
    scratch = scratchDir('slipway-conformance-');
    const limit = createLimiter(CONCURRENCY);
    const order = [...selected].sort((a, b) => (LONG_RUNNING[b.file] ?? 0) - (LONG_RUNNING[a.file] ?? 0));
    for (const row of order) runs.set(row.file, limit(() => runPatiently(row, scratch!.path)));
  });

  afterAll(async () => {
    await Promise.allSettled(runs.values());
    scratch?.dispose();
    const passed = [...outcomes.values()].filter(Boolean).length;
    console.log(`conformance: ${passed}/${selected.length} examples end with Argo's phase`);
  });

  it('has runnable examples to check', () => {
    expect(selected.length).toBeGreaterThan(filter ? 0 : 100);
  });

  for (const row of selected) {
    it(
      `${row.file} → ${row.expected}`,
      async () => {
        const run = await runs.get(row.file)!;
        const ok = run.workflow?.status?.phase === row.expected;
        outcomes.set(row.file, ok);
        expect(ok, describeFailure(row, run)).toBe(true);
      },
      FILE_TIMEOUT_MS,
    );
  }
});
