/** The one place that creates Prisma clients (driver adapter over node-postgres; no native engine). */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';
import { registerSqlPool } from './sql-pool.js';

export type Db = PrismaClient;

/**
 * A client over a `pg` pool of `poolSize` connections; the hot-path repositories send prepared
 * statements on the same pool (sql-pool.ts). `$disconnect` ends the pool.
 */
export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle connection the server dropped must not crash the process: the next query opens another.
  pool.on('error', () => undefined);
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  registerSqlPool(client, pool);
  return client;
}

export { PrismaClient };
export { Prisma } from './generated/prisma/client.js';
