/**
 * Failure alerts (the `alerts` outbox of @slipway/notify): list, read, and retry a `failed` or
 * `stored` one (back to pending; the worker's dispatcher sends it — the API never sends mail).
 */
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AlertOutbox, type AlertRecord } from '@slipway/persistence';
import type { Request } from 'express';
import { z } from 'zod';
import { Audited } from '../audit/audit.interceptor.js';
import { Access, Caller, type Principal } from '../auth/access.js';
import { precondition } from '../common/api-error.js';
import { positiveInt, queryString, validate } from '../common/validation.js';
import { decodeContinue, encodeContinue, listNamespace, visibleRow } from '../deliveries/namespace-scope.js';

const status = z.enum(['pending', 'sent', 'failed', 'stored']);

export type AlertView = Omit<AlertRecord, 'createdAt' | 'sentAt' | 'nextAttemptAt'> & { createdAt: string; sentAt: string | null; nextAttemptAt: string };

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly outbox: AlertOutbox) {}

  @Get()
  @Access('read')
  @ApiOperation({ summary: 'Failure alerts, newest first' })
  @ApiQuery({ name: 'namespace', required: false, description: 'required for tokens limited to several namespaces' })
  @ApiQuery({ name: 'workflow', required: false, description: 'workflow name' })
  @ApiQuery({ name: 'workflowId', required: false, description: 'workflow uid' })
  @ApiQuery({ name: 'status', required: false, enum: status.options })
  @ApiQuery({ name: 'limit', required: false, description: 'default 100, at most 1000' })
  @ApiQuery({ name: 'continue', required: false, description: 'metadata.continue of the previous page' })
  async list(@Req() req: Request, @Caller() who: Principal): Promise<{ metadata: { continue?: string }; items: AlertView[] }> {
    const q = (key: string) => queryString(req, key) || undefined;
    const limitText = q('limit');
    const limit = Math.min(limitText ? positiveInt(limitText, 'limit') : 100, 1000);
    const s = q('status');
    const cursor = decodeContinue(q('continue'));
    const rows = await this.outbox.list({
      namespace: listNamespace(who, q('namespace')),
      workflowName: q('workflow'),
      workflowId: q('workflowId') === undefined ? undefined : validate(z.uuid(), q('workflowId'), 'workflowId'),
      status: s === undefined ? undefined : validate(status, s, 'status'),
      cursor: cursor ? { createdAt: cursor.at, id: cursor.id } : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { metadata: rows.length > limit && last ? { continue: encodeContinue(last.createdAt, last.id) } : {}, items: page.map(view) };
  }

  @Get(':id')
  @Access('read')
  get(@Param('id') id: string, @Caller() who: Principal): Promise<AlertView> {
    return this.find(who, id).then(view);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Access('workflow:write')
  @Audited('alert.retry', 'alerts')
  @ApiOperation({ summary: 'Send a failed or stored alert again (back to pending; the worker sends it)' })
  async retry(@Param('id') id: string, @Caller() who: Principal): Promise<AlertView> {
    const alert = await this.find(who, id);
    if (!(await this.outbox.retry(alert.id))) throw precondition(`alert ${id} is ${alert.status}: only failed or stored alerts can be retried`);
    return view((await this.outbox.get(alert.id)) ?? alert);
  }

  private async find(who: Principal, id: string): Promise<AlertRecord> {
    return visibleRow(who, await this.outbox.get(validate(z.uuid(), id, 'id')), `alert ${id}`);
  }
}

function view(a: AlertRecord): AlertView {
  return { ...a, createdAt: a.createdAt.toISOString(), sentAt: a.sentAt ? a.sentAt.toISOString() : null, nextAttemptAt: a.nextAttemptAt.toISOString() };
}
