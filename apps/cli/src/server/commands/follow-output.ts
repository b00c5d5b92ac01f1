/**
 * Following workflows on the terminal: `--wait` (a line when each finishes), `--watch` and
 * `slipway watch NAME` (the live node tree of `slipway run` on stderr). Exit by final phase.
 */
import type { Workflow } from '@slipway/workflow';
import { createProgress } from '../../render/progress.js';
import { followWorkflow } from '../follow.js';
import { printObject } from '../render/output.js';
import { renderWorkflowGet } from '../render/workflow-get.js';
import type { SlipwayApi } from '../slipway-api.js';
import { connect, exitForPhase, outputFormat, parseVerb, type VerbContext } from '../verb.js';

export type FollowMode = 'none' | 'wait' | 'watch';
export type WorkflowOutput = 'json' | 'yaml' | 'name' | undefined;

/** What is printed right after a workflow is created (submit, resubmit, retry). */
export function printSubmitted(ctx: VerbContext, wf: Workflow, output: WorkflowOutput, mode: FollowMode): void {
  if (output === 'name') ctx.io.stdout(`${wf.metadata.name}\n`);
  else if (mode === 'none' && output) printObject(ctx.io, wf, output);
  else if (mode !== 'watch' && !output) ctx.io.stdout(renderWorkflowGet(wf, ctx.now()));
}

/** Follow each workflow to its end (unless mode is none); the worst exit status wins. */
export async function waitOrWatch(api: SlipwayApi, ctx: VerbContext, workflows: Workflow[], output: WorkflowOutput, mode: FollowMode): Promise<number> {
  if (mode === 'none') return 0;
  let code = 0;
  for (const wf of workflows) {
    const final = await follow(api.in(wf.metadata.namespace || api.namespace), ctx, wf, mode === 'watch');
    if (mode === 'wait' && !output) ctx.io.stdout(`${final.metadata.name} ${final.status?.phase ?? 'Unknown'} at ${final.status?.finishedAt ?? ''}\n`);
    if (output === 'json' || output === 'yaml') printObject(ctx.io, final, output);
    code = Math.max(code, exitForPhase(final));
  }
  return code;
}

async function follow(api: SlipwayApi, ctx: VerbContext, wf: Workflow, live: boolean): Promise<Workflow> {
  const progress = live ? createProgress(ctx.io.stderrStream) : undefined;
  const final = await followWorkflow(api, wf, { pollMs: ctx.pollMs, onUpdate: (w, changed) => progress?.update(w, changed) });
  progress?.finish(final);
  return final;
}

/** `slipway watch NAME [-o json|yaml]`: the live tree until the workflow finishes; exit by its phase. */
export async function watchVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 1, max: 1, usage: 'NAME [-o json|yaml]' });
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const api = connect(ctx, values);
  const final = await follow(api, ctx, await api.getWorkflow(positionals[0]), true);
  if (output) printObject(ctx.io, final, output);
  return exitForPhase(final);
}
