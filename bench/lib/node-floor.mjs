/**
 * The Node floor (perf-floors d4): the smallest possible Node DAG runner — spawn each node's
 * argv once its dependencies exited 0, at most P at a time, nothing else. No engine, no state.
 * Usage: node node-floor.mjs JOB.json P   (JOB: { deps: number[][], argv: string[][], env })
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [file, p] = process.argv.slice(2);
const { deps, argv, env } = JSON.parse(readFileSync(file, 'utf8'));
const parallelism = Number(p ?? 2);
const n = deps.length;
const remaining = deps.map((d) => d.length);
const dependents = deps.map(() => []);
deps.forEach((d, i) => d.forEach((j) => dependents[j].push(i)));
const ready = [];
for (let i = 0; i < n; i++) if (remaining[i] === 0) ready.push(i);
let running = 0;
let finished = 0;

function pump() {
  while (running < parallelism && ready.length > 0) {
    const i = ready.shift();
    running++;
    const child = spawn(argv[i][0], argv[i].slice(1), { stdio: 'ignore', env });
    child.on('exit', (code) => {
      running--;
      finished++;
      if (code !== 0) {
        console.error(`node ${i} exited ${code}`);
        process.exit(1);
      }
      for (const j of dependents[i]) if (--remaining[j] === 0) ready.push(j);
      pump();
    });
  }
  if (finished === n) process.exitCode = 0;
}
pump();
