/** Argo Server's CronWorkflowService (scheduling itself runs in the worker). */
import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CronWorkflow } from '@slipway/workflow';
import type { Request } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access } from '../auth/access.js';
import { NamePipe } from '../common/validation.js';
import type { OpenApiSchema } from '../workflows/workflow-schemas.js';
import { CronService } from './cron.service.js';

const cronSchema = {
  type: 'object',
  properties: { cronWorkflow: { type: 'object', description: 'A CronWorkflow; or send the bare document as application/yaml' } },
  required: ['cronWorkflow'],
} as OpenApiSchema;

@ApiTags('cron-workflows')
@ApiBearerAuth()
@Controller('api/v1/cron-workflows/:namespace')
export class CronController {
  constructor(private readonly crons: CronService) {}

  @Post()
  @HttpCode(200)
  @Access('cron:write')
  @Audited('cronworkflow.create', 'cronworkflows')
  @ApiBody({ schema: cronSchema })
  create(@Param('namespace', NamePipe) ns: string, @Req() req: Request): Promise<CronWorkflow> {
    return this.crons.create(ns, req);
  }

  @Get()
  @Access('read')
  list(@Param('namespace', NamePipe) ns: string) {
    return this.crons.list(ns);
  }

  @Post('lint')
  @HttpCode(200)
  @Access('read')
  @ApiBody({ schema: cronSchema })
  lint(@Param('namespace', NamePipe) ns: string, @Req() req: Request): Promise<CronWorkflow> {
    return this.crons.lint(ns, req);
  }

  @Get(':name')
  @Access('read')
  @ApiOperation({ summary: 'Get a CronWorkflow (status.active lists its running workflows)' })
  get(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<CronWorkflow> {
    return this.crons.get(ns, name);
  }

  @Put(':name')
  @Access('cron:write')
  @Audited('cronworkflow.update', 'cronworkflows')
  @ApiBody({ schema: cronSchema })
  update(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<CronWorkflow> {
    return this.crons.update(ns, name, req);
  }

  @Delete(':name')
  @Access('cron:write')
  @Audited('cronworkflow.delete', 'cronworkflows')
  async delete(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<Record<string, never>> {
    await this.crons.delete(ns, name);
    return {};
  }

  @Put(':name/suspend')
  @Access('cron:write')
  @Audited('cronworkflow.suspend', 'cronworkflows')
  suspend(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<CronWorkflow> {
    return this.crons.setSuspended(ns, name, true);
  }

  @Put(':name/resume')
  @Access('cron:write')
  @Audited('cronworkflow.resume', 'cronworkflows')
  resume(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<CronWorkflow> {
    return this.crons.setSuspended(ns, name, false);
  }
}
