/** Prometheus `GET /metrics` (no token, like Argo's metrics endpoint). */
import { Controller, Get, Inject, Res, type Provider } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SlipwayMetrics, workflowCounts } from '@slipway/observability';
import type { PrismaClient } from '@slipway/persistence';
import type { SlipwayQueues } from '@slipway/queue';
import type { Response } from 'express';
import { Public } from '../auth/access.js';
import { PRISMA, QUEUES } from '../deps.js';

export const METRICS = Symbol('SlipwayMetrics');

/** The API's registry: `deps.metrics` when given (tests), else a new one. */
export function metricsProvider(given?: SlipwayMetrics): Provider {
  return {
    provide: METRICS,
    useFactory: (prisma: PrismaClient, queues: SlipwayQueues) =>
      (given ?? new SlipwayMetrics({ component: 'api' })).workflowsFrom(workflowCounts(prisma)).watchQueues([queues.reconcile, queues.pods, queues.timers]),
    inject: [PRISMA, QUEUES],
  };
}

@ApiExcludeController()
@Controller()
@Public()
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: SlipwayMetrics) {}

  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    res.status(200).type(contentType).send(body);
  }
}
