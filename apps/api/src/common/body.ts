/**
 * Request bodies: read raw (so YAML and JSON both work and lint can point at line:col), capped at
 * SLIPWAY_BODY_LIMIT, and parsed on demand.
 */
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { CONFIG } from '../deps.js';
import { ApiError, invalid } from './api-error.js';
import { jsonErrorPosition } from './json-position.js';

export type BodyFormat = 'json' | 'yaml';

interface BodyCarrier {
  rawText?: string;
  parsedBody?: { value: unknown };
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `512kb`, `1mb`, `100b` → bytes. */
export function parseLimit(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit.trim());
  if (!m) throw new Error(`SLIPWAY_BODY_LIMIT: cannot read "${limit}"`);
  return Number(m[1]) * UNITS[m[2].toLowerCase()];
}

@Injectable()
export class BodyMiddleware implements NestMiddleware {
  private readonly limit: number;

  constructor(@Inject(CONFIG) config: SlipwayConfig) {
    this.limit = parseLimit(config.SLIPWAY_BODY_LIMIT);
  }

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      (req as BodyCarrier).rawText = await readText(req, this.limit);
    }
    next();
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError('ResourceExhausted', `request body is larger than the limit of ${limit} bytes (SLIPWAY_BODY_LIMIT)`);
}

async function readText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard what the client still sends
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function rawBody(req: Request): string {
  return (req as BodyCarrier).rawText ?? '';
}

export function bodyFormat(req: Request): BodyFormat {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('yaml')) return 'yaml';
  if (type.includes('json')) return 'json';
  return /^\s*[{[]/.test(rawBody(req)) ? 'json' : 'yaml';
}

/** The parsed body (JSON or YAML; `{}` when empty). Errors name the line and column. */
export function bodyValue(req: Request): unknown {
  const carrier = req as BodyCarrier;
  if (carrier.parsedBody) return carrier.parsedBody.value;
  const text = rawBody(req);
  const value = text.trim() === '' ? {} : parseText(text, bodyFormat(req));
  carrier.parsedBody = { value };
  return value;
}

export function parseText(text: string, format: BodyFormat): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const { line, col } = jsonErrorPosition(text);
      throw invalid(`body: invalid JSON at ${line}:${col}: ${(err as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: false }) as unknown;
  } catch (err) {
    if (err instanceof YAMLParseError && err.linePos) {
      const [{ line, col }] = err.linePos;
      throw invalid(`body:${line}:${col}: ${err.message.split('\n')[0]}`);
    }
    throw invalid(`body: invalid YAML: ${(err as Error).message}`);
  }
}
