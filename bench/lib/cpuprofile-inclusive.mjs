/**
 * Inclusive time in a V8 .cpuprofile of the frames whose "function file:line" matches a pattern
 * (each sample counted once). Usage: node bench/lib/cpuprofile-inclusive.mjs FILE REGEX [REGEX…]
 */
import { readFileSync } from 'node:fs';

const [file, ...patterns] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const parent = new Map();
for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const label = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^file:\/\//, '')}:${n.callFrame.lineNumber + 1}`;
const self = new Map();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const us = prof.timeDeltas[i] ?? 0;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + us);
  if (byId.get(prof.samples[i]).callFrame.functionName !== '(idle)') total += us;
}
for (const pattern of patterns) {
  const re = new RegExp(pattern);
  let us = 0;
  for (const [id, t] of self) {
    for (let p = id; p !== undefined; p = parent.get(p)) {
      if (re.test(label(byId.get(p)))) {
        us += t;
        break;
      }
    }
  }
  console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}% of busy  ${pattern}`);
}
