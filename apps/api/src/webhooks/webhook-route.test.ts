/** Which requests the webhook route serves in front of Nest (the rest go on to Nest's router). */
import { describe, expect, it } from 'vitest';
import { webhookTarget } from './webhook-route.js';

describe('webhookTarget', () => {
  it('matches POSTs to the provider routes, with or without a hook, a trailing slash or a query', () => {
    expect(webhookTarget('POST', '/api/v1/webhooks/gitlab')).toEqual({ provider: 'gitlab', hook: undefined });
    expect(webhookTarget('POST', '/api/v1/webhooks/github/')).toEqual({ provider: 'github', hook: undefined });
    expect(webhookTarget('POST', '/api/v1/webhooks/gitlab/shop-gitlab?x=1')).toEqual({ provider: 'gitlab', hook: 'shop-gitlab' });
    expect(webhookTarget('POST', '/api/v1/webhooks/github/a%20b')).toEqual({ provider: 'github', hook: 'a b' });
  });

  it('leaves everything else to Nest', () => {
    expect(webhookTarget('GET', '/api/v1/webhooks/gitlab')).toBeUndefined();
    expect(webhookTarget('POST', '/api/v1/webhooks/bitbucket')).toBeUndefined();
    expect(webhookTarget('POST', '/api/v1/webhooks/gitlab/a/b')).toBeUndefined();
    expect(webhookTarget('POST', '/api/v1/webhooks/gitlab/%E0%A4%A')).toBeUndefined();
    expect(webhookTarget('POST', '/api/v1/webhook-hooks')).toBeUndefined();
    expect(webhookTarget('POST', '/api/v1/events/shop/x')).toBeUndefined();
  });
});
