// Runs the shell-runnable Argo examples through the built `slipway run`, several at a time, and
// prints each outcome and the score. Usage: node scripts/conformance.mjs [filter] (after npm run build).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = process.env.SLIPWAY_ARGO_EXAMPLES ?? resolve(import.meta.dirname, '../../shared/argo-examples');
const filter = process.argv[2] ?? '';
const skip = process.env.SKIP ? new RegExp(process.env.SKIP) : undefined;
const lines = readFileSync(join(root, 'CATALOGUE.tsv'), 'utf8').trim().split('\n');
const head = lines[0].split('\t');
const rows = lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((c, i) => [head[i], c])))
  .filter((r) => r.shell_runnable.startsWith('yes') && ['Succeeded', 'Failed'].includes(r.expected_phase) && r.file.includes(filter) && !(skip && skip.test(r.file)));
const extra = {
  'examples/workflow-event-binding/event-consumer-workflowtemplate.yaml': ['-p', 'appellation=Mr Slipway'],
  'examples/suspend-template-outputs.yaml': ['--auto-resume', '--set', 'approve.message=approved by slipway'],
  'examples/suspend-template.yaml': ['--auto-resume'],
  'examples/intermediate-parameters.yaml': ['--auto-resume'],
};
const cli = resolve(import.meta.dirname, '../apps/cli/dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'slipway-conf-'));
let pass = 0;
const failures = [];
const queue = [...rows];
async function one(r) {
  const companions = [...(r.notes.matchAll(/companions: ([^|]+)/g))].flatMap((m) => m[1].split(/,\s*|\s*\+\s*/)).map((c) => c.trim()).filter((c) => c.startsWith('examples/'));
  const args = [cli, 'run', join(root, r.file), '-o', 'json', '-q', '--workdir', work, ...[...new Set(companions)].flatMap((c) => ['--templates', join(root, c)]), ...(extra[r.file] ?? [])];
  const started = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((res) => child.on('close', res));
  let phase = `exit ${code}`;
  try {
    phase = JSON.parse(out).status.phase;
  } catch {}
  const ok = phase === r.expected_phase;
  if (ok) pass++;
  else failures.push(`${r.file}: expected ${r.expected_phase}, got ${phase}\n${err.split('\n').slice(-6).join('\n')}`);
  console.log(`${ok ? 'PASS' : 'FAIL'} ${r.file} ${phase} ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
await Promise.all(Array.from({ length: Number(process.env.CONCURRENCY ?? 8) }, async () => {
  while (queue.length) await one(queue.shift());
}));
for (const f of failures) console.log(`\n${f}`);
console.log(`\nconformance: ${pass}/${rows.length} examples end with Argo's phase`);
