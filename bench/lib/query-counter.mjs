/**
 * Opt-in (BENCH_COUNT_QUERIES=1) count of the SQL statements a bench child process sends, by
 * their first 90 characters; printed to stderr on exit. Loaded by service-api/worker.mjs.
 */
import pg from 'pg';

const counts = new Map();
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
}

export function queryCounts() {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}
