// `npm run db:migrate`: create the database if missing and apply prisma/migrations.
import { loadConfig } from '@slipway/config';
import { ensureDatabase, migrate } from '@slipway/persistence';

try {
  const config = loadConfig();
  await ensureDatabase(config.DATABASE_URL);
  const result = await migrate(config.DATABASE_URL);
  console.log(`migrations: ${result.applied.length} applied${result.applied.length ? ` (${result.applied.join(', ')})` : ''}, ${result.alreadyApplied} already in place`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
