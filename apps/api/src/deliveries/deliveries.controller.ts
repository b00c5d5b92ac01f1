/** Webhook deliveries: list and filter, read one (headers redacted, raw body), replay. */
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { Audited } from '../audit/audit.interceptor.js';
import { Access, Caller, type Principal } from '../auth/access.js';
import { positiveInt, queryString, validate } from '../common/validation.js';
import { DeliveriesService, type DeliveryDetailView, type DeliveryView } from './deliveries.service.js';
import { decodeContinue, listNamespace, queryTime } from './namespace-scope.js';

const outcome = z.enum(['received', 'started', 'skipped', 'rejected', 'error']);
const provider = z.enum(['gitlab', 'github', 'generic']);

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/v1/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @Access('read')
  @ApiOperation({ summary: 'Deliveries, newest first (without headers and bodies)' })
  @ApiQuery({ name: 'namespace', required: false, description: 'required for tokens limited to several namespaces' })
  @ApiQuery({ name: 'provider', required: false, enum: provider.options })
  @ApiQuery({ name: 'outcome', required: false, enum: outcome.options })
  @ApiQuery({ name: 'eventType', required: false, description: 'e.g. "Push Hook", "push", or the discriminator of a generic event' })
  @ApiQuery({ name: 'kind', required: false, description: 'push, tag, merge_request, pull_request, other, generic' })
  @ApiQuery({ name: 'repo', required: false, description: 'e.g. shop/orders' })
  @ApiQuery({ name: 'since', required: false, description: 'received at or after (RFC 3339 or epoch ms)' })
  @ApiQuery({ name: 'until', required: false })
  @ApiQuery({ name: 'limit', required: false, description: 'default 50, at most 500' })
  @ApiQuery({ name: 'continue', required: false, description: 'metadata.continue of the previous page' })
  list(@Req() req: Request, @Caller() who: Principal): Promise<{ metadata: { continue?: string }; items: DeliveryView[] }> {
    const q = (key: string) => queryString(req, key) || undefined;
    const limitText = q('limit');
    const p = q('provider');
    const o = q('outcome');
    const before = decodeContinue(q('continue'));
    return this.deliveries.list({
      namespace: listNamespace(who, q('namespace')),
      provider: p === undefined ? undefined : validate(provider, p, 'provider'),
      outcome: o === undefined ? undefined : validate(outcome, o, 'outcome'),
      eventType: q('eventType'),
      kind: q('kind'),
      repo: q('repo'),
      since: queryTime(q('since'), 'since'),
      until: queryTime(q('until'), 'until'),
      before: before ? { receivedAt: before.at, id: before.id } : undefined,
      limit: Math.min(limitText ? positiveInt(limitText, 'limit') : 50, 500),
    });
  }

  @Get(':id')
  @Access('read')
  @ApiOperation({ summary: 'One delivery with its (redacted) headers and raw body' })
  get(@Param('id') id: string, @Caller() who: Principal): Promise<DeliveryDetailView> {
    return this.deliveries.get(who, validate(z.uuid(), id, 'id'));
  }

  @Post(':id/replay')
  @HttpCode(202)
  @Access('workflow:write')
  @Audited('delivery.replay', 'deliveries')
  @ApiOperation({ summary: 'Process a stored delivery again: a new delivery (replayOf = id) with the same headers and body, queued' })
  replay(@Param('id') id: string, @Caller() who: Principal): Promise<DeliveryView & { queued: boolean }> {
    return this.deliveries.replay(who, validate(z.uuid(), id, 'id'));
  }
}
