/**
 * Headers + raw body (already verified) → Delivery. Never throws: an unreadable body or an
 * event we do not handle becomes kind `other` with an `ignoredReason`, so the controller can
 * record it and answer 2xx (GitLab disables a hook after 4xx answers).
 */
import { createHash } from 'node:crypto';
import { header, normalizeHeaders, redactHeaders, type HeaderInput, type HeaderMap } from '../http/headers.js';
import type { ScmProvider } from '../verify/hooks.js';
import { otherEvent, type EventFields } from './event-fields.js';
import { githubEvent } from './github-event.js';
import { gitlabEvent } from './gitlab-event.js';
import { obj } from './payload-reader.js';
import type { Delivery } from './types.js';

export function parseDelivery(provider: ScmProvider, headers: HeaderInput, rawBody: Buffer | string, receivedAt: Date): Delivery {
  const h = normalizeHeaders(headers);
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const eventType = header(h, provider === 'gitlab' ? 'x-gitlab-event' : 'x-github-event') ?? '';
  const base = { provider, eventType, deliveryKey: deliveryKeyOf(provider, h, rawBody), headers: redactHeaders(h), rawBody: body, receivedAt };

  const decoded = decodeBody(h, body);
  if ('error' in decoded) return { ...base, ...otherEvent(), payload: null, ignoredReason: `body is not a JSON object: ${decoded.error}` };
  const payload = decoded.value;
  if (eventType === '') return { ...base, ...otherEvent(), payload, ignoredReason: `no ${provider === 'gitlab' ? 'X-Gitlab-Event' : 'X-GitHub-Event'} header` };

  const fields: EventFields = provider === 'gitlab' ? gitlabEvent(eventType, payload) : githubEvent(eventType, payload);
  return { ...base, ...fields, payload, ignoredReason: ignoredReason(eventType, fields) };
}

/** GitLab: `Idempotency-Key` (17.4+, same on retries and "Resend"), else `X-Gitlab-Event-UUID`; GitHub: `X-GitHub-Delivery`. */
export function deliveryKeyOf(provider: ScmProvider, headers: HeaderMap, rawBody: Buffer | string): string {
  const key =
    provider === 'gitlab'
      ? (header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid'))
      : header(headers, 'x-github-delivery');
  // Old GitLab versions send neither: the same body then counts as the same delivery.
  return key ?? `body:${createHash('sha256').update(rawBody).digest('hex')}`;
}

function decodeBody(headers: HeaderMap, body: string): { value: Record<string, unknown> } | { error: string } {
  let text = body;
  // A GitHub hook may be configured with content type application/x-www-form-urlencoded.
  if ((header(headers, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body).get('payload');
    if (form === null) return { error: 'form body without a payload field' };
    text = form;
  }
  try {
    const value = obj(JSON.parse(text));
    return value ? { value } : { error: 'not an object' };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function ignoredReason(eventType: string, f: EventFields): string | undefined {
  if (f.kind === 'other') return `event "${eventType}" is recorded but starts nothing`;
  if (f.deleted) return `${f.tag !== undefined ? `tag ${f.tag}` : `branch ${f.branch ?? f.ref ?? '?'}`} was deleted: starts nothing`;
  return undefined;
}
