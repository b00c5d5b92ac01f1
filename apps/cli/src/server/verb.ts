/** What every server-backed verb shares: global flags, environment, argument parsing, the API handle. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Workflow } from '@slipway/workflow';
import type { Io } from '../io.js';
import { ApiClient, CliError, EXIT_USAGE } from './api-client.js';
import { SlipwayApi } from './slipway-api.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:2746';
export const DEFAULT_NAMESPACE = 'default';

/** The environment variables the verbs read. */
export interface ServerEnv {
  SLIPWAY_SERVER?: string;
  SLIPWAY_TOKEN?: string;
  SLIPWAY_NAMESPACE?: string;
}

export interface VerbContext {
  io: Io;
  env: ServerEnv;
  /** e.g. `template create`, for messages. */
  verb: string;
  /** Epoch ms; tests pin it. */
  now(): number;
  /** How often `--wait`/`watch` poll when the server has no watch stream (ms). */
  pollMs: number;
}

export type Verb = (argv: string[], ctx: VerbContext) => Promise<number>;

/** Flags every verb accepts. */
export const GLOBAL_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const satisfies ParseArgsOptionsConfig;

export interface GlobalValues {
  server?: string;
  token?: string;
  namespace?: string;
}

/** parseArgs with the global flags added; a bad flag is a usage error (exit 2). */
export function parseVerb<O extends ParseArgsOptionsConfig>(
  ctx: VerbContext,
  argv: string[],
  options: O,
  positionals: { min: number; max: number; usage: string },
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...GLOBAL_OPTIONS, ...options } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nusage: slipway ${ctx.verb} ${positionals.usage}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) throw new CliError(`usage: slipway ${ctx.verb} ${positionals.usage}`);
  return parsed;
}

/** The API for the flags and environment: `--server`/SLIPWAY_SERVER, `--token`/SLIPWAY_TOKEN, `-n`/SLIPWAY_NAMESPACE. */
export function connect(ctx: VerbContext, values: GlobalValues): SlipwayApi {
  const server = values.server ?? (ctx.env.SLIPWAY_SERVER || DEFAULT_SERVER);
  const token = values.token ?? ctx.env.SLIPWAY_TOKEN;
  return new SlipwayApi(new ApiClient({ server, token }), namespaceOf(ctx, values));
}

export function namespaceOf(ctx: VerbContext, values: GlobalValues): string {
  return values.namespace ?? (ctx.env.SLIPWAY_NAMESPACE || DEFAULT_NAMESPACE);
}

/** `-o` checked against the formats a verb supports. */
export function outputFormat<F extends string>(value: string | undefined, allowed: readonly F[]): F | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    const choices = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}` : allowed.join('');
    throw new CliError(`-o must be ${choices}, not "${value}"`, EXIT_USAGE);
  }
  return value as F;
}

/** Exit status by a finished workflow's phase, like `slipway run`: 0 Succeeded, 1 Failed, 2 Error. */
export function exitForPhase(wf: Workflow): number {
  const phase = wf.status?.phase;
  return phase === 'Succeeded' ? 0 : phase === 'Failed' ? 1 : 2;
}
