#!/usr/bin/env node
// Per-pod overhead of LocalExecutor against bare spawns of the very same command line.
// Not a test: run it by hand after `npm run build` (it uses dist/).
//   node libs/executors/scripts/pod-overhead.mjs [pods=1000] [parallelism=2] [rounds=3]
// For each sandbox mode it times, interleaved over several rounds:
//   executor  LocalExecutor running `true` pods (all its bookkeeping, logs, outputs)
//   spawn     Node spawning the identical argv (bwrap … true, or true) and awaiting exit
//   make      `make -jP` running the identical command line once per target
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LocalExecutor } from '../dist/index.js';
import { prepareContainers } from '../dist/local/pod-prepare.js';

const [pods = 1000, parallelism = 2, rounds = 3] = process.argv.slice(2).map(Number);
const workdir = mkdtempSync(`${tmpdir()}/slipway-overhead-`);

function request(i, uid) {
  const main = { name: 'main', image: 'busybox', command: ['true'] };
  return {
    workflow: { name: 'bench', namespace: 'default', uid },
    nodeId: `n${i}`,
    nodeName: `bench.n${i}`,
    podName: `bench-n${i}`,
    templateName: 't',
    template: { name: 't', container: main },
    containers: [main],
    initContainers: [],
    sidecars: [],
    volumes: [],
    captureResult: false,
    outputParameterPaths: [],
    outputArtifactPaths: [],
    inputArtifacts: [],
    env: {},
    daemon: false,
  };
}

async function pool(n, p, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: p }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

async function timeExecutor(executor, round) {
  const uid = `round-${executor.sandboxMode}-${round}`;
  const started = performance.now();
  await pool(pods, parallelism, (i) =>
    new Promise((resolve, reject) => {
      executor.start(request(i, uid), {
        podStarted() {},
        podReady() {},
        podFinished(r) {
          if (r.phase === 'Succeeded') resolve();
          else reject(new Error(JSON.stringify(r)));
        },
      });
    }),
  );
  const ms = performance.now() - started;
  await executor.releaseWorkflow(uid);
  return ms;
}

async function timeSpawn(argv) {
  const started = performance.now();
  await pool(pods, parallelism, () =>
    new Promise((resolve) => spawn(argv[0], argv.slice(1), { stdio: 'ignore' }).on('close', resolve)),
  );
  return performance.now() - started;
}

function timeMake(argv) {
  const quote = (a) => `'${a.replaceAll("'", "'\\''")}'`;
  const targets = Array.from({ length: pods }, (_, i) => `t${i}`);
  const makefile = `${workdir}/pods.mk`;
  writeFileSync(makefile, `all: ${targets.join(' ')}\n${targets.map((t) => `${t}:\n\t@${argv.map(quote).join(' ')}\n`).join('')}.PHONY: all ${targets.join(' ')}\n`);
  const started = performance.now();
  const r = spawnSync('make', ['-s', '-f', makefile, `-j${parallelism}`, 'all'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('make failed');
  return performance.now() - started;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const sandbox of ['bwrap', 'none']) {
  const executor = new LocalExecutor({ workdir: `${workdir}/${sandbox}`, sandbox });
  const config = {
    workdir: executor.workdir,
    sandboxed: sandbox === 'bwrap',
    bwrapPath: 'bwrap',
    killGraceMs: 2000,
    daemonReadyMs: 100,
    warn: () => {},
    baseEnv: {},
  };
  const prepared = prepareContainers(request(0, 'argv'), config);
  const argv = prepared.main[0].argv;
  for (const dir of prepared.layout.mkdirs) mkdirSync(dir, { recursive: true });
  const times = { executor: [], spawn: [], make: [] };
  await timeExecutor(executor, 'warm-up');
  for (let round = 0; round < rounds; round++) {
    times.executor.push(await timeExecutor(executor, round));
    times.spawn.push(await timeSpawn(argv));
    times.make.push(timeMake(argv));
  }
  await executor.close();
  const [e, s, m] = [median(times.executor), median(times.spawn), median(times.make)];
  const perPod = (ms) => `${((ms / pods) * parallelism).toFixed(2)} ms/pod·slot`;
  console.log(`\n${sandbox}: ${pods} pods, parallelism ${parallelism}, median of ${rounds}; argv has ${argv.length} words`);
  console.log(`  executor ${e.toFixed(0)} ms (${perPod(e)})  spawn ${s.toFixed(0)} ms (${perPod(s)})  make -j${parallelism} ${m.toFixed(0)} ms (${perPod(m)})`);
  console.log(`  executor/make ${(e / m).toFixed(2)}×  executor/spawn ${(e / s).toFixed(2)}×  overhead vs spawn ${(((e - s) / pods) * parallelism).toFixed(2)} ms/pod·slot`);
}
rmSync(workdir, { recursive: true, force: true });
