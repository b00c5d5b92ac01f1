/** Argo Server's WorkflowService: create, list, get, delete, lint, submit (thin: validate, call, map). */
import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Workflow } from '@slipway/workflow';
import type { Request } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access } from '../auth/access.js';
import { readBodyDocument } from '../common/documents.js';
import { NamePipe, positiveInt, queryList, queryString, validBody } from '../common/validation.js';
import { submitBody, schemas } from './workflow-schemas.js';
import { WorkflowQueryService, type WorkflowList } from './workflow-query.service.js';
import { WorkflowSubmissionService } from './workflow-submission.service.js';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/v1/workflows')
export class WorkflowsController {
  constructor(
    private readonly submission: WorkflowSubmissionService,
    private readonly query: WorkflowQueryService,
  ) {}

  @Post(':namespace')
  @HttpCode(200)
  @Access('workflow:write')
  @Audited('workflow.create', 'workflows')
  @ApiOperation({ summary: 'Submit a workflow ({"workflow": {...}} as JSON, or the document as application/yaml)' })
  @ApiBody({ schema: schemas.workflowCreate })
  create(@Param('namespace', NamePipe) namespace: string, @Req() req: Request): Promise<Workflow> {
    const { doc, extra } = readBodyDocument(req, 'workflow', ['Workflow']);
    return this.submission.submitDocument(namespace, doc, isDryRun(extra));
  }

  @Get(':namespace')
  @Access('read')
  @ApiOperation({ summary: 'List workflows (newest first) without status.nodes' })
  @ApiQuery({ name: 'listOptions.labelSelector', required: false })
  @ApiQuery({ name: 'listOptions.fieldSelector', required: false, description: 'metadata.name=X, status.phase=Running' })
  @ApiQuery({ name: 'listOptions.limit', required: false })
  @ApiQuery({ name: 'listOptions.continue', required: false })
  @ApiQuery({ name: 'phase', required: false, description: 'phase filter, repeatable or comma-separated' })
  list(@Param('namespace', NamePipe) namespace: string, @Req() req: Request): Promise<WorkflowList> {
    const limit = queryString(req, 'listOptions.limit');
    return this.query.list(namespace, {
      labelSelector: queryString(req, 'listOptions.labelSelector'),
      fieldSelector: queryString(req, 'listOptions.fieldSelector'),
      phases: queryList(req, 'phase'),
      limit: limit === undefined || limit === '0' ? undefined : positiveInt(limit, 'listOptions.limit'),
      continueToken: queryString(req, 'listOptions.continue') || undefined,
    });
  }

  @Post(':namespace/lint')
  @HttpCode(200)
  @Access('read')
  @ApiOperation({ summary: 'Lint a workflow against the namespace’s templates (400 names line:col and field)' })
  @ApiBody({ schema: schemas.workflowCreate })
  async lint(@Param('namespace', NamePipe) namespace: string, @Req() req: Request): Promise<Workflow> {
    const { doc } = readBodyDocument(req, 'workflow', ['Workflow']);
    await this.submission.lint(namespace, doc);
    return doc.object as unknown as Workflow;
  }

  @Post(':namespace/submit')
  @HttpCode(200)
  @Access('workflow:write')
  @Audited('workflow.submit', 'workflows')
  @ApiOperation({ summary: 'Submit a workflow from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow' })
  @ApiBody({ schema: schemas.submit })
  submit(@Param('namespace', NamePipe) namespace: string, @Req() req: Request): Promise<Workflow> {
    return this.submission.submitResource(namespace, validBody(req, submitBody));
  }

  @Get(':namespace/:name')
  @Access('read')
  @ApiOperation({ summary: 'Get a workflow with status.nodes' })
  get(@Param('namespace', NamePipe) namespace: string, @Param('name', NamePipe) name: string): Promise<Workflow> {
    return this.query.get(namespace, name);
  }

  @Delete(':namespace/:name')
  @Access('workflow:write')
  @Audited('workflow.delete', 'workflows')
  @ApiOperation({ summary: 'Delete a workflow with its nodes and logs' })
  async delete(@Param('namespace', NamePipe) namespace: string, @Param('name', NamePipe) name: string): Promise<Record<string, never>> {
    await this.query.delete(namespace, name);
    return {};
  }
}

function isDryRun(extra: Record<string, unknown>): boolean {
  if (extra.serverDryRun === true) return true;
  const opts = extra.createOptions as { dryRun?: unknown } | undefined;
  return Array.isArray(opts?.dryRun) && opts.dryRun.length > 0;
}
