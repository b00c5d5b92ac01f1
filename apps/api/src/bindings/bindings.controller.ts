/** Argo's WorkflowEventBinding resource: CRUD and lint (admin for writes). */
import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WorkflowEventBinding } from '@slipway/workflow';
import type { Request } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access } from '../auth/access.js';
import { NamePipe } from '../common/validation.js';
import type { OpenApiSchema } from '../workflows/workflow-schemas.js';
import { BindingsService } from './bindings.service.js';

const bindingSchema = {
  type: 'object',
  properties: {
    workflowEventBinding: { type: 'object', description: 'A WorkflowEventBinding (spec.event.selector, spec.submit, spec.slipway); or send the bare document as application/yaml' },
  },
  required: ['workflowEventBinding'],
} as OpenApiSchema;

@ApiTags('workflow-event-bindings')
@ApiBearerAuth()
@Controller('api/v1/workflow-event-bindings/:namespace')
export class BindingsController {
  constructor(private readonly bindings: BindingsService) {}

  @Post()
  @HttpCode(200)
  @Access('template:write')
  @Audited('workfloweventbinding.create', 'workfloweventbindings')
  @ApiOperation({ summary: 'Create a binding (lint errors: 400 naming line:col and field)' })
  @ApiBody({ schema: bindingSchema })
  create(@Param('namespace', NamePipe) ns: string, @Req() req: Request): Promise<WorkflowEventBinding> {
    return this.bindings.create(ns, req);
  }

  @Get()
  @Access('read')
  list(@Param('namespace', NamePipe) ns: string) {
    return this.bindings.list(ns);
  }

  @Post('lint')
  @HttpCode(200)
  @Access('read')
  @ApiBody({ schema: bindingSchema })
  lint(@Param('namespace', NamePipe) ns: string, @Req() req: Request): WorkflowEventBinding {
    return this.bindings.lint(ns, req);
  }

  @Get(':name')
  @Access('read')
  get(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<WorkflowEventBinding> {
    return this.bindings.get(ns, name);
  }

  @Put(':name')
  @Access('template:write')
  @Audited('workfloweventbinding.update', 'workfloweventbindings')
  @ApiBody({ schema: bindingSchema })
  update(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<WorkflowEventBinding> {
    return this.bindings.update(ns, name, req);
  }

  @Delete(':name')
  @Access('template:write')
  @Audited('workfloweventbinding.delete', 'workfloweventbindings')
  async delete(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<Record<string, never>> {
    await this.bindings.delete(ns, name);
    return {};
  }
}
