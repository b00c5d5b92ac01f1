/** `slipway cron create|update|get|list|suspend|resume|delete` — CronWorkflows on the server. */
import { formatDiagnostic, type CronWorkflow } from '@slipway/workflow';
import { CliError, EXIT_USAGE } from '../api-client.js';
import { lintFile } from '../lint-file.js';
import { shortDuration, timestamp } from '../render/humanize.js';
import { printObject } from '../render/output.js';
import { formatTable } from '../render/table.js';
import { connect, outputFormat, parseVerb, type VerbContext } from '../verb.js';
import { subcommand } from './subcommand.js';

interface CronStatus {
  lastScheduledTime?: string;
  active?: { name?: string }[];
}

const statusOf = (c: CronWorkflow): CronStatus => (c as { status?: CronStatus }).status ?? {};
const schedules = (c: CronWorkflow) => (c.spec.schedules?.length ? c.spec.schedules : c.spec.schedule ? [c.spec.schedule] : []).join(',');

export const cronVerb = subcommand('cron', {
  create: (argv, ctx) => write(argv, ctx, 'create'),
  update: (argv, ctx) => write(argv, ctx, 'update'),
  get: getCron,
  list: listCrons,
  suspend: (argv, ctx) => setSuspended(argv, ctx, true),
  resume: (argv, ctx) => setSuspended(argv, ctx, false),
  delete: deleteCron,
});

async function write(argv: string[], ctx: VerbContext, how: 'create' | 'update'): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 1, max: 1, usage: 'FILE [-o json|yaml|name]' });
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  const api = connect(ctx, values);
  const file = positionals[0];
  const linted = await lintFile(file, api);
  for (const d of linted.diagnostics) ctx.io.stderr(`${formatDiagnostic(d)}\n`);
  if (linted.errors > 0) {
    ctx.io.stderr(`${file}: not ${how}d: ${linted.errors} lint error${linted.errors === 1 ? '' : 's'}\n`);
    return EXIT_USAGE;
  }
  const docs = linted.documents.filter((d) => d.kind === 'CronWorkflow');
  if (docs.length === 0) throw new CliError(`${file}: no CronWorkflow in this file`);
  for (const doc of docs) {
    const cron = doc.object as unknown as CronWorkflow;
    const saved = how === 'create' ? await api.createCron(cron) : await api.updateCron(cron);
    if (output === 'name') ctx.io.stdout(`${saved.metadata.name}\n`);
    else if (output) printObject(ctx.io, saved, output);
    else ctx.io.stdout(describe(saved, ctx.now()));
  }
  return 0;
}

/** Like `argo cron get`. */
function describe(c: CronWorkflow, now: number): string {
  const line = (k: string, v: string) => `${k.padEnd(30)} ${v}`.trimEnd() + '\n';
  const s = statusOf(c);
  let out = line('Name:', c.metadata.name ?? '');
  out += line('Namespace:', c.metadata.namespace ?? '');
  if (c.metadata.creationTimestamp) out += line('Created:', timestamp(c.metadata.creationTimestamp, now));
  out += line('Schedules:', schedules(c));
  if (c.spec.timezone) out += line('Timezone:', c.spec.timezone);
  out += line('Suspended:', String(c.spec.suspend ?? false));
  if (c.spec.concurrencyPolicy) out += line('ConcurrencyPolicy:', c.spec.concurrencyPolicy);
  if (c.spec.startingDeadlineSeconds !== undefined) out += line('StartingDeadlineSeconds:', String(c.spec.startingDeadlineSeconds));
  if (s.lastScheduledTime) out += line('LastScheduledTime:', timestamp(s.lastScheduledTime, now));
  if (s.active && s.active.length > 0) out += line('Active Workflows:', s.active.map((a) => a.name ?? '').join(', '));
  return out;
}

async function getCron(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 1, max: 1, usage: 'NAME [-o json|yaml]' });
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const c = await connect(ctx, values).getCron(positionals[0]);
  if (output) printObject(ctx.io, c, output);
  else ctx.io.stdout(describe(c, ctx.now()));
  return 0;
}

async function listCrons(argv: string[], ctx: VerbContext): Promise<number> {
  const { values } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 0, max: 0, usage: '[-o json|yaml|name]' });
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  const items = (await connect(ctx, values).listCrons()).items ?? [];
  if (output === 'json' || output === 'yaml') printObject(ctx.io, items, output);
  else if (output === 'name') ctx.io.stdout(items.map((c) => `${c.metadata.name}\n`).join(''));
  else if (items.length === 0) ctx.io.stdout('No cron workflows found\n');
  else {
    const now = ctx.now();
    const rows = items.map((c) => {
      const last = statusOf(c).lastScheduledTime;
      return [
        c.metadata.name ?? '',
        shortDuration(c.metadata.creationTimestamp, undefined, now),
        last ? shortDuration(last, undefined, now) : 'N/A',
        schedules(c),
        c.spec.timezone ?? '',
        String(c.spec.suspend ?? false),
      ];
    });
    ctx.io.stdout(formatTable([['NAME', 'AGE', 'LAST RUN', 'SCHEDULES', 'TIMEZONE', 'SUSPENDED'], ...rows]));
  }
  return 0;
}

async function setSuspended(argv: string[], ctx: VerbContext, suspended: boolean): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, {}, { min: 1, max: Infinity, usage: 'NAME...' });
  const api = connect(ctx, values);
  for (const name of positionals) {
    await api.setCronSuspended(name, suspended);
    ctx.io.stdout(`CronWorkflow '${name}' ${suspended ? 'suspended' : 'resumed'}\n`);
  }
  return 0;
}

async function deleteCron(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, {}, { min: 1, max: Infinity, usage: 'NAME...' });
  const api = connect(ctx, values);
  for (const name of positionals) {
    await api.deleteCron(name);
    ctx.io.stdout(`CronWorkflow '${name}' deleted\n`);
  }
  return 0;
}
