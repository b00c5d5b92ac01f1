#!/usr/bin/env node
/**
 * `slipway-api`: the API role. Loads the configuration, creates and migrates the database, checks
 * Redis, loads the bundled example WorkflowTemplates and listens on HOST:PORT. Start-up problems
 * are one clear line and a non-zero exit, never a stack trace.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { ConfigError, loadConfig, type SlipwayConfig } from '@slipway/config';
import { createPrismaClient, ensureDatabase, migrate } from '@slipway/persistence';
import { checkRedis, redisConnection, SlipwayQueues } from '@slipway/queue';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApiApp } from './app.js';
import { generateToken } from './auth/token-service.js';
import { loadExampleTemplates } from './examples.js';

const TAG = '[api]';

export async function startApi(env: Record<string, string | undefined> = process.env): Promise<INestApplication> {
  let config: SlipwayConfig = loadConfig(env);
  await ensureDatabase(config.DATABASE_URL);
  const migrations = await migrate(config.DATABASE_URL);
  if (migrations.applied.length > 0) console.log(`${TAG} applied migrations: ${migrations.applied.join(', ')}`);
  await checkRedis(config.REDIS_URL);

  if (!config.SLIPWAY_ADMIN_TOKEN) {
    const token = generateToken();
    config = { ...config, SLIPWAY_ADMIN_TOKEN: token };
    console.log(`${TAG} SLIPWAY_ADMIN_TOKEN is not set; bootstrap admin token for this process (shown once):\n${TAG}   ${token}`);
    if (!config.SLIPWAY_SECRET_KEY) console.warn(`${TAG} SLIPWAY_SECRET_KEY is not set either: GitHub webhook secrets are encrypted with a key derived from this generated token and cannot be verified after a restart`);
  }

  const prisma = createPrismaClient(config.DATABASE_URL);
  const producer = redisConnection(config.REDIS_URL);
  const queues = new SlipwayQueues(producer, config.SLIPWAY_REDIS_PREFIX);
  const subscriber = redisConnection(config.REDIS_URL, { forWorker: true });

  const examples = examplesDir(config);
  if (examples) {
    const report = await loadExampleTemplates(prisma, examples, config.SLIPWAY_NAMESPACE);
    if (report.created.length > 0) console.log(`${TAG} loaded example templates: ${report.created.join(', ')}`);
    for (const p of report.problems) console.warn(`${TAG} example not loaded: ${p}`);
  }

  const app = await createApiApp({ config, prisma, queues, subscriber });
  await app.listen(config.PORT, config.HOST);
  console.log(`${TAG} listening on http://${config.HOST}:${config.PORT} (OpenAPI: /api/docs)`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    app
      .close()
      .then(() => Promise.all([queues.close(), prisma.$disconnect()]))
      .catch(() => undefined)
      .finally(() => {
        subscriber.disconnect();
        producer.disconnect();
        process.exit(0);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return app;
}

/** SLIPWAY_EXAMPLES, else `examples/templates` of the working directory or of the repository. */
function examplesDir(config: SlipwayConfig): string | undefined {
  if (config.SLIPWAY_EXAMPLES) return config.SLIPWAY_EXAMPLES;
  const candidates = [resolve(process.cwd(), 'examples/templates'), resolve(import.meta.dirname, '../../../examples/templates')];
  return candidates.find((d) => existsSync(d));
}

if (process.argv[1]?.endsWith('api/dist/main.js')) {
  startApi().catch((err: unknown) => {
    // Config, database, Redis, migration and listen errors all carry a message meant for people.
    const message = err instanceof Error ? err.message : String(err);
    console.error(err instanceof ConfigError ? message : `${TAG} cannot start: ${message}`);
    process.exit(1);
  });
}
