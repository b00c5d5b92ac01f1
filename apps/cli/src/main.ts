#!/usr/bin/env node
/**
 * The `slipway` command. Each verb's modules are imported when that verb runs, so that `help` loads
 * nothing, `lint` only the workflow library, and `run` no HTTP client or server verbs; `run` loads
 * the build's single-file bundle of its modules when it is fresh (run-module.ts).
 */
import { parseArgs } from 'node:util';
import { EXIT } from './exit.js';
import { processIo, type Io } from './io.js';
import { isServerVerb, SERVER_USAGE } from './server/usage.js';

const USAGE = `Usage: slipway <command> [options]

Commands:
  lint PATH...                 Check Argo Workflows YAML files or directories
  run FILE                     Run a workflow on this machine
    --templates, -t PATH       WorkflowTemplates / ClusterWorkflowTemplates it references (repeatable)
    -p NAME=VALUE              Set a workflow parameter (repeatable)
    -o json|yaml               Print the final Workflow object on stdout
    --workdir DIR              Where volumes, artifacts and logs go (default ./.slipway)
    --auto-resume              Resume indefinite suspend steps at once
    --set NODE.PARAM=VALUE     Supply a suspend step's output parameter (like argo node set; repeatable)
    --sandbox auto|bwrap|none  Sandbox steps with bubblewrap (default auto)
    --max-pods N               Run at most N steps at once (default: no limit)
    --quiet, -q                No progress on stderr
  help                         Show this help

${SERVER_USAGE}
Exit status: 0 Succeeded, 1 Failed, 2 Error or invalid input. Server verbs: 0 done, 1 the server
answered with an error, 2 usage error or server unreachable (submit: 2 whenever nothing ran).
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'lint': {
      if (rest.length === 0) {
        io.stderr('slipway lint: give at least one file or directory\n');
        return EXIT.error;
      }
      const { runLint } = await import('./commands/lint.js');
      return runLint(rest, io);
    }
    case 'run':
      return run(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return 0;
    default:
      if (isServerVerb(command)) {
        const { runServerVerb } = await import('./server/index.js');
        return runServerVerb(command, rest, io);
      }
      io.stderr(`slipway: unknown command "${command}"\n\n${USAGE}`);
      return EXIT.error;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        templates: { type: 'string', short: 't', multiple: true, default: [] },
        parameter: { type: 'string', short: 'p', multiple: true, default: [] },
        output: { type: 'string', short: 'o' },
        workdir: { type: 'string' },
        'auto-resume': { type: 'boolean', default: false },
        set: { type: 'string', multiple: true, default: [] },
        sandbox: { type: 'string' },
        'max-pods': { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
      },
    });
  } catch (err) {
    io.stderr(`slipway run: ${(err as Error).message}\n`);
    return EXIT.error;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.stderr('slipway run: give exactly one workflow FILE\n');
    return EXIT.error;
  }
  if (values.output !== undefined && values.output !== 'json' && values.output !== 'yaml') {
    io.stderr(`slipway run: -o must be json or yaml, not "${values.output}"\n`);
    return EXIT.error;
  }
  if (values.sandbox !== undefined && !['auto', 'bwrap', 'none'].includes(values.sandbox)) {
    io.stderr(`slipway run: --sandbox must be auto, bwrap or none, not "${values.sandbox}"\n`);
    return EXIT.error;
  }
  let maxPods: number | undefined;
  if (values['max-pods'] !== undefined) {
    maxPods = Number(values['max-pods']);
    if (!Number.isInteger(maxPods) || maxPods < 1) {
      io.stderr(`slipway run: --max-pods must be a whole number ≥ 1, not "${values['max-pods']}"\n`);
      return EXIT.error;
    }
  }
  const { loadRunModule } = await import('./run-module.js');
  const { runCommand } = await loadRunModule();
  return runCommand(
    {
      file: positionals[0],
      templates: values.templates,
      parameters: values.parameter,
      output: values.output,
      workdir: values.workdir,
      autoResume: values['auto-resume'],
      supply: values.set,
      sandbox: values.sandbox as 'auto' | 'bwrap' | 'none' | undefined,
      maxPods,
      quiet: values.quiet,
    },
    io,
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/slipway') || process.argv[1]?.endsWith('slipway.js')) {
  main(process.argv.slice(2)).then(exitWhenWritten, (err: unknown) => {
    process.stderr.write(`slipway: internal error: ${(err as Error).stack ?? String(err)}\n`);
    exitWhenWritten(EXIT.error);
  });
}

/**
 * Every verb has finished its work (and its clean-up) when main resolves; exiting then, rather
 * than when the event loop empties, skips tearing down the heap (≈ 8 ms after a 1,000-step run).
 * Output to a pipe is written asynchronously on POSIX, and a reader may be slow, so the exit
 * waits until everything written to stdout and stderr has been handed to the OS.
 */
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const written = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
}
