/** A verb with sub-verbs (`slipway template create …`): picks one, and names it in messages. */
import { CliError } from '../api-client.js';
import type { Verb } from '../verb.js';

export function subcommand(group: string, verbs: Record<string, Verb>): Verb {
  return (argv, ctx) => {
    const [sub, ...rest] = argv;
    const verb = sub !== undefined && Object.hasOwn(verbs, sub) ? verbs[sub] : undefined;
    if (!verb) {
      const what = sub === undefined ? `give a ${group} command` : `unknown ${group} command "${sub}"`;
      return Promise.reject(new CliError(`${what}: ${Object.keys(verbs).join(', ')}`));
    }
    return verb(rest, { ...ctx, verb: `${group} ${sub}` });
  };
}
