/**
 * Namespace checks for resources whose namespace is a column, not a path segment (deliveries,
 * alerts): list filters and single rows must stay inside the caller's namespaces.
 */
import { coversNamespace, type Principal } from '../auth/access.js';
import { forbidden, invalid, notFound } from '../common/api-error.js';
import { validName } from '../common/validation.js';

/** The namespace a list is limited to: the one asked for (if allowed), all for `*` tokens, else the token's only one. */
export function listNamespace(p: Principal, requested: string | undefined): string | undefined {
  if (requested !== undefined) {
    validName(requested, 'namespace');
    if (!coversNamespace(p, requested)) throw forbidden(`token "${p.name}" has no access to namespace "${requested}"`);
    return requested;
  }
  if (p.namespaces.includes('*')) return undefined;
  if (p.namespaces.length === 1) return p.namespaces[0];
  throw invalid(`namespace: required for a token limited to namespaces ${p.namespaces.join(', ')}`);
}

/** A row the caller may not see is reported as missing (its existence is not revealed). */
export function visibleRow<T extends { namespace: string }>(p: Principal, row: T | undefined, what: string): T {
  if (!row || !coversNamespace(p, row.namespace)) throw notFound(`${what} not found`);
  return row;
}

/** Keyset `continue` tokens: `{at, id}` of the last row of a page. */
export function encodeContinue(at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ at: at.toISOString(), id })).toString('base64url');
}

export function decodeContinue(token: string | undefined): { at: Date; id: string } | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const at = new Date(String(v.at));
    if (typeof v.id === 'string' && !Number.isNaN(at.getTime())) return { at, id: v.id };
  } catch {
    // fall through
  }
  throw invalid('continue: must be the metadata.continue of a previous page');
}

/** An RFC 3339 time or epoch milliseconds from a query parameter. */
export function queryTime(value: string | undefined, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const t = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(t.getTime())) throw invalid(`${field}: expected an RFC 3339 time (2026-01-31T12:00:00Z) or epoch milliseconds`);
  return t;
}
