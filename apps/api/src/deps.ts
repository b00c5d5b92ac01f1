/** What the API is built from: explicit dependencies, so tests and the composition root wire it the same way. */
import type { LoggerService, LogLevel } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import type { SlipwayMetrics } from '@slipway/observability';
import type { PrismaClient } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';
import type { Redis } from 'ioredis';

export interface ApiDeps {
  config: SlipwayConfig;
  prisma: PrismaClient;
  /** Producers (the reconcile doorbell); its connection also publishes deletions and answers /readyz. */
  queues: SlipwayQueues;
  /** A connection of its own for SUBSCRIBE (workflow updates for watchers). */
  subscriber: Redis;
  /** Epoch milliseconds; injectable for tests. */
  clock?: () => number;
  /** Nest's logger, or the levels to print (default: from SLIPWAY_LOG_LEVEL). */
  logger?: LoggerService | LogLevel[] | false;
  /** The Prometheus registry behind GET /metrics (default: a new one). */
  metrics?: SlipwayMetrics;
}

export const CONFIG = Symbol('SlipwayConfig');
export const PRISMA = Symbol('PrismaClient');
export const QUEUES = Symbol('SlipwayQueues');
export const SUBSCRIBER = Symbol('RedisSubscriber');
export const CLOCK = Symbol('Clock');

export type Clock = () => number;

/** The Redis channel the worker publishes `{workflowId, namespace, name, phase, version}` on after each save. */
export function updatesChannel(prefix: string): string {
  return `${prefix}:workflow-updates`;
}
