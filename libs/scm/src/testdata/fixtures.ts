/** Test payloads and a helper that turns them into deliveries the way a controller would. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelivery } from '../delivery/parse-delivery.js';
import type { Delivery } from '../delivery/types.js';
import type { ScmProvider } from '../verify/hooks.js';

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, name), 'utf8');
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixture(name)) as Record<string, unknown>;
}

export const RECEIVED_AT = new Date('2026-11-26T10:00:00Z');

export function gitlabDelivery(eventType: string, payload: unknown, extra: Record<string, string> = {}): Delivery {
  return parseDelivery(
    'gitlab',
    { 'content-type': 'application/json', 'x-gitlab-event': eventType, 'x-gitlab-token': 'secret-token', 'x-gitlab-event-uuid': 'ev-uuid-1', ...extra },
    typeof payload === 'string' ? payload : JSON.stringify(payload),
    RECEIVED_AT,
  );
}

export function githubDelivery(eventType: string, payload: unknown, extra: Record<string, string> = {}): Delivery {
  return parseDelivery(
    'github',
    { 'content-type': 'application/json', 'x-github-event': eventType, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', ...extra },
    typeof payload === 'string' ? payload : JSON.stringify(payload),
    RECEIVED_AT,
  );
}

export function deliveryFor(provider: ScmProvider, eventType: string, payload: unknown): Delivery {
  return provider === 'gitlab' ? gitlabDelivery(eventType, payload) : githubDelivery(eventType, payload);
}
