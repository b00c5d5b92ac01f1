/** Liveness (the process answers) and readiness (PostgreSQL and Redis answer). No token needed. */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { pingDatabase, type PrismaClient } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { GRPC } from '../common/api-error.js';
import { Public } from '../auth/access.js';
import { PRISMA, QUEUES } from '../deps.js';

const TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(QUEUES) private readonly queues: SlipwayQueues,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: 200 when PostgreSQL and Redis answer, else 503 naming which does not' })
  async readyz(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([
      check(() => pingDatabase(this.prisma)),
      check(() => pingRedis(this.queues.connection)),
    ]);
    const failing = [postgres === 'ok' ? undefined : `postgres: ${postgres}`, redis === 'ok' ? undefined : `redis: ${redis}`].filter(Boolean);
    if (failing.length === 0) {
      res.status(200).json({ status: 'ok', postgres, redis });
      return;
    }
    res.status(503).json({ code: GRPC.Unavailable, reason: 'Unavailable', message: `not ready: ${failing.join('; ')}`, postgres, redis });
  }
}

/** PING; a connection still (re)connecting gets until its next 'ready' or 'error'. */
async function pingRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        redis.off('ready', onReady);
        redis.off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const onReady = (): void => done();
      redis.once('ready', onReady);
      redis.once('error', done);
    });
  }
  await redis.ping();
}

async function check(op: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  });
  try {
    return await Promise.race([op().then(() => 'ok'), timeout]);
  } catch (err) {
    const message = (err as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? 'unreachable';
    return `unreachable (${message})`;
  } finally {
    clearTimeout(timer);
  }
}
