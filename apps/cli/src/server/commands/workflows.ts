/** `slipway list`, `get`, `logs` and `delete`: reading (and removing) workflows on the server. */
import type { Workflow } from '@slipway/workflow';
import { CliError, EXIT_SERVER_ERROR } from '../api-client.js';
import { printObject } from '../render/output.js';
import { shortDuration } from '../render/humanize.js';
import { formatTable } from '../render/table.js';
import { podNameOf, renderWorkflowGet, workflowStatus } from '../render/workflow-get.js';
import type { SlipwayApi } from '../slipway-api.js';
import { connect, outputFormat, parseVerb, type VerbContext } from '../verb.js';

const PHASE_LABEL = 'workflows.argoproj.io/phase';
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Error'];

/** `slipway list [-l SELECTOR] [--phase P]... [--limit N] [-o json|yaml|wide|name]`, newest first. */
export async function listVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values } = parseVerb(
    ctx,
    argv,
    {
      selector: { type: 'string', short: 'l' },
      phase: { type: 'string', multiple: true, default: [] },
      limit: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    { min: 0, max: 0, usage: '[-l SELECTOR] [--phase PHASE]... [--limit N] [-o json|yaml|wide|name]' },
  );
  const output = outputFormat(values.output, ['json', 'yaml', 'wide', 'name'] as const);
  const phases = values.phase.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  for (const p of phases) if (!PHASES.includes(p)) throw new CliError(`--phase "${p}" must be one of ${PHASES.join(', ')}`);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number ≥ 1, not "${values.limit}"`);
  }
  const selector = [values.selector, phases.length > 0 ? `${PHASE_LABEL} in (${phases.join(',')})` : undefined].filter(Boolean).join(',');
  const api = connect(ctx, values);
  const items = await listAll(api, selector || undefined, limit);
  if (output === 'json' || output === 'yaml') printObject(ctx.io, items, output);
  else if (output === 'name') ctx.io.stdout(items.map((w) => `${w.metadata.name}\n`).join(''));
  else if (items.length === 0) ctx.io.stdout('No workflows found\n');
  else ctx.io.stdout(workflowTable(items, ctx.now(), output === 'wide'));
  return 0;
}

/** Every page (following `metadata.continue`), or only the first `limit` workflows. */
async function listAll(api: SlipwayApi, labelSelector: string | undefined, limit: number | undefined): Promise<Workflow[]> {
  const items: Workflow[] = [];
  const tokens = new Set<string>();
  let next: string | undefined;
  do {
    const page = await api.listWorkflows({ labelSelector, limit, continue: next });
    items.push(...(page.items ?? []));
    next = page.metadata?.continue || undefined;
    if (next && tokens.has(next)) throw new CliError(`the server repeated the continue token "${next}"`, EXIT_SERVER_ERROR);
    if (next) tokens.add(next);
  } while (next && limit === undefined);
  return items;
}

/**
 * `argo list`'s table without PRIORITY: NAME STATUS AGE DURATION MESSAGE; `wide` adds PARAMETERS
 * (not Argo's pod counts: list items come without their nodes).
 */
export function workflowTable(items: Workflow[], now: number, wide: boolean): string {
  const head = ['NAME', 'STATUS', 'AGE', 'DURATION', 'MESSAGE'];
  const rows = [wide ? [...head, 'PARAMETERS'] : head];
  for (const wf of items) {
    const s = wf.status ?? {};
    const row = [
      wf.metadata.name ?? '',
      workflowStatus(wf),
      shortDuration(wf.metadata.creationTimestamp, undefined, now),
      s.startedAt ? shortDuration(s.startedAt, s.finishedAt, now) : '0s',
      s.message ?? '',
    ];
    if (wide) row.push(parameterString(wf));
    rows.push(row);
  }
  return formatTable(rows, 3);
}

function parameterString(wf: Workflow): string {
  const cut = (s: string) => (s.length > 50 ? `${s.slice(0, 32)}...${s.slice(-15)}` : s);
  return (wf.spec?.arguments?.parameters ?? [])
    .filter((p) => p.value !== undefined)
    .map((p) => `${p.name}=${cut(String(p.value))}`)
    .join(',');
}

/** `slipway get NAME [-o json|yaml]`: summary and node tree like `argo get`. */
export async function getVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 1, max: 1, usage: 'NAME [-o json|yaml]' });
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const wf = await connect(ctx, values).getWorkflow(positionals[0]);
  if (output) printObject(ctx.io, wf, output);
  else ctx.io.stdout(renderWorkflowGet(wf, ctx.now()));
  return 0;
}

/** `slipway delete NAME...` */
export async function deleteVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, {}, { min: 1, max: Infinity, usage: 'NAME...' });
  const api = connect(ctx, values);
  for (const name of positionals) {
    await api.deleteWorkflow(name);
    ctx.io.stdout(`Workflow '${name}' deleted\n`);
  }
  return 0;
}

/**
 * `slipway logs NAME [POD] [-f] [-c CONTAINER] [--grep TEXT]`: `podName: line` like `argo logs`.
 * POD may also be a step's node name or display name; it is turned into the pod's name.
 */
export async function logsVerb(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    {
      follow: { type: 'boolean', short: 'f', default: false },
      container: { type: 'string', short: 'c', default: 'main' },
      grep: { type: 'string' },
    },
    { min: 1, max: 2, usage: 'NAME [POD] [-f] [-c CONTAINER] [--grep TEXT]' },
  );
  const api = connect(ctx, values);
  const [name, pod] = positionals;
  const podName = pod === undefined ? undefined : resolvePod(await api.getWorkflow(name), pod);
  for await (const entry of api.workflowLogs(name, { podName, container: values.container, follow: values.follow, grep: values.grep })) {
    ctx.io.stdout(`${entry.podName ?? podName ?? name}: ${entry.content}\n`);
  }
  return 0;
}

/** A pod name, node id, node name or display name → the pod's name. */
export function resolvePod(wf: Workflow, arg: string): string {
  const pods = Object.values(wf.status?.nodes ?? {}).filter((n) => n.type === 'Pod');
  if (pods.some((n) => podNameOf(wf, n) === arg)) return arg;
  const exact = pods.find((n) => n.id === arg || n.name === arg);
  if (exact) return podNameOf(wf, exact);
  const byDisplay = pods.filter((n) => n.displayName === arg);
  if (byDisplay.length === 1) return podNameOf(wf, byDisplay[0]);
  if (byDisplay.length > 1) {
    throw new CliError(`"${arg}" names ${byDisplay.length} steps; give one of their pod names: ${byDisplay.map((n) => podNameOf(wf, n)).join(', ')}`);
  }
  return arg;
}
