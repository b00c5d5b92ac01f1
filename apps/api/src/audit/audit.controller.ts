/** Reading the audit trail (admins with access to all namespaces). */
import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditLog } from '@slipway/persistence';
import type { Request } from 'express';
import { Access } from '../auth/access.js';
import { invalid } from '../common/api-error.js';
import { positiveInt, queryString } from '../common/validation.js';

export interface AuditEventView {
  id: string;
  actor: string;
  action: string;
  namespace: string | null;
  resource: string;
  details: Record<string, unknown>;
  createdAt: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Access('admin', 'server')
  @ApiOperation({ summary: 'Audit events, newest first' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'continue', required: false, description: 'metadata.continue of the previous page' })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'action', required: false })
  @ApiQuery({ name: 'namespace', required: false })
  async list(@Req() req: Request): Promise<{ metadata: { continue?: string }; items: AuditEventView[] }> {
    const limitText = queryString(req, 'limit');
    const limit = limitText ? positiveInt(limitText, 'limit') : 100;
    const cont = queryString(req, 'continue');
    if (cont !== undefined && !/^\d+$/.test(cont)) throw invalid('continue: must be the metadata.continue of a previous page');
    const rows = await this.audit.list({
      limit: limit + 1,
      beforeId: cont ? BigInt(cont) : undefined,
      actor: queryString(req, 'actor'),
      action: queryString(req, 'action'),
      namespace: queryString(req, 'namespace'),
    });
    const page = rows.slice(0, limit);
    const items = page.map((r) => ({ ...r, id: r.id.toString(), createdAt: r.createdAt.toISOString() }));
    const more = rows.length > limit;
    return { metadata: more ? { continue: page[page.length - 1].id.toString() } : {}, items };
  }
}
