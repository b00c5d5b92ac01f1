// `npm start`: create and migrate the database, then run the API and the worker as two processes
// (SLIPWAY_ROLES=api or worker runs just one). Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '@slipway/config';
import { ensureDatabase, migrate } from '@slipway/persistence';
import { checkRedis } from '@slipway/queue';

const root = resolve(import.meta.dirname, '..');
let config;
try {
  config = loadConfig();
  await ensureDatabase(config.DATABASE_URL);
  const m = await migrate(config.DATABASE_URL);
  if (m.applied.length) console.log(`[slipway] applied migrations: ${m.applied.join(', ')}`);
  await checkRedis(config.REDIS_URL);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `[slipway] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const roles = {
  api: resolve(root, 'apps/api/dist/main.js'),
  worker: resolve(root, 'apps/worker/dist/main.js'),
};
const children = [];
for (const role of config.SLIPWAY_ROLES) {
  const child = spawn(process.execPath, [roles[role]], { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    console.log(`[slipway] ${role} exited (${signal ?? code})`);
    shutdown(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
