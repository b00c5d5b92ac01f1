/** Argo Server's ClusterWorkflowTemplateService, plus Slipway's revisions, diff and rollback. */
import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WorkflowTemplate } from '@slipway/workflow';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access, Caller, type Principal } from '../auth/access.js';
import { NamePipe, positiveInt, queryString, validBody } from '../common/validation.js';
import { rollbackBody, templateSchemas, wantsText } from './template-schemas.js';
import { TemplatesService, type RevisionInfo, type TemplateList } from './templates.service.js';

const KIND = 'ClusterWorkflowTemplate';
const NS = '';

@ApiTags('cluster-workflow-templates')
@ApiBearerAuth()
@Controller('api/v1/cluster-workflow-templates')
export class ClusterWorkflowTemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post()
  @HttpCode(200)
  @Access('template:write', 'cluster')
  @Audited('clusterworkflowtemplate.create', 'clusterworkflowtemplates')
  @ApiOperation({ summary: 'Create a ClusterWorkflowTemplate (revision 1)' })
  @ApiBody({ schema: templateSchemas.template })
  create(@Req() req: Request, @Caller() who: Principal): Promise<WorkflowTemplate> {
    return this.templates.create(KIND, NS, req, who.name);
  }

  @Get()
  @Access('read', 'cluster')
  @ApiOperation({ summary: 'List ClusterWorkflowTemplates (current revisions)' })
  list(@Req() req: Request): Promise<TemplateList> {
    return this.templates.list(KIND, NS, queryString(req, 'listOptions.labelSelector'));
  }

  @Post('lint')
  @HttpCode(200)
  @Access('read', 'cluster')
  @ApiOperation({ summary: 'Lint a ClusterWorkflowTemplate' })
  @ApiBody({ schema: templateSchemas.template })
  lint(@Req() req: Request): Promise<WorkflowTemplate> {
    return this.templates.lint(KIND, NS, req);
  }

  @Get(':name')
  @Access('read', 'cluster')
  get(@Param('name', NamePipe) name: string): Promise<WorkflowTemplate> {
    return this.templates.get(KIND, NS, name);
  }

  @Put(':name')
  @Access('template:write', 'cluster')
  @Audited('clusterworkflowtemplate.update', 'clusterworkflowtemplates')
  @ApiOperation({ summary: 'Update: a new revision (metadata.resourceVersion, when sent, must be the current revision)' })
  @ApiBody({ schema: templateSchemas.template })
  update(@Param('name', NamePipe) name: string, @Req() req: Request, @Caller() who: Principal): Promise<WorkflowTemplate> {
    return this.templates.update(KIND, NS, name, req, who.name);
  }

  @Delete(':name')
  @Access('template:write', 'cluster')
  @Audited('clusterworkflowtemplate.delete', 'clusterworkflowtemplates')
  async delete(@Param('name', NamePipe) name: string): Promise<Record<string, never>> {
    await this.templates.delete(KIND, NS, name);
    return {};
  }

  @Get(':name/revisions')
  @Access('read', 'cluster')
  @ApiOperation({ summary: 'Revisions, newest first' })
  revisions(@Param('name', NamePipe) name: string): Promise<{ items: RevisionInfo[] }> {
    return this.templates.revisions(KIND, NS, name);
  }

  @Get(':name/revisions/:revision')
  @Access('read', 'cluster')
  revision(@Param('name', NamePipe) name: string, @Param('revision') revision: string) {
    return this.templates.revision(KIND, NS, name, positiveInt(revision, 'revision'));
  }

  @Get(':name/revisions/:from/diff/:to')
  @Access('read', 'cluster')
  @ApiOperation({ summary: 'Unified diff of the YAML of two revisions (JSON, or the bare diff with Accept: text/plain)' })
  async diff(
    @Param('name', NamePipe) name: string,
    @Param('from') from: string,
    @Param('to') to: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.templates.diff(KIND, NS, name, positiveInt(from, 'from'), positiveInt(to, 'to'));
    if (!wantsText(accept)) return result;
    res.type('text/x-diff');
    return result.diff;
  }

  @Post(':name/rollback')
  @HttpCode(200)
  @Access('template:write', 'cluster')
  @Audited('clusterworkflowtemplate.rollback', 'clusterworkflowtemplates')
  @ApiOperation({ summary: 'Make a new revision that copies revision n' })
  @ApiBody({ schema: templateSchemas.rollback })
  rollback(@Param('name', NamePipe) name: string, @Req() req: Request, @Caller() who: Principal): Promise<WorkflowTemplate> {
    return this.templates.rollback(KIND, NS, name, validBody(req, rollbackBody).revision, who.name);
  }
}
