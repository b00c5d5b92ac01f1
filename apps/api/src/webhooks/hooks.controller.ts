/** Registered GitLab/GitHub webhook hooks (admin with access to all namespaces): create (secret shown once), list, get, delete. */
import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { Audited } from '../audit/audit.interceptor.js';
import { Access } from '../auth/access.js';
import { k8sName, queryString, validate, validBody } from '../common/validation.js';
import { jsonSchema } from '../workflows/workflow-schemas.js';
import { HooksService, type CreatedHook, type HookView } from './hooks.service.js';

const provider = z.enum(['gitlab', 'github']);

const createHookBody = z.object({
  provider,
  name: k8sName.describe('unique per provider; the last segment of /api/v1/webhooks/<provider>/<name>'),
  namespace: k8sName.describe('namespace whose WorkflowEventBindings its deliveries may start'),
});

@ApiTags('webhook-hooks')
@ApiBearerAuth()
@Controller('api/v1/webhook-hooks')
export class HooksController {
  constructor(private readonly hooks: HooksService) {}

  @Post()
  @HttpCode(200)
  @Access('admin', 'server')
  @Audited('webhookhook.create', 'webhookhooks')
  @ApiOperation({ summary: 'Register a hook: the generated secret is in this response only (GitLab: Secret token; GitHub: Secret)' })
  @ApiBody({ schema: jsonSchema(createHookBody) })
  create(@Req() req: Request): Promise<CreatedHook> {
    return this.hooks.create(validBody(req, createHookBody));
  }

  @Get()
  @Access('admin', 'server')
  @ApiOperation({ summary: 'Registered hooks (never their secrets)' })
  @ApiQuery({ name: 'provider', required: false, enum: ['gitlab', 'github'] })
  @ApiQuery({ name: 'namespace', required: false })
  async list(@Req() req: Request): Promise<{ items: HookView[] }> {
    const p = queryString(req, 'provider');
    const ns = queryString(req, 'namespace');
    return { items: await this.hooks.list({ provider: p === undefined ? undefined : validate(provider, p, 'provider'), namespace: ns }) };
  }

  @Get(':id')
  @Access('admin', 'server')
  get(@Param('id') id: string): Promise<HookView> {
    return this.hooks.get(validate(z.uuid(), id, 'id'));
  }

  @Delete(':id')
  @Access('admin', 'server')
  @Audited('webhookhook.delete', 'webhookhooks')
  @ApiOperation({ summary: 'Delete a hook; its deliveries stay (without the hook)' })
  delete(@Param('id') id: string): Promise<HookView> {
    return this.hooks.delete(validate(z.uuid(), id, 'id'));
  }
}
