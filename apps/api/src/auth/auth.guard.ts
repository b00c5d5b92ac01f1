/** Bearer-token authentication and role/namespace authorization for every /api/v1 route. */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { forbidden, unauthenticated } from '../common/api-error.js';
import { pathParam } from '../common/validation.js';
import { ACCESS_KEY, coversNamespace, PUBLIC_KEY, ROLE_PERMISSIONS, setPrincipal, type AccessRule, type Principal } from './access.js';
import { TokenService } from './token-service.js';

const FAIL_CLOSED: AccessRule = { permission: 'admin', scope: 'server' };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const rule = this.reflector.getAllAndOverride<AccessRule>(ACCESS_KEY, targets) ?? FAIL_CLOSED;
    const req = ctx.switchToHttp().getRequest<Request>();
    const token = bearer(req);
    if (!token) throw unauthenticated('missing bearer token: send "Authorization: Bearer <token>"');
    const principal = await this.tokens.authenticate(token);
    if (!principal) throw unauthenticated('invalid or revoked token');
    authorize(principal, rule, pathParam(req, 'namespace'));
    setPrincipal(req, principal);
    return true;
  }
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function authorize(p: Principal, rule: AccessRule, namespace: string | undefined): void {
  if (!ROLE_PERMISSIONS[p.role].has(rule.permission)) {
    throw forbidden(`token "${p.name}" (role ${p.role}) is not allowed to ${describe(rule)}`);
  }
  switch (rule.scope) {
    case 'namespace':
      if (namespace !== undefined && !coversNamespace(p, namespace)) {
        throw forbidden(`token "${p.name}" has no access to namespace "${namespace}"`);
      }
      return;
    case 'cluster':
    case 'server':
      if (rule.permission !== 'read' && !p.namespaces.includes('*')) {
        throw forbidden(`token "${p.name}" is limited to namespaces ${p.namespaces.join(', ')}; this needs a token for all namespaces (*)`);
      }
      return;
  }
}

function describe(rule: AccessRule): string {
  switch (rule.permission) {
    case 'read':
      return 'read';
    case 'workflow:write':
      return 'change workflows';
    case 'template:write':
      return 'change templates';
    case 'cron:write':
      return 'change cron workflows';
    case 'admin':
      return 'administer the server';
  }
}
