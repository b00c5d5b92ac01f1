/** The server-backed verbs of `slipway`: which exist, their usage text, and how one is run. */
import type { Io } from '../io.js';
import { CliError, EXIT_USAGE } from './api-client.js';
import { retryVerb, resubmitVerb, resumeVerb, setVerb, simpleAction, stopVerb } from './commands/actions.js';
import { cronVerb } from './commands/cron.js';
import { watchVerb } from './commands/follow-output.js';
import { submitVerb } from './commands/submit.js';
import { templateVerb } from './commands/templates.js';
import { tokenVerb } from './commands/tokens.js';
import { deleteVerb, getVerb, listVerb, logsVerb } from './commands/workflows.js';
import { SERVER_USAGE } from './usage.js';
import type { ServerEnv, Verb, VerbContext } from './verb.js';

export type { ServerEnv } from './verb.js';
export { isServerVerb, SERVER_USAGE, SERVER_VERBS } from './usage.js';

const VERBS: Record<string, Verb> = {
  submit: submitVerb,
  list: listVerb,
  get: getVerb,
  logs: logsVerb,
  watch: watchVerb,
  retry: retryVerb,
  resubmit: resubmitVerb,
  stop: stopVerb,
  terminate: simpleAction('terminate', 'terminated'),
  suspend: simpleAction('suspend', 'suspended'),
  resume: resumeVerb,
  set: setVerb,
  delete: deleteVerb,
  template: templateVerb,
  cron: cronVerb,
  token: tokenVerb,
};


/** The verbs implemented here, for the test that keeps usage.ts's list in step. */
export const IMPLEMENTED_VERBS: readonly string[] = Object.keys(VERBS);

export interface ServerVerbOptions {
  env?: ServerEnv;
  now?: () => number;
  pollMs?: number;
}

/**
 * Run one verb; resolves to its exit status. Errors are printed as one `slipway VERB: message`
 * line (exit 2 for usage and connection problems, 1 for errors the server answered with).
 */
export async function runServerVerb(verb: string, argv: string[], io: Io, options: ServerVerbOptions = {}): Promise<number> {
  const ctx: VerbContext = {
    io,
    env: options.env ?? process.env,
    verb,
    now: options.now ?? Date.now,
    pollMs: options.pollMs ?? 1000,
  };
  const run = VERBS[verb];
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(SERVER_USAGE);
    return 0;
  }
  try {
    return await run(argv, ctx);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`slipway ${verbLabel(verb, argv)}: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`slipway ${verbLabel(verb, argv)}: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  }
}

function verbLabel(verb: string, argv: string[]): string {
  const group = verb === 'template' || verb === 'cron' || verb === 'token';
  return group && argv[0] && !argv[0].startsWith('-') ? `${verb} ${argv[0]}` : verb;
}
