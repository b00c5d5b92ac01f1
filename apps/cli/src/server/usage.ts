/**
 * Names and usage text of the server-backed verbs, without their implementations: `slipway help`,
 * `lint` and `run` load this, not the HTTP client and the verbs (index.ts).
 */

export const SERVER_VERBS: readonly string[] = [
  'submit',
  'list',
  'get',
  'logs',
  'watch',
  'retry',
  'resubmit',
  'stop',
  'terminate',
  'suspend',
  'resume',
  'set',
  'delete',
  'template',
  'cron',
  'token',
];

const NAMES: ReadonlySet<string> = new Set(SERVER_VERBS);

export function isServerVerb(command: string | undefined): boolean {
  return command !== undefined && NAMES.has(command);
}

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
