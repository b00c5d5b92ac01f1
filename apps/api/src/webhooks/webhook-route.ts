/**
 * `POST /api/v1/webhooks/{gitlab|github}[/{hook}]` as one plain `node:http` handler, mounted in
 * front of Nest's router (`mountWebhookRoute`): these routes are public (the provider's secret is
 * the authentication), audited nowhere and hit at GitLab's rate, so they skip the per-request
 * guard/interceptor/rxjs pipeline. The body is read raw (GitHub's HMAC is over the exact bytes),
 * capped at SLIPWAY_BODY_LIMIT, and handed to WebhookIntakeService, which verifies before parsing.
 *
 * Answers (the same shapes as the rest of the API, see ApiErrorFilter): 202 `{id, duplicate}`
 * once the delivery is committed; 401 wrong or missing secret; 413 body over the limit; 503 our
 * own storage failed (never a 4xx: GitLab disables a hook after 4xx answers).
 * WebhooksController documents the routes in OpenAPI and delegates here.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import type { ScmProvider } from '@slipway/scm';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, lastLine, unauthenticated, unavailable } from '../common/api-error.js';
import { parseLimit } from '../common/body.js';
import { CONFIG } from '../deps.js';
import { WebhookIntakeService } from './intake.service.js';

const PREFIX = '/api/v1/webhooks/';

export interface WebhookTarget {
  provider: ScmProvider;
  hook: string | undefined;
}

/** The provider and hook of a webhook URL (`/api/v1/webhooks/gitlab[/{hook}][/][?…]`), else undefined. */
export function webhookTarget(method: string | undefined, url: string | undefined): WebhookTarget | undefined {
  if (method !== 'POST' || !url?.startsWith(PREFIX)) return undefined;
  const q = url.indexOf('?');
  let rest = url.slice(PREFIX.length, q < 0 ? undefined : q);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  const slash = rest.indexOf('/');
  const provider = slash < 0 ? rest : rest.slice(0, slash);
  if (provider !== 'gitlab' && provider !== 'github') return undefined;
  if (slash < 0) return { provider, hook: undefined };
  const segment = rest.slice(slash + 1);
  if (segment === '' || segment.includes('/')) return undefined;
  try {
    return { provider, hook: decodeURIComponent(segment) };
  } catch {
    return undefined;
  }
}

@Injectable()
export class WebhookRoute {
  private readonly limit: number;

  constructor(
    private readonly intake: WebhookIntakeService,
    @Inject(CONFIG) config: SlipwayConfig,
  ) {
    this.limit = parseLimit(config.SLIPWAY_BODY_LIMIT);
  }

  /** Read, verify, store, queue and answer; never throws (every failure is an answer). */
  async serve(req: IncomingMessage, res: ServerResponse, target: WebhookTarget): Promise<void> {
    try {
      const body = await this.readBody(req);
      const result = await this.intake.receive(target.provider, target.hook, req.headers, body).catch((err: unknown) => {
        throw outageError(err);
      });
      if (result.status === 'unauthorized') {
        const which = target.hook ? `${target.provider} hook "${target.hook}"` : `any registered ${target.provider} hook`;
        throw unauthenticated(`webhook secret does not match ${which}`);
      }
      reply(res, 202, { id: result.deliveryId, duplicate: result.duplicate });
    } catch (err) {
      const e = outageError(err);
      if (res.headersSent) res.end();
      else reply(res, e.status, e.body());
    }
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.limit) {
      req.resume(); // discard what the client still sends
      throw this.tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.limit) {
        req.resume();
        throw this.tooLarge();
      }
      chunks.push(chunk);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  private tooLarge(): ApiError {
    return new ApiError('ResourceExhausted', `request body is larger than the limit of ${this.limit} bytes (SLIPWAY_BODY_LIMIT)`);
  }
}

/** Put the webhook routes in front of every other middleware and route of the app (call before `init`/`listen`). */
export function mountWebhookRoute(app: INestApplication): void {
  const route = app.get(WebhookRoute);
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const target = webhookTarget(req.method, req.url);
    if (!target) {
      next();
      return;
    }
    void route.serve(req, res, target);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Our own failure is never the sender's fault: 503 (a 4xx would make GitLab disable the hook). */
export function outageError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return unavailable(`delivery not stored, retry later: ${lastLine((err as Error)?.message ?? String(err))}`);
}
