/**
 * `slipway template create|update|get|list|delete|lint|revisions|rollback` — WorkflowTemplates,
 * or ClusterWorkflowTemplates with `--cluster` (create/update/lint go by each document's kind).
 */
import { formatDiagnostic, type ParsedDocument, type WorkflowTemplate } from '@slipway/workflow';
import { ApiResponseError, CliError, EXIT_SERVER_ERROR, EXIT_USAGE } from '../api-client.js';
import { lintFile } from '../lint-file.js';
import { shortDuration, timestamp } from '../render/humanize.js';
import { printObject } from '../render/output.js';
import { formatTable } from '../render/table.js';
import { connect, outputFormat, parseVerb, type VerbContext } from '../verb.js';
import { subcommand } from './subcommand.js';

const CLUSTER = { cluster: { type: 'boolean', default: false } } as const;

const kindName = (cluster: boolean) => (cluster ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate');

export const templateVerb = subcommand('template', {
  create: (argv, ctx) => write(argv, ctx, 'create'),
  update: (argv, ctx) => write(argv, ctx, 'update'),
  get: getTemplate,
  list: listTemplates,
  delete: deleteTemplate,
  lint: lintTemplates,
  revisions: revisions,
  rollback: rollback,
});

/** The file's templates after a local lint; undefined (reasons printed) when it has errors. */
async function templatesOf(file: string, ctx: VerbContext, api: ReturnType<typeof connect>, print: (line: string) => void) {
  const linted = await lintFile(file, api);
  for (const d of linted.diagnostics) print(`${formatDiagnostic(d)}\n`);
  if (linted.errors > 0) return { linted, docs: undefined };
  const docs = linted.documents.filter((d) => d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate');
  if (docs.length === 0) throw new CliError(`${file}: no WorkflowTemplate or ClusterWorkflowTemplate in this file`);
  return { linted, docs };
}

async function write(argv: string[], ctx: VerbContext, how: 'create' | 'update'): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 1, max: Infinity, usage: 'FILE... [-o json|yaml|name]' });
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  const api = connect(ctx, values);
  for (const file of positionals) {
    const { linted, docs } = await templatesOf(file, ctx, api, (l) => ctx.io.stderr(l));
    if (!docs) {
      ctx.io.stderr(`${file}: not ${how}d: ${linted.errors} lint error${linted.errors === 1 ? '' : 's'}\n`);
      return EXIT_USAGE;
    }
    for (const doc of docs) {
      const cluster = doc.kind === 'ClusterWorkflowTemplate';
      const template = doc.object as unknown as WorkflowTemplate;
      const saved = how === 'create' ? await api.createTemplate(template, cluster) : await api.updateTemplate(template, cluster);
      if (output === 'name') ctx.io.stdout(`${saved.metadata.name}\n`);
      else if (output) printObject(ctx.io, saved, output);
      else ctx.io.stdout(`${kindName(cluster)} '${saved.metadata.name}' ${how}d\n`);
    }
  }
  return 0;
}

async function getTemplate(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { ...CLUSTER, output: { type: 'string', short: 'o' } }, { min: 1, max: 1, usage: 'NAME [--cluster] [-o json|yaml]' });
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const t = await connect(ctx, values).getTemplate(positionals[0], values.cluster);
  if (output) {
    printObject(ctx.io, t, output);
    return 0;
  }
  const line = (k: string, v: string) => `${k.padEnd(20)} ${v}`.trimEnd() + '\n';
  let out = line('Name:', t.metadata.name ?? '');
  if (!values.cluster) out += line('Namespace:', t.metadata.namespace ?? '');
  if (t.metadata.creationTimestamp) out += line('Created:', timestamp(t.metadata.creationTimestamp, ctx.now()));
  if (t.spec?.entrypoint) out += line('Entrypoint:', t.spec.entrypoint);
  out += line('Templates:', (t.spec?.templates ?? []).map((x) => x.name).join(', '));
  ctx.io.stdout(out);
  return 0;
}

