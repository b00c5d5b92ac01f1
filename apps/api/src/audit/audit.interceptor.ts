/** Writes an audit row (actor, action, namespace, resource, details) after every successful mutating call. */
import { Injectable, Logger, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditLog } from '@slipway/persistence';
import type { Request } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';
import { principalOf } from '../auth/access.js';
import { bodyValue } from '../common/body.js';
import { isObject } from '../common/documents.js';
import { pathParam } from '../common/validation.js';

export interface AuditSpec {
  action: string;
  /** Resource kind used in `resource` (`<kind>/<name>`). */
  kind: string;
}

const AUDIT_KEY = 'slipway:audit';

/** Record this handler's successful calls as `action` on a `kind`. */
export const Audited = (action: string, kind: string) => SetMetadata(AUDIT_KEY, { action, kind } satisfies AuditSpec);

/** Body fields worth keeping (never tokens or whole documents). */
const DETAIL_FIELDS = [
  'nodeFieldSelector',
  'restartSuccessful',
  'parameters',
  'phase',
  'message',
  'outputParameters',
  'revision',
  'role',
  'namespaces',
  'resourceKind',
  'resourceName',
  'submitOptions',
];

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly log = new Logger('audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditSpec | undefined>(AUDIT_KEY, ctx.getHandler());
    if (!spec) return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    return next.handle().pipe(mergeMap((result) => from(this.record(spec, req, result).then(() => result))));
  }

  private async record(spec: AuditSpec, req: Request, result: unknown): Promise<void> {
    const body = safeBody(req);
    const submitOptions = isObject(body.submitOptions) ? body.submitOptions : {};
    if (body.serverDryRun === true || submitOptions.serverDryRun === true) return; // nothing changed
    const principal = principalOf(req);
    const name = pathParam(req, 'name') ?? resultName(result) ?? (typeof body.resourceName === 'string' ? body.resourceName : '');
    const details: Record<string, unknown> = { method: req.method, path: req.path };
    for (const key of DETAIL_FIELDS) if (body[key] !== undefined) details[key] = body[key];
    const uid = isObject(result) && isObject(result.metadata) ? result.metadata.uid : undefined;
    if (uid) details.uid = uid;
    const id = pathParam(req, 'id');
    if (id) details.id = id;
    try {
      await this.audit.record({
        actor: principal?.name ?? 'anonymous',
        action: spec.action,
        namespace: pathParam(req, 'namespace') ?? null,
        resource: `${spec.kind}/${name}`,
        details,
      });
    } catch (err) {
      this.log.error(`cannot write audit event ${spec.action} ${spec.kind}/${name}: ${(err as Error).message}`);
    }
  }
}

function safeBody(req: Request): Record<string, unknown> {
  try {
    const v = bodyValue(req);
    return isObject(v) ? v : {};
  } catch {
    return {};
  }
}

function resultName(result: unknown): string | undefined {
  if (!isObject(result)) return undefined;
  if (isObject(result.metadata) && typeof result.metadata.name === 'string') return result.metadata.name;
  return typeof result.name === 'string' ? result.name : undefined;
}
