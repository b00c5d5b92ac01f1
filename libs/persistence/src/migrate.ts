/**
 * Applies prisma/migrations exactly as `prisma migrate deploy` would (Prisma's engine cannot be
 * downloaded on our machines): the `_prisma_migrations` table, SHA-256 checksums, name order, one
 * transaction per migration, under an advisory lock so concurrent starters do not race.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';

export class MigrationError extends Error {}

const LOCK_ID = 72707369; // arbitrary, stable

export function defaultMigrationsDir(): string {
  const candidates = [
    resolve(import.meta.dirname, '../../../prisma/migrations'),
    resolve(process.cwd(), 'prisma/migrations'),
  ];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new MigrationError(`prisma/migrations not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(databaseUrl: string, dir = defaultMigrationsDir()): Promise<MigrationResult> {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const rows = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.rows.map((r) => [r.migration_name, r]));
    for (const name of names) {
      const sql = readFileSync(join(dir, name, 'migration.sql'));
      const checksum = createHash('sha256').update(sql).digest('hex');
      const prev = done.get(name);
      if (prev) {
        if (!prev.finished_at) throw new MigrationError(`migration ${name} failed earlier and was not rolled back; fix the database by hand`);
        if (prev.checksum !== checksum) {
          throw new MigrationError(`migration ${name} was changed after it was applied (checksum differs); add a new migration instead`);
        }
        continue;
      }
      const id = randomUUID();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [id, checksum, name]);
        await client.query(sql.toString('utf8'));
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
        applied.push(name);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${name} failed: ${(err as Error).message}`);
      }
    }
    return { applied, alreadyApplied: names.length - applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
