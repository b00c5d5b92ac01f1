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
import type { ServerEnv, Verb, VerbContext } from './verb.js';

export type { ServerEnv } from './verb.js';

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

export const SERVER_USAGE = `Against a Slipway server (--server URL / SLIPWAY_SERVER, default http://127.0.0.1:2746;
--token T / SLIPWAY_TOKEN; -n/--namespace NS / SLIPWAY_NAMESPACE, default "default"):
  submit FILE | --from KIND/NAME  Lint FILE, then submit its Workflow (KIND: workflowtemplate,
                               clusterworkflowtemplate, cronworkflow)
    -p NAME=VALUE              Set a workflow parameter (repeatable)
    --wait | --watch           Wait for the end / show the live node tree; exit by final phase
    -o json|yaml|name          Print the workflow (the final one with --wait/--watch)
  list [-l SELECTOR] [--phase P]... [--limit N] [-o json|yaml|wide|name]
  get NAME [-o json|yaml]      Summary and node tree
  logs NAME [POD] [-f] [-c CONTAINER] [--grep TEXT]
                               Print \`pod: line\`; POD may be a step name; -f follows
  watch NAME                   Live node tree until the workflow ends; exit by its phase
  retry NAME [--restart-successful --node-field-selector S] [-p NAME=VALUE]... [--wait|--watch]
  resubmit NAME [-p NAME=VALUE]... [--wait|--watch]
  stop NAME... [--node-field-selector S] [--message M]    (exit handlers run)
  terminate NAME...            (exit handlers do not run)
  suspend NAME... | resume NAME... [--node-field-selector S]
  set NAME --node-field-selector S [--output-parameter NAME=VALUE]... [--phase P] [--message M]
  delete NAME...
  template create|update FILE... | get NAME | list | delete NAME... | lint FILE...
           | revisions NAME | rollback NAME --to N      (--cluster: ClusterWorkflowTemplates)
  cron create|update FILE | get NAME | list | suspend NAME... | resume NAME... | delete NAME...
  token create NAME --role admin|developer|viewer [--namespace NS]... | list | revoke ID...
`;

export function isServerVerb(command: string | undefined): boolean {
  return command !== undefined && Object.hasOwn(VERBS, command);
}

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
