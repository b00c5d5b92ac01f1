/**
 * GitLab and GitHub webhook receivers (the provider's secret is the authentication, no bearer
 * token) and Argo's generic event endpoint (bearer token, developer role). The webhook routes are
 * served by WebhookRoute, mounted in front of Nest (`mountWebhookRoute`); the controller methods
 * document them and delegate to the same code if a request reaches Nest's router.
 *
 * Answers: 202 `{id, duplicate}` once the delivery is committed (also for redeliveries and for
 * events that start nothing: GitLab disables a hook after 4xx answers); 401 for a wrong or missing
 * secret (nothing stored, nothing queued); 503 when our own storage fails, never 4xx.
 */
import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audit.interceptor.js';
import { Access, Public } from '../auth/access.js';
import { invalid } from '../common/api-error.js';
import { rawBody } from '../common/body.js';
import { NamePipe } from '../common/validation.js';
import { WebhookIntakeService } from './intake.service.js';
import { outageError, WebhookRoute } from './webhook-route.js';

export interface AcceptedDelivery {
  id: string;
  duplicate: boolean;
}

const accepted = { status: 202, description: 'Stored (committed; queued right after); `duplicate` for a redelivery, which starts nothing' };
const rejected = { status: 401, description: 'Wrong or missing secret: nothing stored' };
const outage = { status: 503, description: 'PostgreSQL unavailable: retry later' };
const anyBody = { schema: { type: 'object' as const, description: 'The provider\'s event payload, verified over its exact bytes' } };

@ApiTags('webhooks')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly route: WebhookRoute) {}

  @Post('gitlab')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'GitLab webhook: X-Gitlab-Token must be the secret of a registered GitLab hook' })
  @ApiHeader({ name: 'X-Gitlab-Token', required: true })
  @ApiBody(anyBody)
  @ApiResponse(accepted)
  @ApiResponse(rejected)
  @ApiResponse(outage)
  gitlab(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.route.serve(req, res, { provider: 'gitlab', hook: undefined });
  }

  @Post('gitlab/:hook')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'GitLab webhook of one registered hook (its secret only)' })
  @ApiHeader({ name: 'X-Gitlab-Token', required: true })
  @ApiBody(anyBody)
  @ApiResponse(accepted)
  @ApiResponse(rejected)
  @ApiResponse(outage)
  gitlabHook(@Param('hook') hook: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.route.serve(req, res, { provider: 'gitlab', hook });
  }

  @Post('github')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'GitHub webhook: X-Hub-Signature-256 must be the HMAC of the body with a registered GitHub hook\'s secret' })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true })
  @ApiBody(anyBody)
  @ApiResponse(accepted)
  @ApiResponse(rejected)
  @ApiResponse(outage)
  github(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.route.serve(req, res, { provider: 'github', hook: undefined });
  }

  @Post('github/:hook')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'GitHub webhook of one registered hook (its secret only)' })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true })
  @ApiBody(anyBody)
  @ApiResponse(accepted)
  @ApiResponse(rejected)
  @ApiResponse(outage)
  githubHook(@Param('hook') hook: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.route.serve(req, res, { provider: 'github', hook });
  }
}

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post(':namespace/:discriminator')
  @HttpCode(200)
  @Access('workflow:write')
  @Audited('event.receive', 'events')
  @ApiOperation({ summary: 'Argo\'s generic event endpoint: the JSON payload is stored as a `generic` delivery and queued for the namespace\'s WorkflowEventBindings' })
  @ApiParam({ name: 'discriminator', description: '`discriminator` in binding selectors' })
  @ApiBody({ schema: { type: 'object', description: 'Any JSON payload (`payload` in selectors)' } })
  async event(@Param('namespace', NamePipe) namespace: string, @Param('discriminator') discriminator: string, @Req() req: Request): Promise<AcceptedDelivery> {
    if (!/^[A-Za-z0-9._-]{1,253}$/.test(discriminator)) throw invalid('discriminator: letters, digits, ".", "_" and "-" only');
    const body = rawBody(req);
    try {
      JSON.parse(body === '' ? '{}' : body);
    } catch (err) {
      throw invalid(`body: the event payload must be JSON: ${(err as Error).message}`);
    }
    try {
      const res = await this.intake.receiveGeneric({ namespace, discriminator, headers: req.headers, body: body === '' ? '{}' : body });
      return { id: res.id, duplicate: res.duplicate };
    } catch (err) {
      throw outageError(err);
    }
  }
}
