/**
 * Who may call what. Every /api/v1 handler declares the permission it needs and whether it acts
 * in a namespace (the `namespace` path parameter), on cluster-scoped objects, or on the server
 * itself (tokens, audit). The guard fails closed for handlers that declare nothing.
 */
import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { TokenRole } from '@slipway/persistence';
import type { Request } from 'express';

export type Permission = 'read' | 'workflow:write' | 'template:write' | 'cron:write' | 'admin';
export type Scope = 'namespace' | 'cluster' | 'server';

export interface AccessRule {
  permission: Permission;
  scope: Scope;
}

export const ACCESS_KEY = 'slipway:access';
export const PUBLIC_KEY = 'slipway:public';

export const Access = (permission: Permission, scope: Scope = 'namespace') => SetMetadata(ACCESS_KEY, { permission, scope } satisfies AccessRule);
/** No token needed (health checks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const ROLE_PERMISSIONS: Record<TokenRole, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  developer: new Set(['read', 'workflow:write']),
  admin: new Set(['read', 'workflow:write', 'template:write', 'cron:write', 'admin']),
};

export interface Principal {
  /** Token id; undefined for the bootstrap admin token. */
  id?: string;
  name: string;
  role: TokenRole;
  namespaces: string[];
}

interface WithPrincipal {
  principal?: Principal;
}

export function setPrincipal(req: Request, principal: Principal): void {
  (req as WithPrincipal).principal = principal;
}

export function principalOf(req: Request): Principal | undefined {
  return (req as WithPrincipal).principal;
}

/** The authenticated caller (set by the guard). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (!p) throw new Error('no principal: route is missing @Access');
  return p;
});

export function coversNamespace(p: Principal, namespace: string): boolean {
  return p.namespaces.includes('*') || p.namespaces.includes(namespace);
}
