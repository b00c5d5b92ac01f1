/**
 * `slipway submit FILE | --from KIND/NAME [-p N=V]... [--watch|--wait] [-o json|yaml|name]`:
 * lint FILE locally (server templates resolved), create its Workflows through the API, optionally
 * follow them. Exit like `slipway run`: 0 Succeeded (or submitted), 1 Failed, 2 Error or not submitted.
 */
import { resolve } from 'node:path';
import { formatDiagnostic, type Parameter, type Workflow } from '@slipway/workflow';
import { CliError, EXIT_USAGE } from '../api-client.js';
import { lintFile } from '../lint-file.js';
import type { SlipwayApi, SubmitKind } from '../slipway-api.js';
import { connect, outputFormat, parseVerb, type VerbContext } from '../verb.js';
import { printSubmitted, waitOrWatch, type FollowMode } from './follow-output.js';

const FROM_KINDS: Record<string, SubmitKind> = {
  workflowtemplate: 'WorkflowTemplate',
  workflowtemplates: 'WorkflowTemplate',
  wftmpl: 'WorkflowTemplate',
  clusterworkflowtemplate: 'ClusterWorkflowTemplate',
  clusterworkflowtemplates: 'ClusterWorkflowTemplate',
  cwftmpl: 'ClusterWorkflowTemplate',
  cronworkflow: 'CronWorkflow',
  cronworkflows: 'CronWorkflow',
  cronwf: 'CronWorkflow',
  cwf: 'CronWorkflow',
};

export async function submitVerb(argv: string[], ctx: VerbContext): Promise<number> {
  try {
    return await submit(argv, ctx);
  } catch (err) {
    // Whatever kept the workflow from running (or being followed) is an Error, as in `slipway run`.
    if (err instanceof CliError) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
}

async function submit(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    {
      from: { type: 'string' },
      parameter: { type: 'string', short: 'p', multiple: true, default: [] },
      watch: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o' },
    },
    { min: 0, max: 1, usage: 'FILE | --from KIND/NAME [-p NAME=VALUE]... [--watch|--wait] [-o json|yaml|name]' },
  );
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  if (values.watch && values.wait) throw new CliError('--watch and --wait cannot be used together');
  const mode: FollowMode = values.watch ? 'watch' : values.wait ? 'wait' : 'none';
  const parameters = values.parameter;
  for (const p of parameters) if (p.indexOf('=') <= 0) throw new CliError(`-p "${p}" must be NAME=VALUE`);
  if ((positionals.length === 0) === (values.from === undefined)) {
    throw new CliError('give a workflow FILE or --from KIND/NAME (not both)\nusage: slipway submit FILE | --from KIND/NAME');
  }
  const api = connect(ctx, values);

  let created: Workflow[];
  if (values.from !== undefined) {
    const [kind, name] = parseFrom(values.from);
    created = [await api.submitFrom(kind, name, parameters)];
  } else {
    const workflows = await workflowsFromFile(positionals[0], api, ctx, values.namespace !== undefined);
    if (workflows === undefined) return EXIT_USAGE;
    if (mode === 'watch' && workflows.length > 1) throw new CliError(`--watch follows one workflow; ${positionals[0]} has ${workflows.length}`);
    created = [];
    for (const wf of workflows) created.push(await api.in(wf.metadata.namespace || api.namespace).createWorkflow(withParameters(wf, parameters)));
  }
  for (const wf of created) printSubmitted(ctx, wf, output, mode);
  return waitOrWatch(api, ctx, created, output, mode);
}

function parseFrom(from: string): [SubmitKind, string] {
  const slash = from.indexOf('/');
  const kind = FROM_KINDS[from.slice(0, slash).toLowerCase()];
  const name = from.slice(slash + 1);
  if (slash <= 0 || !kind || !name) {
    throw new CliError(`--from "${from}" must be workflowtemplate/NAME, clusterworkflowtemplate/NAME or cronworkflow/NAME`);
  }
  return [kind, name];
}

/** The file's Workflows, linted; undefined (after printing why) when lint found errors. */
async function workflowsFromFile(file: string, api: SlipwayApi, ctx: VerbContext, namespaceGiven: boolean): Promise<Workflow[] | undefined> {
  const linted = await lintFile(file, api);
  for (const d of linted.diagnostics) ctx.io.stderr(`${formatDiagnostic(d)}\n`);
  if (linted.errors > 0) {
    ctx.io.stderr(`${file}: not submitted: ${linted.errors} lint error${linted.errors === 1 ? '' : 's'}\n`);
    return undefined;
  }
  const target = resolve(file);
  const docs = linted.documents.filter((d) => resolve(d.file) === target && d.kind === 'Workflow');
  if (docs.length === 0) {
    const other = linted.documents.find((d) => d.kind !== 'Workflow');
    const hint = other
      ? ` (it has a ${other.kind}: create it with \`slipway ${other.kind === 'CronWorkflow' ? 'cron' : 'template'} create\`${other.kind === 'CronWorkflow' ? '' : ', then `slipway submit --from workflowtemplate/NAME`'})`
      : '';
    throw new CliError(`${file}: no Workflow to submit${hint}`);
  }
  return docs.map((d) => {
    const wf = structuredClone(d.object) as unknown as Workflow;
    const ns = wf.metadata?.namespace;
    if (ns && namespaceGiven && ns !== api.namespace) {
      throw new CliError(`${file}: metadata.namespace "${ns}" does not match --namespace "${api.namespace}"`);
    }
    return wf;
  });
}

/** `-p NAME=VALUE` into `spec.arguments.parameters`: declared ones get the value, others are added. */
export function withParameters(wf: Workflow, flags: string[]): Workflow {
  if (flags.length === 0) return wf;
  const spec = wf.spec;
  spec.arguments ??= {};
  const params: Parameter[] = [...(spec.arguments.parameters ?? [])];
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = flag.slice(0, eq);
    const value = flag.slice(eq + 1);
    const i = params.findIndex((p) => p.name === name);
    if (i >= 0) params[i] = { ...params[i], value };
    else params.push({ name, value });
  }
  spec.arguments.parameters = params;
  return wf;
}
