/**
 * The 25 widest-coverage examples of argo-semantics.md, run for real through `slipway run`, with
 * the node graph Argo v4.1.2 produces: names, ids, types, phases, messages, display names,
 * boundaries, children, outputs, logs and the workflow's phase and message. Random examples
 * (coinflip, retry-conditional) are checked by their invariants. Wording comes from Argo's
 * controller (steps.go, dag.go, operator.go inferFailedReason/processNodeRetries/checkParallelism)
 * and its tests (examples_skipped_defaults_test.go, test/e2e cli_test.go "main: Error (exit code 1)").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findArgoExamples, readCatalogue, type CatalogueRow } from './catalogue.js';
import { createLimiter, runExample, scratchDir, type ExampleRun } from './harness.js';
import { Observed } from './observed.js';
import { EXAMPLES } from './rich-examples.cases.js';

const root = findArgoExamples();
const catalogue = new Map(readCatalogue(root).map((r) => [r.file, r]));

const SLOW: Record<string, number> = {
  'examples/dag-disable-failFast.yaml': 31,
  'examples/suspend-template.yaml': 20,
  'examples/step-level-timeout.yaml': 11,
};

const runs = new Map<string, Promise<ExampleRun>>();
let scratch: ReturnType<typeof scratchDir> | undefined;

function row(file: string): CatalogueRow {
  const r = catalogue.get(file);
  if (!r) throw new Error(`${file} is not in CATALOGUE.tsv`);
  return r;
}

describe('the richest Argo examples produce the node graph Argo produces', () => {
  beforeAll(() => {
    scratch = scratchDir('slipway-rich-');
    const limit = createLimiter(Number(process.env.SLIPWAY_CONFORMANCE_CONCURRENCY ?? 8));
    const order = [...EXAMPLES].sort((a, b) => (SLOW[b.file] ?? 0) - (SLOW[a.file] ?? 0));
    for (const ex of order) runs.set(ex.file, limit(() => runExample(root, row(ex.file), scratch!.path)));
  });

  afterAll(async () => {
    await Promise.allSettled(runs.values());
    scratch?.dispose();
  });

  for (const ex of EXAMPLES) {
    it(
      ex.file,
      async () => {
        const run = await runs.get(ex.file)!;
        const observed = new Observed(run);
        expect(observed.phase, `${ex.file}: ${observed.message ?? ''}\n${run.stderr}`).toBe(row(ex.file).expected);
        ex.check(observed);
      },
      5 * 60_000,
    );
  }
});
