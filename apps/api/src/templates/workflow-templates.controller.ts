/** Argo Server's WorkflowTemplateService, plus Slipway's revisions, diff and rollback. */
import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WorkflowTemplate } from '@slipway/workflow';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access, Caller, type Principal } from '../auth/access.js';
import { NamePipe, positiveInt, queryString, validBody } from '../common/validation.js';
import { rollbackBody, templateSchemas, wantsText } from './template-schemas.js';
import { TemplatesService, type RevisionInfo, type TemplateList } from './templates.service.js';

const KIND = 'WorkflowTemplate';

@ApiTags('workflow-templates')
@ApiBearerAuth()
@Controller('api/v1/workflow-templates/:namespace')
export class WorkflowTemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post()
  @HttpCode(200)
  @Access('template:write')
  @Audited('workflowtemplate.create', 'workflowtemplates')
  @ApiOperation({ summary: 'Create a WorkflowTemplate (revision 1)' })
  @ApiBody({ schema: templateSchemas.template })
  create(@Param('namespace', NamePipe) ns: string, @Req() req: Request, @Caller() who: Principal): Promise<WorkflowTemplate> {
    return this.templates.create(KIND, ns, req, who.name);
  }

  @Get()
  @Access('read')
  @ApiOperation({ summary: 'List WorkflowTemplates (current revisions)' })
  list(@Param('namespace', NamePipe) ns: string, @Req() req: Request): Promise<TemplateList> {
    return this.templates.list(KIND, ns, queryString(req, 'listOptions.labelSelector'));
  }

  @Post('lint')
  @HttpCode(200)
  @Access('read')
  @ApiOperation({ summary: 'Lint a WorkflowTemplate' })
  @ApiBody({ schema: templateSchemas.template })
  lint(@Param('namespace', NamePipe) ns: string, @Req() req: Request): Promise<WorkflowTemplate> {
    return this.templates.lint(KIND, ns, req);
  }

  @Get(':name')
  @Access('read')
  get(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<WorkflowTemplate> {
    return this.templates.get(KIND, ns, name);
  }

  @Put(':name')
  @Access('template:write')
  @Audited('workflowtemplate.update', 'workflowtemplates')
  @ApiOperation({ summary: 'Update: a new revision (metadata.resourceVersion, when sent, must be the current revision)' })
  @ApiBody({ schema: templateSchemas.template })
  update(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request, @Caller() who: Principal): Promise<WorkflowTemplate> {
    return this.templates.update(KIND, ns, name, req, who.name);
  }

  @Delete(':name')
  @Access('template:write')
  @Audited('workflowtemplate.delete', 'workflowtemplates')
  async delete(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<Record<string, never>> {
    await this.templates.delete(KIND, ns, name);
    return {};
  }

  @Get(':name/revisions')
  @Access('read')
  @ApiOperation({ summary: 'Revisions, newest first' })
  revisions(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<{ items: RevisionInfo[] }> {
    return this.templates.revisions(KIND, ns, name);
  }

  @Get(':name/revisions/:revision')
  @Access('read')
  revision(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Param('revision') revision: string) {
    return this.templates.revision(KIND, ns, name, positiveInt(revision, 'revision'));
  }

  @Get(':name/revisions/:from/diff/:to')
  @Access('read')
  @ApiOperation({ summary: 'Unified diff of the YAML of two revisions (JSON, or the bare diff with Accept: text/plain)' })
  async diff(
    @Param('namespace', NamePipe) ns: string,
    @Param('name', NamePipe) name: string,
    @Param('from') from: string,
    @Param('to') to: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.templates.diff(KIND, ns, name, positiveInt(from, 'from'), positiveInt(to, 'to'));
    if (!wantsText(accept)) return result;
    res.type('text/x-diff');
    return result.diff;
  }

  @Post(':name/rollback')
  @HttpCode(200)
  @Access('template:write')
  @Audited('workflowtemplate.rollback', 'workflowtemplates')
  @ApiOperation({ summary: 'Make a new revision that copies revision n' })
  @ApiBody({ schema: templateSchemas.rollback })
  rollback(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request, @Caller() who: Principal): Promise<WorkflowTemplate> {
    return this.templates.rollback(KIND, ns, name, validBody(req, rollbackBody).revision, who.name);
  }
}
