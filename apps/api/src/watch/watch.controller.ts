/** `GET /api/v1/workflow-events/{ns}`: a stream of {"result":{"type","object"}} (NDJSON or SSE). */
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../auth/access.js';
import { clientGone, streamFormat, writeStream } from '../common/stream.js';
import { NamePipe, queryString } from '../common/validation.js';
import { WatchService } from './watch.service.js';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/v1/workflow-events')
export class WatchController {
  constructor(private readonly watch: WatchService) {}

  @Get(':namespace')
  @Access('read')
  @ApiOperation({ summary: 'Watch workflows: ADDED for the current ones, then MODIFIED/DELETED as they change' })
  @ApiQuery({ name: 'listOptions.fieldSelector', required: false, description: 'metadata.name=NAME' })
  @ApiQuery({ name: 'listOptions.labelSelector', required: false })
  async watchWorkflows(@Param('namespace', NamePipe) ns: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const open = this.watch.open(ns, {
      fieldSelector: queryString(req, 'listOptions.fieldSelector'),
      labelSelector: queryString(req, 'listOptions.labelSelector'),
    });
    const signal = clientGone(res);
    await writeStream(res, streamFormat(req), open(signal), signal);
  }
}
