/**
 * Who calls a hot function in a V8 .cpuprofile: self time of functions named NAME, grouped by
 * their caller chain (DEPTH frames up). Usage: node bench/lib/cpuprofile-callers.mjs FILE NAME [DEPTH]
 */
import { readFileSync } from 'node:fs';

const [file, name, depth = '4'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const parent = new Map();
for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const label = (n) => `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.replace(/.*\//, '')}:${n.callFrame.lineNumber + 1}`;
const chains = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  if (node.callFrame.functionName !== name) continue;
  const chain = [];
  let p = parent.get(id);
  for (let d = 0; d < Number(depth) && p !== undefined; d++, p = parent.get(p)) chain.push(label(byId.get(p)));
  const key = chain.join(' < ');
  chains.set(key, (chains.get(key) ?? 0) + us);
}
for (const [k, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
