/** Stored deliveries back into binding events: generic events (Argo's event endpoint) included. */
import { describe, expect, it } from 'vitest';
import { decideBinding } from '../bindings/match-bindings.js';
import { restoreEvent } from './restore-delivery.js';

const stored = (over: Record<string, unknown> = {}) => ({
  provider: 'generic',
  deliveryKey: 'generic:1',
  eventType: 'release',
  headers: { 'content-type': 'application/json', 'x-target-env': 'staging', authorization: '[redacted]' },
  rawBody: '{"version":"1.2.3"}',
  receivedAt: new Date('2026-11-26T10:00:00Z'),
  ...over,
});

describe('restoreEvent', () => {
  it('a generic delivery: the JSON body is the payload, the discriminator the stored event type', () => {
    expect(restoreEvent(stored())).toEqual({ provider: 'generic', payload: { version: '1.2.3' }, headers: stored().headers, discriminator: 'release' });
    expect(restoreEvent(stored({ rawBody: '' })).payload).toEqual({});
  });

  it('selectors see payload, x- metadata and the discriminator, as Argo\'s event server gives them', () => {
    const binding = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowEventBinding',
      metadata: { name: 'b', namespace: 'shop' },
      spec: {
        event: { selector: 'discriminator == "release" && metadata["x-target-env"] == ["staging"] && metadata["authorization"] == nil && payload.version == "1.2.3"' },
        submit: { workflowTemplateRef: { name: 't' }, arguments: { parameters: [{ name: 'v', valueFrom: { event: 'payload.version' } }] } },
      },
    } as never;
    expect(decideBinding(restoreEvent(stored()), binding)).toMatchObject({ status: 'start', parameters: [{ name: 'v', value: '1.2.3' }] });
  });

  it('an unreadable generic body or an unknown provider is an error', () => {
    expect(() => restoreEvent(stored({ rawBody: '{nope' }))).toThrow(/not JSON/);
    expect(() => restoreEvent(stored({ provider: 'bitbucket' }))).toThrow(/not a GitLab\/GitHub delivery/);
  });
});
