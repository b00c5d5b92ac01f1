/** Argo Server's workflow operations: stop, terminate, suspend, resume, set, retry, resubmit. */
import { Controller, Param, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Workflow } from '@slipway/workflow';
import type { Request } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access } from '../auth/access.js';
import { NamePipe, validBody } from '../common/validation.js';
import { WorkflowActionsService } from './workflow-actions.service.js';
import { resubmitBody, resumeBody, retryBody, schemas, setBody, stopBody } from './workflow-schemas.js';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/v1/workflows/:namespace/:name')
export class WorkflowActionsController {
  constructor(private readonly actions: WorkflowActionsService) {}

  @Put('stop')
  @Access('workflow:write')
  @Audited('workflow.stop', 'workflows')
  @ApiOperation({ summary: 'Stop: running steps are killed, exit handlers run (with nodeFieldSelector: fail those suspend nodes)' })
  @ApiBody({ schema: schemas.stop, required: false })
  stop(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<Workflow> {
    return this.actions.stop(ns, name, validBody(req, stopBody));
  }

  @Put('terminate')
  @Access('workflow:write')
  @Audited('workflow.terminate', 'workflows')
  @ApiOperation({ summary: 'Terminate: running steps are killed, exit handlers do not run' })
  terminate(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<Workflow> {
    return this.actions.terminate(ns, name);
  }

  @Put('suspend')
  @Access('workflow:write')
  @Audited('workflow.suspend', 'workflows')
  @ApiOperation({ summary: 'Suspend: no new steps start until resumed' })
  suspend(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string): Promise<Workflow> {
    return this.actions.suspend(ns, name);
  }

  @Put('resume')
  @Access('workflow:write')
  @Audited('workflow.resume', 'workflows')
  @ApiOperation({ summary: 'Resume the workflow, or only the suspend nodes matching nodeFieldSelector (e.g. displayName=approve)' })
  @ApiBody({ schema: schemas.resume, required: false })
  resume(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<Workflow> {
    return this.actions.resume(ns, name, validBody(req, resumeBody));
  }

  @Put('set')
  @Access('workflow:write')
  @Audited('workflow.set', 'workflows')
  @ApiOperation({ summary: 'Set output parameters / phase / message of suspend nodes (outputParameters is a JSON string)' })
  @ApiBody({ schema: schemas.set })
  set(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<Workflow> {
    return this.actions.set(ns, name, validBody(req, setBody));
  }

  @Put('retry')
  @Access('workflow:write')
  @Audited('workflow.retry', 'workflows')
  @ApiOperation({ summary: 'Retry failed parts of a finished workflow (restartSuccessful + nodeFieldSelector as in Argo)' })
  @ApiBody({ schema: schemas.retry, required: false })
  retry(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<Workflow> {
    return this.actions.retry(ns, name, validBody(req, retryBody));
  }

  @Put('resubmit')
  @Access('workflow:write')
  @Audited('workflow.resubmit', 'workflows')
  @ApiOperation({ summary: 'Submit a new workflow with the same spec' })
  @ApiBody({ schema: schemas.resubmit, required: false })
  resubmit(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request): Promise<Workflow> {
    return this.actions.resubmit(ns, name, validBody(req, resubmitBody));
  }
}
