/**
 * The variables a WorkflowEventBinding's expressions see, as Argo's event server builds them
 * (server/event/dispatch/operation.go): `payload`, `metadata` (only `x-` headers, lower-cased,
 * each value a list: `metadata["x-github-event"] == ["push"]`), `discriminator` and `namespace`.
 * Credential headers (`x-gitlab-token`) are left out, so no expression can copy the secret into
 * a workflow.
 */
import { argoExprEnv, parseExpr, type ExprAst } from '@slipway/workflow';
import { SECRET_HEADERS, type HeaderMap } from '../http/headers.js';

export interface EventContext {
  payload: unknown;
  headers: HeaderMap;
  discriminator: string;
  namespace: string;
}

export function bindingMetadata(headers: HeaderMap): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (key.startsWith('x-') && !SECRET_HEADERS.has(key)) out[key] = [value];
  }
  return out;
}

export function eventEnvironment(ctx: EventContext): Record<string, unknown> {
  return argoExprEnv({
    payload: ctx.payload,
    metadata: bindingMetadata(ctx.headers),
    discriminator: ctx.discriminator,
    namespace: ctx.namespace,
  });
}

const parsed = new Map<string, ExprAst>();
const MAX_CACHED = 1000;

/** parseExpr with a small cache: bindings are evaluated for every delivery. */
export function parseCached(source: string): ExprAst {
  let ast = parsed.get(source);
  if (!ast) {
    ast = parseExpr(source);
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(source, ast);
  }
  return ast;
}
