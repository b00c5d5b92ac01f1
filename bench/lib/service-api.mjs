/**
 * An API process for the service benchmarks: `createApiApp` wired as `apps/api/dist/main.js`
 * wires it (Prisma pool, producer and subscriber connections), listening on 127.0.0.1 on a free
 * port, which it reports over IPC. No example templates are loaded. IPC: {type:'stop'}.
 */
import { createApiApp } from '@slipway/api';
import { loadConfig } from '@slipway/config';
import { createPrismaClient } from '@slipway/persistence';
import { queryCounts } from './query-counter.mjs';
import { redisConnection, SlipwayQueues } from '@slipway/queue';

const config = loadConfig(process.env);
const prisma = createPrismaClient(config.DATABASE_URL, Number(process.env.BENCH_DB_POOL ?? 10));
const producer = redisConnection(config.REDIS_URL);
const queues = new SlipwayQueues(producer, config.SLIPWAY_REDIS_PREFIX);
const subscriber = redisConnection(config.REDIS_URL, { forWorker: true });
const app = await createApiApp({ config, prisma, queues, subscriber, logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();

process.on('message', (msg) => {
  if (msg?.type === 'queries') process.send({ type: 'queries', queries: queryCounts() });
  if (msg?.type !== 'stop') return;
  app
    .close()
    .then(() => Promise.all([queues.close(), prisma.$disconnect()]))
    .catch((err) => process.stderr.write(`[bench api] stop: ${err.message}\n`))
    .finally(() => {
      subscriber.disconnect();
      producer.disconnect();
      process.exit(0);
    });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', pid: process.pid, url: `http://127.0.0.1:${port}` });