async function listTemplates(argv: string[], ctx: VerbContext): Promise<number> {
  const { values } = parseVerb(
    ctx,
    argv,
    { ...CLUSTER, selector: { type: 'string', short: 'l' }, output: { type: 'string', short: 'o' } },
    { min: 0, max: 0, usage: '[--cluster] [-l SELECTOR] [-o json|yaml|name]' },
  );
  const output = outputFormat(values.output, ['json', 'yaml', 'name'] as const);
  const items = (await connect(ctx, values).listTemplates(values.cluster, values.selector)).items ?? [];
  if (output === 'json' || output === 'yaml') printObject(ctx.io, items, output);
  else if (output === 'name') ctx.io.stdout(items.map((t) => `${t.metadata.name}\n`).join(''));
  else if (items.length === 0) ctx.io.stdout(`No ${kindName(values.cluster)}s found\n`);
  else ctx.io.stdout(formatTable([['NAME', 'ENTRYPOINT'], ...items.map((t) => [t.metadata.name ?? '', t.spec?.entrypoint ?? ''])]));
  return 0;
}

async function deleteTemplate(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, CLUSTER, { min: 1, max: Infinity, usage: 'NAME... [--cluster]' });
  const api = connect(ctx, values);
  for (const name of positionals) {
    await api.deleteTemplate(name, values.cluster);
    ctx.io.stdout(`${kindName(values.cluster)} '${name}' deleted\n`);
  }
  return 0;
}

/** Local lint, then the server's `/lint` (which resolves against what the server holds); 1 when invalid. */
async function lintTemplates(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, {}, { min: 1, max: Infinity, usage: 'FILE...' });
  const api = connect(ctx, values);
  let errors = 0;
  for (const file of positionals) {
    const { linted, docs } = await templatesOf(file, ctx, api, (l) => ctx.io.stdout(l));
    errors += linted.errors;
    for (const doc of docs ?? []) {
      try {
        await api.lintTemplate(doc.object as unknown as WorkflowTemplate, doc.kind === 'ClusterWorkflowTemplate');
      } catch (err) {
        if (!(err instanceof ApiResponseError) || err.status !== 400) throw err;
        errors++;
        ctx.io.stdout(serverLintLines(doc, err));
      }
    }
  }
  if (errors > 0) return EXIT_SERVER_ERROR;
  ctx.io.stdout('✔ no linting errors found!\n');
  return 0;
}

/** The server's lint message, each `line:col: field: message` line pointed at the file instead of the request body. */
function serverLintLines(doc: ParsedDocument, err: ApiResponseError): string {
  const message = err.message.replace(/^400: /, '');
  return message
    .split('\n')
    .map((line) => {
      const m = /^\d+:\d+: ([^:]+): (.*)$/.exec(line);
      const at = m ? doc.position(parseFieldPath(m[1])) : undefined;
      return at && m ? `${doc.file}:${at.line}:${at.col}: ${m[1]}: ${m[2]}\n` : `${doc.file}: ${doc.kind} "${doc.name ?? ''}": ${line}\n`;
    })
    .join('');
}

/** `spec.templates[0].steps` → ['spec', 'templates', 0, 'steps'] */
function parseFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

async function revisions(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { ...CLUSTER, output: { type: 'string', short: 'o' } }, { min: 1, max: 1, usage: 'NAME [--cluster] [-o json|yaml]' });
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const items = (await connect(ctx, values).templateRevisions(positionals[0], values.cluster)).items ?? [];
  if (output) {
    printObject(ctx.io, items, output);
    return 0;
  }
  const now = ctx.now();
  const rows = items.map((r) => [String(r.revision), r.createdAt ? shortDuration(r.createdAt, undefined, now) : '', r.createdBy ?? '', r.current ? '*' : '']);
  ctx.io.stdout(formatTable([['REVISION', 'AGE', 'CREATED BY', 'CURRENT'], ...rows]));
  return 0;
}

async function rollback(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, { ...CLUSTER, to: { type: 'string' } }, { min: 1, max: 1, usage: 'NAME --to REVISION [--cluster]' });
  const revision = Number(values.to);
  if (values.to === undefined || !Number.isInteger(revision) || revision < 1) {
    throw new CliError(`--to must be a revision number ≥ 1${values.to === undefined ? '' : `, not "${values.to}"`}`);
  }
  await connect(ctx, values).rollbackTemplate(positionals[0], revision, values.cluster);
  ctx.io.stdout(`${kindName(values.cluster)} '${positionals[0]}' rolled back to revision ${revision} (as a new revision)\n`);
  return 0;
}
