/** Normalisation of real GitLab and GitHub payload shapes, dedup keys and the events that start nothing. */
import { describe, expect, it } from 'vitest';
import { fixture, fixtureJson, githubDelivery, gitlabDelivery, RECEIVED_AT } from '../testdata/fixtures.js';
import { parseDelivery } from './parse-delivery.js';
import { ZERO_SHA } from './types.js';

describe('GitLab', () => {
  it('Push Hook', () => {
    const d = gitlabDelivery('Push Hook', fixture('gitlab-push.json'));
    expect(d).toMatchObject({
      provider: 'gitlab',
      eventType: 'Push Hook',
      deliveryKey: 'ev-uuid-1',
      kind: 'push',
      repo: 'shop/orders',
      ref: 'refs/heads/main',
      branch: 'main',
      commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      created: false,
      deleted: false,
      pusher: 'jdoe',
      totalCommits: 2,
      changedPathsComplete: true,
      webUrl: 'https://gitlab.example.com/shop/orders/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      receivedAt: RECEIVED_AT,
    });
    expect(d.tag).toBeUndefined();
    expect(d.ignoredReason).toBeUndefined();
    expect(d.commits.map((c) => c.id)).toEqual(['b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327', 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7']);
    expect(d.commits[0].message).toContain('✓ tested');
    expect(d.changedPaths).toEqual(['src/main/java/shop/Export.java', 'pom.xml', 'README.md', 'docs/old.md']);
    expect(d.rawBody).toBe(fixture('gitlab-push.json'));
  });

  it('prefers Idempotency-Key over X-Gitlab-Event-UUID and redacts the token', () => {
    const d = gitlabDelivery('Push Hook', fixture('gitlab-push.json'), { 'idempotency-key': 'idem-7' });
    expect(d.deliveryKey).toBe('idem-7');
    expect(d.headers['x-gitlab-token']).toBe('[redacted]');
    expect(JSON.stringify(d)).not.toContain('secret-token');
  });

  it('without any key header, the same body is the same delivery', () => {
    const body = fixture('gitlab-push.json');
    const a = parseDelivery('gitlab', { 'x-gitlab-event': 'Push Hook' }, body, RECEIVED_AT);
    const b = parseDelivery('gitlab', { 'x-gitlab-event': 'Push Hook' }, Buffer.from(body), RECEIVED_AT);
    expect(a.deliveryKey).toMatch(/^body:[0-9a-f]{64}$/);
    expect(b.deliveryKey).toBe(a.deliveryKey);
  });

  it('more than 20 commits: the path list is marked incomplete', () => {
    const p = { ...fixtureJson('gitlab-push.json'), total_commits_count: 25 };
    const d = gitlabDelivery('Push Hook', p);
    expect(d.totalCommits).toBe(25);
    expect(d.changedPathsComplete).toBe(false);
  });

  it('a new branch without new commits', () => {
    const p = { ...fixtureJson('gitlab-push.json'), before: ZERO_SHA, ref: 'refs/heads/feature/x', commits: [], total_commits_count: 0 };
    const d = gitlabDelivery('Push Hook', p);
    expect(d).toMatchObject({ kind: 'push', branch: 'feature/x', created: true, deleted: false, changedPaths: [], changedPathsComplete: false });
  });

  it('branch deletion: after all zeros, checkout_sha null — recorded, starts nothing', () => {
    const p = { ...fixtureJson('gitlab-push.json'), after: ZERO_SHA, checkout_sha: null, commits: [], total_commits_count: 0 };
    const d = gitlabDelivery('Push Hook', p);
    expect(d).toMatchObject({ kind: 'push', branch: 'main', deleted: true, after: ZERO_SHA });
    expect(d.commitSha).toBeUndefined();
    expect(d.ignoredReason).toBe('branch main was deleted: starts nothing');
  });

  it('annotated tag: builds checkout_sha, not the tag object', () => {
    const d = gitlabDelivery('Tag Push Hook', fixture('gitlab-tag-push-annotated.json'));
    expect(d).toMatchObject({
      kind: 'tag',
      tag: 'v1.4.0',
      ref: 'refs/tags/v1.4.0',
      after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      created: true,
      pusher: 'Jane Doe',
      webUrl: 'https://gitlab.example.com/shop/orders/-/tags/v1.4.0',
    });
    expect(d.branch).toBeUndefined();
    expect(d.ignoredReason).toBeUndefined();
  });

  it('tag deletion', () => {
    const p = { ...fixtureJson('gitlab-tag-push-annotated.json'), before: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7', after: ZERO_SHA, checkout_sha: null };
    const d = gitlabDelivery('Tag Push Hook', p);
    expect(d).toMatchObject({ kind: 'tag', deleted: true, ignoredReason: 'tag v1.4.0 was deleted: starts nothing' });
    expect(d.commitSha).toBeUndefined();
  });

  it('Merge Request Hook', () => {
    const d = gitlabDelivery('Merge Request Hook', fixture('gitlab-merge-request.json'));
    expect(d).toMatchObject({
      kind: 'merge_request',
      action: 'update',
      repo: 'shop/orders',
      ref: 'refs/heads/feature/export',
      branch: 'feature/export',
      targetBranch: 'main',
      number: 7,
      commitSha: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
      pusher: 'jdoe',
      changedPathsComplete: false,
      webUrl: 'https://gitlab.example.com/shop/orders/-/merge_requests/7',
    });
  });

  it('other events are recorded and start nothing', () => {
    const d = gitlabDelivery('Pipeline Hook', { object_kind: 'pipeline', object_attributes: { id: 31 } });
    expect(d).toMatchObject({ kind: 'other', eventType: 'Pipeline Hook', ignoredReason: 'event "Pipeline Hook" is recorded but starts nothing' });
  });

  it('a body that is not JSON is kept, with a reason', () => {
    const d = gitlabDelivery('Push Hook', '{"ref": ');
    expect(d.kind).toBe('other');
    expect(d.payload).toBeNull();
    expect(d.ignoredReason).toMatch(/^body is not a JSON object/);
    expect(d.rawBody).toBe('{"ref": ');
  });

  it('wrongly typed fields read as absent instead of throwing', () => {
    const d = gitlabDelivery('Push Hook', { ref: 42, commits: 'x', project: [], after: null });
    expect(d).toMatchObject({ kind: 'push', commits: [], changedPaths: [], deleted: false });
    expect(d.repo).toBeUndefined();
  });
});

describe('GitHub', () => {
  it("push: Argo's e2e payload (a new branch)", () => {
    const d = githubDelivery('push', fixture('argo-github-webhook-payload.json'));
    expect(d).toMatchObject({
      provider: 'github',
      eventType: 'push',
      deliveryKey: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      kind: 'push',
      repo: 'alexec/argo',
      ref: 'refs/heads/no-response',
      branch: 'no-response',
      commitSha: '9e07a37873923a21d5fb1ba07042758a39b5efce',
      before: ZERO_SHA,
      created: true,
      deleted: false,
      pusher: 'alexec',
      changedPaths: ['.github/no-response.yml'],
      changedPathsComplete: false,
      webUrl: 'https://github.com/alexec/argo/commit/9e07a37873923a21d5fb1ba07042758a39b5efce',
    });
  });

  it('push to an existing branch has a complete path list; a forced push does not', () => {
    const p = { ...fixtureJson('argo-github-webhook-payload.json'), created: false, before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' };
    expect(githubDelivery('push', p).changedPathsComplete).toBe(true);
    expect(githubDelivery('push', { ...p, forced: true }).changedPathsComplete).toBe(false);
  });

  it('deleted branch', () => {
    const p = { ...fixtureJson('argo-github-webhook-payload.json'), created: false, deleted: true, after: ZERO_SHA, commits: [], head_commit: null };
    const d = githubDelivery('push', p);
    expect(d).toMatchObject({ deleted: true, ignoredReason: 'branch no-response was deleted: starts nothing' });
    expect(d.commitSha).toBeUndefined();
  });

  it('annotated tag: builds head_commit, not the tag object', () => {
    const p = {
      ...fixtureJson('argo-github-webhook-payload.json'),
      ref: 'refs/tags/v2.0.0',
      after: '1111111111111111111111111111111111111111',
      commits: [],
    };
    const d = githubDelivery('push', p);
    expect(d).toMatchObject({ kind: 'tag', tag: 'v2.0.0', commitSha: '9e07a37873923a21d5fb1ba07042758a39b5efce', after: '1111111111111111111111111111111111111111' });
  });

  it('pull_request', () => {
    const d = githubDelivery('pull_request', fixture('github-pull-request.json'));
    expect(d).toMatchObject({
      kind: 'pull_request',
      action: 'synchronize',
      repo: 'octo-org/orders',
      branch: 'feature/export',
      targetBranch: 'main',
      number: 42,
      commitSha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      pusher: 'octocat',
      webUrl: 'https://github.com/octo-org/orders/pull/42',
    });
  });

  it('ping and other events start nothing', () => {
    const d = githubDelivery('ping', { zen: 'Design for failure.', hook_id: 1 });
    expect(d).toMatchObject({ kind: 'other', ignoredReason: 'event "ping" is recorded but starts nothing' });
  });

  it('form-encoded deliveries (content type application/x-www-form-urlencoded)', () => {
    const body = new URLSearchParams({ payload: fixture('argo-github-webhook-payload.json') }).toString();
    const d = githubDelivery('push', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(d).toMatchObject({ kind: 'push', repo: 'alexec/argo', rawBody: body });
  });

  it('a missing event header starts nothing', () => {
    const d = parseDelivery('github', { 'x-github-delivery': 'abc' }, '{}', RECEIVED_AT);
    expect(d).toMatchObject({ kind: 'other', eventType: '', ignoredReason: 'no X-GitHub-Event header' });
  });
});
