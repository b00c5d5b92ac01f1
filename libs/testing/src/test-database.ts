/** A fresh PostgreSQL database per test run (no Docker here: the machine's real server). */
import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase, migrate } from '@slipway/persistence';

export const TEST_SERVER_URL = process.env.SLIPWAY_TEST_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
export const TEST_REDIS_URL = process.env.SLIPWAY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Create `slipway_test_<random>` and apply the migrations. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `slipway_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = `${TEST_SERVER_URL}/${name}`;
  await ensureDatabase(url);
  await migrate(url);
  return { url, drop: () => dropDatabase(url) };
}

/** A Redis key prefix of our own, so parallel test runs never share queues. */
export function testRedisPrefix(label = 'test'): string {
  return `slipway-test:${label}:${randomBytes(4).toString('hex')}`;
}
