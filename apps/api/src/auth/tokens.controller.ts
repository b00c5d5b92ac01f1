/** Slipway's token API (admin with access to all namespaces): issue (shown once), list, revoke. */
import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiTokenRecord } from '@slipway/persistence';
import type { Request } from 'express';
import { z } from 'zod';
import { Audited } from '../audit/audit.interceptor.js';
import { validate, validBody } from '../common/validation.js';
import { jsonSchema } from '../workflows/workflow-schemas.js';
import { Access, Caller, type Principal } from './access.js';
import { TokenService, type IssuedToken } from './token-service.js';

const namespace = z.union([z.literal('*'), z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name or *')]);

const createTokenBody = z.object({
  name: z.string().min(1).max(100),
  role: z.enum(['admin', 'developer', 'viewer']),
  namespaces: z.union([z.array(namespace).min(1), namespace.transform((n) => [n])]),
});

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @HttpCode(200)
  @Access('admin', 'server')
  @Audited('token.create', 'tokens')
  @ApiOperation({ summary: 'Issue a token: the response is the only time it is shown' })
  @ApiBody({ schema: jsonSchema(createTokenBody) })
  create(@Req() req: Request, @Caller() who: Principal): Promise<IssuedToken> {
    return this.tokens.issue(validBody(req, createTokenBody), who.name);
  }

  @Get()
  @Access('admin', 'server')
  async list(): Promise<{ items: ApiTokenRecord[] }> {
    return { items: await this.tokens.list() };
  }

  @Delete(':id')
  @Access('admin', 'server')
  @Audited('token.revoke', 'tokens')
  async revoke(@Param('id') id: string): Promise<Record<string, never>> {
    await this.tokens.revoke(validate(z.uuid(), id, 'id'));
    return {};
  }
}
