/**
 * Opt-in (BENCH_COUNT_QUERIES=1) count of the SQL statements a bench child process sends, by
 * their first 90 characters, and of its Redis commands (by command name; a BullMQ Lua script is
 * one `evalsha`, named by the script where ioredis knows it). Loaded by service-api/worker.mjs.
 */
import { createRequire } from 'node:module';
import pg from 'pg';

const counts = new Map();
const redisCounts = new Map();
if (process.env.BENCH_COUNT_QUERIES === '1') {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
  // The ioredis copy BullMQ uses (resolved from bullmq's directory, in case there are two).
  const require = createRequire(createRequire(import.meta.url).resolve('bullmq'));
  for (const Redis of new Set([require('ioredis').Redis, createRequire(import.meta.url)('ioredis').Redis])) {
    const send = Redis.prototype.sendCommand;
    Redis.prototype.sendCommand = function countedCommand(command, ...rest) {
      const name = command?.name === 'evalsha' ? `evalsha ${scriptName(this, command.args?.[0])}` : command?.name;
      if (name) redisCounts.set(name, (redisCounts.get(name) ?? 0) + 1);
      return send.call(this, command, ...rest);
    };
  }
}

/** The name of a script ioredis defined with defineCommand, by its sha (BullMQ's moveToActive…). */
function scriptName(redis, sha) {
  for (const [name, script] of Object.entries(redis.scriptsSet ?? {})) if (script?.sha === sha) return name;
  return String(sha).slice(0, 8);
}

export function queryCounts() {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

export function redisCounts_() {
  return Object.fromEntries([...redisCounts].sort((a, b) => b[1] - a[1]));
}
