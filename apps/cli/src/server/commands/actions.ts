/**
 * Workflow operations, as `argo` has them: retry, resubmit (print the workflow; `--wait`/`--watch`
 * follow it), stop, terminate, suspend, resume (one line each), and set (`argo node set`).
 */
import { CliError } from '../api-client.js';
import { connect, outputFormat, parseVerb, type VerbContext } from '../verb.js';
import { printSubmitted, waitOrWatch, type FollowMode } from './follow-output.js';

const FOLLOW_OPTIONS = {
  wait: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
} as const;

function followMode(values: { wait: boolean; watch: boolean }): FollowMode {
  if (values.wait && values.watch) throw new CliError('--watch and --wait cannot be used together');
  return values.watch ? 'watch' : values.wait ? 'wait' : 'none';
}

/** `slipway retry NAME [--restart-successful --node-field-selector S] [-p NAME=VALUE]... [--wait|--watch] [-o …]` */
export async function retryVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    {
      ...FOLLOW_OPTIONS,
      'restart-successful': { type: 'boolean', default: false },
      'node-field-selector': { type: 'string' },
      parameter: { type: 'string', short: 'p', multiple: true, default: [] },
    },
    { min: 1, max: 1, usage: 'NAME [--restart-successful --node-field-selector S] [-p NAME=VALUE]... [--wait|--watch] [-o json|yaml|name]' },
  );
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  const mode = followMode(values);
  if (values['restart-successful'] && !values['node-field-selector']) {
    throw new CliError('--restart-successful needs --node-field-selector (the succeeded nodes to run again)');
  }
  checkParameters(values.parameter);
  const body: Record<string, unknown> = {};
  if (values['restart-successful']) body.restartSuccessful = true;
  if (values['node-field-selector']) body.nodeFieldSelector = values['node-field-selector'];
  if (values.parameter.length > 0) body.parameters = values.parameter;
  const api = connect(ctx, values);
  const wf = await api.workflowAction(positionals[0], 'retry', body);
  printSubmitted(ctx, wf, output, mode);
  return waitOrWatch(api, ctx, [wf], output, mode);
}

/** `slipway resubmit NAME [-p NAME=VALUE]... [--wait|--watch] [-o …]`: a new workflow with the same spec. */
export async function resubmitVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    { ...FOLLOW_OPTIONS, parameter: { type: 'string', short: 'p', multiple: true, default: [] } },
    { min: 1, max: 1, usage: 'NAME [-p NAME=VALUE]... [--wait|--watch] [-o json|yaml|name]' },
  );
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  const mode = followMode(values);
  checkParameters(values.parameter);
  const api = connect(ctx, values);
  const wf = await api.workflowAction(positionals[0], 'resubmit', values.parameter.length > 0 ? { parameters: values.parameter } : {});
  printSubmitted(ctx, wf, output, mode);
  return waitOrWatch(api, ctx, [wf], output, mode);
}

/** `slipway stop NAME... [--node-field-selector S] [--message M]` */
export async function stopVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    { 'node-field-selector': { type: 'string' }, message: { type: 'string' } },
    { min: 1, max: Infinity, usage: 'NAME... [--node-field-selector S] [--message M]' },
  );
  const body: Record<string, unknown> = {};
  if (values['node-field-selector']) body.nodeFieldSelector = values['node-field-selector'];
  if (values.message) body.message = values.message;
  const api = connect(ctx, values);
  for (const name of positionals) {
    await api.workflowAction(name, 'stop', body);
    ctx.io.stdout(`workflow ${name} stopped\n`);
  }
  return 0;
}

/** `slipway terminate NAME...` / `slipway suspend NAME...` */
export function simpleAction(action: 'terminate' | 'suspend', done: string) {
  return async (argv: string[], ctx: VerbContext): Promise<number> => {
    const { values, positionals } = parseVerb(ctx, argv, {}, { min: 1, max: Infinity, usage: 'NAME...' });
    const api = connect(ctx, values);
    for (const name of positionals) {
      await api.workflowAction(name, action, {});
      ctx.io.stdout(`workflow ${name} ${done}\n`);
    }
    return 0;
  };
}

/** `slipway resume NAME... [--node-field-selector S]` */
export async function resumeVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    { 'node-field-selector': { type: 'string' } },
    { min: 1, max: Infinity, usage: 'NAME... [--node-field-selector S]' },
  );
  const body = values['node-field-selector'] ? { nodeFieldSelector: values['node-field-selector'] } : {};
  const api = connect(ctx, values);
  for (const name of positionals) {
    await api.workflowAction(name, 'resume', body);
    ctx.io.stdout(`workflow ${name} resumed\n`);
  }
  return 0;
}

/** `slipway set NAME --node-field-selector S [--output-parameter NAME=VALUE]... [--phase P] [--message M]` */
export async function setVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    {
      'node-field-selector': { type: 'string' },
      'output-parameter': { type: 'string', multiple: true, default: [] },
      phase: { type: 'string' },
      message: { type: 'string' },
    },
    { min: 1, max: 1, usage: 'NAME --node-field-selector S [--output-parameter NAME=VALUE]... [--phase Succeeded|Failed] [--message M]' },
  );
  const selector = values['node-field-selector'];
  if (!selector) throw new CliError('--node-field-selector is required (e.g. displayName=approve)');
  const params = values['output-parameter'];
  if (params.length === 0 && !values.phase && !values.message) {
    throw new CliError('give at least one of --output-parameter, --phase, --message');
  }
  checkParameters(params, '--output-parameter');
  const body: Record<string, unknown> = { nodeFieldSelector: selector };
  if (params.length > 0) {
    body.outputParameters = JSON.stringify(Object.fromEntries(params.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])));
  }
  if (values.phase) body.phase = values.phase;
  if (values.message) body.message = values.message;
  await connect(ctx, values).workflowAction(positionals[0], 'set', body);
  ctx.io.stdout('workflow values set\n');
  return 0;
}

function checkParameters(flags: string[], flag = '-p'): void {
  for (const p of flags) if (p.indexOf('=') <= 0) throw new CliError(`${flag} "${p}" must be NAME=VALUE`);
}
