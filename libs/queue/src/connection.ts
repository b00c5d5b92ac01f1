/** Redis connections for BullMQ, with a clear message when Redis is not there. */
import { Redis, type RedisOptions } from 'ioredis';

export class RedisUnavailableError extends Error {}

export function redisConnection(url: string, opts: { forWorker?: boolean } = {}): Redis {
  const options: RedisOptions = {
    // Workers block on Redis and must retry forever; producers fail fast so an API stays responsive.
    maxRetriesPerRequest: opts.forWorker ? null : 2,
    enableOfflineQueue: opts.forWorker === true,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const redis = new Redis(url, options);
  redis.on('error', () => {
    // reported by the callers that need Redis; ioredis keeps reconnecting
  });
  return redis;
}

/** PING Redis once; throws RedisUnavailableError naming the URL. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const u = new URL(url);
    throw new RedisUnavailableError(`Redis is not reachable at ${u.hostname}:${u.port || '6379'} (REDIS_URL): ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
