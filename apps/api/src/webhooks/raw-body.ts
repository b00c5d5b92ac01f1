/**
 * The webhook routes' body parser: the exact bytes as a Buffer (GitHub's HMAC is over them), capped
 * at SLIPWAY_BODY_LIMIT. Applied to `/api/v1/webhooks/...` only; every other route keeps BodyMiddleware.
 */
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../common/api-error.js';
import { parseLimit } from '../common/body.js';
import { CONFIG } from '../deps.js';

interface RawCarrier {
  rawBytes?: Buffer;
}

@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  private readonly limit: number;

  constructor(@Inject(CONFIG) config: SlipwayConfig) {
    this.limit = parseLimit(config.SLIPWAY_BODY_LIMIT);
  }

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.limit) {
      req.resume();
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
    (req as RawCarrier).rawBytes = Buffer.concat(chunks);
    next();
  }

  private tooLarge(): ApiError {
    return new ApiError('ResourceExhausted', `request body is larger than the limit of ${this.limit} bytes (SLIPWAY_BODY_LIMIT)`);
  }
}

/** The body bytes read by RawBodyMiddleware (empty when none). */
export function rawBytes(req: Request): Buffer {
  return (req as RawCarrier).rawBytes ?? Buffer.alloc(0);
}
