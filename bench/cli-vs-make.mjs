/**
 * Benchmark 2 — `slipway run` against `make -j2` on the same 1,000-node random DAG (seed 42,
 * perf-floors d1), each node starting exactly one process: `true`, or the LocalExecutor's own
 * `bwrap … -- true` when sandboxed. Whole-command wall time, runs interleaved, medians.
 * Also measured in the same rounds: the Node floor (a minimal spawn-per-node runner, d4) and
 * CLI start-up (Node boot, module load, parsing and linting the DAG, a one-node workflow).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBwrapUsable } from '@slipway/executors/local';
import { dagMakefileWith, dagStats, dagWorkflowYaml, randomDag, taskName } from './lib/dag.mjs';
import { podCommands, shellWord } from './lib/pod-commands.mjs';
import { BENCH_DIR, REPO_DIR, fmt, median, range } from './lib/stats.mjs';

const CLI = join(REPO_DIR, 'apps/cli/bin/slipway.js'); // what `npx slipway` runs
const NODE_FLOOR = join(BENCH_DIR, 'lib/node-floor.mjs');
const NODE = process.execPath;
const TARGET = 1.5;

const ONE_NODE = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: one
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3
        command: ["true"]
`;

/** CPU seconds of this process's reaped children (utime + stime, all descendants), in ms. */
function childrenCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime) counted from 1; fields[] starts at field 3.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/** Wall time (and CPU time of the whole process tree) of one command, which must exit 0. */
function timeCommand(argv, { cwd, cleanup } = {}) {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  const cpuMs = childrenCpuMs() - cpu0;
  cleanup?.();
  if (r.error || r.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${String(r.stderr).slice(0, 2000)}`);
  }
  return { ms, cpuMs };
}

/**
 * Does make start the recipe's process itself (no /bin/sh in between)? Checked with strace when it
 * is installed: the traced execs must be exactly the recipe's program. null when unknown.
 */
function makeExecsDirectly(dir, makefile) {
  const trace = join(dir, 'make.strace');
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', trace, 'make', '-s', '-f', makefile, taskName(0)], { cwd: dir, stdio: 'ignore' });
  if (r.error || r.status !== 0) return null;
  const execs = readFileSync(trace, 'utf8').split('\n').filter((l) => /execve\(.*\) = 0/.test(l));
  return !execs.some((l) => /execve\("[^"]*\/(sh|bash|dash)"/.test(l));
}

export function cliVsMakeBench({ nodes = 1000, seed = 42, rounds = 5, parallelism = 2, modes, log = console.log } = {}) {
  const deps = randomDag(nodes, seed);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const yaml = join(dir, 'dag.yaml');
  writeFileSync(yaml, dagWorkflowYaml(deps));
  writeFileSync(join(dir, 'one.yaml'), ONE_NODE);
  const bwrap = isBwrapUsable();
  const wanted = modes ?? (bwrap ? ['none', 'bwrap'] : ['none']);
  const setup = { dir, nodes, dag: dagStats(deps), parallelism, modes: {} };
  const commands = [];
  const fresh = (name) => {
    const w = join(dir, name);
    return { w, cleanup: () => rmSync(w, { recursive: true, force: true }) };
  };

  commands.push({ key: 'node-boot', argv: [NODE, '-e', '0'] });
  commands.push({ key: 'cli-load', argv: [NODE, CLI, 'help'] });
  commands.push({ key: 'cli-lint-dag', argv: [NODE, CLI, 'lint', yaml] });
  {
    const { w, cleanup } = fresh('slw-one');
    commands.push({ key: 'cli-one-node', argv: [NODE, CLI, 'run', join(dir, 'one.yaml'), '--sandbox', 'none', '-q', '-o', 'json', '--workdir', w], cleanup });
  }
  for (const mode of wanted) {
    const sandboxed = mode === 'bwrap';
    const makeWork = join(dir, `make-${mode}`);
    const cmds = podCommands(deps, { workdir: makeWork, uid: 'make-bench', sandboxed });
    for (const c of cmds.values()) for (const d of c.mkdirs) mkdirSync(d, { recursive: true });
    const first = cmds.get(taskName(0));
    const makefile = join(dir, `dag-${mode}.mk`);
    writeFileSync(makefile, dagMakefileWith(deps, (i) => cmds.get(taskName(i)).argv.map(shellWord).join(' '), { PATH: first.env.PATH }));
    const job = join(dir, `floor-${mode}.json`);
    writeFileSync(job, JSON.stringify({ deps, argv: deps.map((_, i) => cmds.get(taskName(i)).argv), env: first.env }));
    setup.modes[mode] = {
      makefile,
      exampleCommand: first.argv.map(shellWord).join(' '),
      makeExecsDirectly: makeExecsDirectly(dir, makefile),
    };
    commands.push({ key: `make-${mode}`, argv: ['make', '-s', '-f', makefile, `-j${parallelism}`, 'all'], cwd: dir });
    const { w, cleanup } = fresh(`slw-${mode}`);
    commands.push({
      key: `slipway-${mode}`,
      argv: [NODE, CLI, 'run', yaml, '--sandbox', mode, '--max-pods', String(parallelism), '-q', '-o', 'json', '--workdir', w],
      cleanup,
    });
    commands.push({ key: `node-floor-${mode}`, argv: [NODE, NODE_FLOOR, job, String(parallelism)] });
  }

  for (const c of commands) timeCommand(c.argv, c); // warm-up: page cache, bwrap probe
  const samples = Object.fromEntries(commands.map((c) => [c.key, []]));
  const cpu = Object.fromEntries(commands.map((c) => [c.key, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no command always follows the same neighbour.
    const order = commands.map((_, i) => commands[(i + r) % commands.length]);
    for (const c of order) {
      const t = timeCommand(c.argv, c);
      samples[c.key].push(t.ms);
      cpu[c.key].push(t.cpuMs);
    }
    log(`  cli-vs-make round ${r + 1}/${rounds}: ${commands.map((c) => `${c.key} ${fmt(samples[c.key].at(-1), 0)}`).join(', ')} ms`);
  }
  rmSync(dir, { recursive: true, force: true });

  const stat = (key) => ({
    medianMs: median(samples[key]),
    rangeMs: range(samples[key]),
    samplesMs: samples[key],
    cpuMedianMs: median(cpu[key]),
    cpuSamplesMs: cpu[key],
  });
  const commandLines = Object.fromEntries(commands.map((c) => [c.key, c.argv.join(' ')]));
  const modes2 = {};
  for (const mode of wanted) {
    const make = stat(`make-${mode}`);
    const slipway = stat(`slipway-${mode}`);
    const floor = stat(`node-floor-${mode}`);
    const paired = samples[`slipway-${mode}`].map((s, i) => s / samples[`make-${mode}`][i]);
    const pairedFloor = samples[`node-floor-${mode}`].map((s, i) => s / samples[`make-${mode}`][i]);
    modes2[mode] = {
      ...setup.modes[mode],
      make,
      slipway,
      nodeFloor: floor,
      ratio: slipway.medianMs / make.medianMs,
      pairedRatioMedian: median(paired),
      pairedRatioRange: range(paired),
      cpuRatio: slipway.cpuMedianMs / make.cpuMedianMs,
      floorCpuRatio: floor.cpuMedianMs / make.cpuMedianMs,
      floorRatio: median(pairedFloor),
      slipwayOverFloor: median(samples[`slipway-${mode}`].map((s, i) => s / samples[`node-floor-${mode}`][i])),
      target: TARGET,
      ok: median(paired) <= TARGET,
    };
  }
  const startup = { nodeBoot: stat('node-boot'), cliLoad: stat('cli-load'), cliLintDag: stat('cli-lint-dag'), cliOneNode: stat('cli-one-node') };
  return { rounds, seed, nodes, dag: setup.dag, parallelism, commands: commandLines, startup, modes: modes2 };
}

export function cliVsMakeTable(result) {
  const ms = (s) => `${fmt(s.medianMs, 0)} (${fmt(s.rangeMs[0], 0)}–${fmt(s.rangeMs[1], 0)})`;
  const header = ['sandbox', 'make -j2 ms', 'slipway ms', 'slipway / make', 'Node floor ms', 'floor / make', 'CPU s: make / slipway / floor'];
  const rows = Object.entries(result.modes).map(([mode, m]) => [
    mode,
    ms(m.make),
    ms(m.slipway),
    `${fmt(m.pairedRatioMedian, 2)}× (${fmt(m.pairedRatioRange[0], 2)}–${fmt(m.pairedRatioRange[1], 2)})`,
    ms(m.nodeFloor),
    `${fmt(m.floorRatio, 2)}×`,
    `${fmt(m.make.cpuMedianMs / 1000, 2)} / ${fmt(m.slipway.cpuMedianMs / 1000, 2)} / ${fmt(m.nodeFloor.cpuMedianMs / 1000, 2)}`,
  ]);
  const s = result.startup;
  const startupRows = [
    ['node -e 0 (Node boot)', ms(s.nodeBoot)],
    ['slipway help (boot + module load)', ms(s.cliLoad)],
    [`slipway lint of the ${result.nodes}-node DAG (+ YAML parse, lint)`, ms(s.cliLintDag)],
    ['slipway run, 1-node workflow', ms(s.cliOneNode)],
  ];
  const summary = Object.entries(result.modes)
    .map(([mode, m]) => `sandbox ${mode}: slipway / make = ${fmt(m.pairedRatioMedian, 2)}× (median of same-round ratios; ratio of medians ${fmt(m.ratio, 2)}×; target ≤ ${m.target}×): ${m.ok ? 'OK' : 'ABOVE TARGET'}`)
    .join('\n');
  return { header, rows, startupHeader: ['start-up (median wall)', 'ms (range)'], startupRows, summary };
}
