/** `slipway token create|list|revoke` — API tokens (needs an admin token for all namespaces). */
import { CliError } from '../api-client.js';
import { shortDuration } from '../render/humanize.js';
import { printObject } from '../render/output.js';
import { formatTable } from '../render/table.js';
import type { TokenRole } from '../slipway-api.js';
import { connect, outputFormat, parseVerb, type VerbContext } from '../verb.js';
import { subcommand } from './subcommand.js';

const ROLES: TokenRole[] = ['admin', 'developer', 'viewer'];

export const tokenVerb = subcommand('token', { create, list, revoke });

/** Prints the token alone on stdout (it is shown only this once), so `$(slipway token create …)` works. */
async function create(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(
    ctx,
    argv,
    {
      role: { type: 'string' },
      // Here -n/--namespace are the token's namespaces, not the namespace to act in.
      namespace: { type: 'string', short: 'n', multiple: true, default: [] },
      output: { type: 'string', short: 'o' },
    },
    { min: 1, max: 1, usage: 'NAME --role admin|developer|viewer [--namespace NS]... [-o json|yaml]' },
  );
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const role = values.role as TokenRole | undefined;
  if (!role || !ROLES.includes(role)) throw new CliError(`--role must be ${ROLES.join(', ')}${values.role ? `, not "${values.role}"` : ''}`);
  const namespaces = values.namespace.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
  const issued = await connect(ctx, { server: values.server, token: values.token }).createToken({
    name: positionals[0],
    role,
    namespaces: namespaces.length > 0 ? namespaces : ['*'],
  });
  if (output) {
    printObject(ctx.io, issued, output);
    return 0;
  }
  ctx.io.stdout(`${issued.token}\n`);
  ctx.io.stderr(`token "${issued.name}" (id ${issued.id}, role ${issued.role}, namespaces ${issued.namespaces.join(',')}): shown only now; use it as SLIPWAY_TOKEN\n`);
  return 0;
}

async function list(argv: string[], ctx: VerbContext): Promise<number> {
  const { values } = parseVerb(ctx, argv, { output: { type: 'string', short: 'o' } }, { min: 0, max: 0, usage: '[-o json|yaml]' });
  const output = outputFormat(values.output, ['json', 'yaml'] as const);
  const items = (await connect(ctx, values).listTokens()).items ?? [];
  if (output) {
    printObject(ctx.io, items, output);
    return 0;
  }
  if (items.length === 0) {
    ctx.io.stdout('No tokens found\n');
    return 0;
  }
  const now = ctx.now();
  const ago = (t: string | null | undefined) => (t ? shortDuration(t, undefined, now) : '');
  const rows = items.map((t) => [
    t.id,
    t.name,
    t.role,
    t.namespaces.join(','),
    ago(t.createdAt),
    t.lastUsedAt ? `${ago(t.lastUsedAt)} ago` : 'never',
    t.revokedAt ? `revoked ${ago(t.revokedAt)} ago` : 'active',
  ]);
  ctx.io.stdout(formatTable([['ID', 'NAME', 'ROLE', 'NAMESPACES', 'AGE', 'LAST USED', 'STATUS'], ...rows]));
  return 0;
}

async function revoke(argv: string[], ctx: VerbContext): Promise<number> {
  const { values, positionals } = parseVerb(ctx, argv, {}, { min: 1, max: Infinity, usage: 'ID...' });
  const api = connect(ctx, values);
  for (const id of positionals) {
    await api.revokeToken(id);
    ctx.io.stdout(`token ${id} revoked\n`);
  }
  return 0;
}
