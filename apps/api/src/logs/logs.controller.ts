/** `GET /api/v1/workflows/{ns}/{name}/log`: NDJSON like Argo Server, or SSE for browsers. */
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../auth/access.js';
import { clientGone, streamFormat, writeStream } from '../common/stream.js';
import { NamePipe, queryBool, queryString } from '../common/validation.js';
import { LogsService } from './logs.service.js';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/v1/workflows/:namespace/:name')
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get('log')
  @Access('read')
  @ApiOperation({ summary: 'Step logs: one {"result":{"content","podName"}} per line (Accept: text/event-stream for SSE)' })
  @ApiQuery({ name: 'podName', required: false })
  @ApiQuery({ name: 'logOptions.container', required: false, description: 'default main' })
  @ApiQuery({ name: 'logOptions.follow', required: false })
  @ApiQuery({ name: 'grep', required: false, description: 'regular expression' })
  log(@Param('namespace', NamePipe) ns: string, @Param('name', NamePipe) name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.stream(ns, name, queryString(req, 'podName') || undefined, req, res);
  }

  /** Argo's deprecated PodLogs path. */
  @Get(':podName/log')
  @Access('read')
  @ApiOperation({ summary: 'Logs of one pod (Argo’s deprecated path; same stream as …/log?podName=)' })
  podLog(
    @Param('namespace', NamePipe) ns: string,
    @Param('name', NamePipe) name: string,
    @Param('podName', NamePipe) podName: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.stream(ns, name, podName, req, res);
  }

  private async stream(ns: string, name: string, podName: string | undefined, req: Request, res: Response): Promise<void> {
    const open = await this.logs.open(ns, name, {
      podName,
      container: queryString(req, 'logOptions.container') || 'main',
      follow: queryBool(req, 'logOptions.follow'),
      grep: queryString(req, 'grep') || undefined,
    });
    const signal = clientGone(res);
    await writeStream(res, streamFormat(req), open(signal), signal);
  }
}
