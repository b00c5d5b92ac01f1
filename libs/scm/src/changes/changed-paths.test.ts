/** Completing changed paths from GitLab's and GitHub's compare APIs (a local server speaking both). */
import { startFakeScmServer, type FakeScmServer } from '@slipway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideBinding } from '../bindings/match-bindings.js';
import { ZERO_SHA } from '../delivery/types.js';
import { bindingFromYaml, GITLAB_PUSH_BINDING } from '../testdata/bindings.js';
import { fixture, fixtureJson, githubDelivery, gitlabDelivery } from '../testdata/fixtures.js';
import { bindingsNeedChangedPaths, compareRange, completeChangedPaths, GithubChangedPaths, GitlabChangedPaths } from './changed-paths.js';

let server: FakeScmServer;
beforeAll(async () => {
  server = await startFakeScmServer({ gitlabToken: 'glpat-abc', githubToken: 'ghp_xyz' });
});
afterAll(async () => {
  await server.close();
});

const BEFORE = '95790bf891e76fee5e1747ab589903a6a1f80f22';
const AFTER = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
const truncated = () => gitlabDelivery('Push Hook', { ...fixtureJson('gitlab-push.json'), total_commits_count: 25 });
const gitlab = () => new GitlabChangedPaths({ host: server.url, token: 'glpat-abc' });
const pathsBinding = () => {
  const b = bindingFromYaml(GITLAB_PUSH_BINDING);
  return { ...b, spec: { ...b.spec, slipway: { ...(b.spec.slipway as object), paths: ['deploy/**'] } } };
};

describe('compareRange', () => {
  it('push: before..after; a new branch: default branch..after; merge requests: target..head; tags and deletions: none', () => {
    expect(compareRange(truncated())).toEqual({ base: BEFORE, head: AFTER });
    expect(compareRange(gitlabDelivery('Push Hook', { ...fixtureJson('gitlab-push.json'), before: ZERO_SHA, ref: 'refs/heads/feature/x' }))).toEqual({ base: 'main', head: AFTER });
    expect(compareRange(gitlabDelivery('Merge Request Hook', fixture('gitlab-merge-request.json')))).toEqual({ base: 'main', head: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327' });
    expect(compareRange(githubDelivery('push', fixture('argo-github-webhook-payload.json')))).toEqual({ base: 'master', head: '9e07a37873923a21d5fb1ba07042758a39b5efce' });
    expect(compareRange(gitlabDelivery('Tag Push Hook', fixture('gitlab-tag-push-annotated.json')))).toBeUndefined();
    expect(compareRange(gitlabDelivery('Push Hook', { ...fixtureJson('gitlab-push.json'), after: ZERO_SHA, checkout_sha: null }))).toBeUndefined();
  });
});

describe('completeChangedPaths', () => {
  it('GitLab: a push of 25 commits gets every changed path, and the paths filter decides again', async () => {
    server.setCompare('gitlab', 'shop/orders', BEFORE, AFTER, ['deploy/values.yaml', 'pom.xml']);
    const d = truncated();
    expect(bindingsNeedChangedPaths(d, [pathsBinding()])).toBe(true);
    expect(bindingsNeedChangedPaths(d, [bindingFromYaml(GITLAB_PUSH_BINDING)])).toBe(false);
    const full = await completeChangedPaths(d, gitlab());
    expect(full.changedPathsComplete).toBe(true);
    expect(full.changedPaths).toEqual(['deploy/values.yaml', 'pom.xml', 'src/main/java/shop/Export.java', 'README.md', 'docs/old.md']);
    const req = server.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'GET', provider: 'gitlab', answered: 200 });
    expect(req.path).toBe(`/api/v4/projects/shop%2Forders/repository/compare?from=${BEFORE}&to=${AFTER}&straight=false`);
    expect(req.headers['private-token']).toBe('glpat-abc');
    expect(decideBinding(full, pathsBinding(), { hookName: 'shop-gitlab' }).status).toBe('start');

    server.setCompare('gitlab', 'shop/orders', BEFORE, AFTER, ['src/a.java']);
    const other = await completeChangedPaths(d, gitlab());
    expect(decideBinding(other, pathsBinding(), { hookName: 'shop-gitlab' })).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no changed path matches') });
  });

  it('a GitLab compare timeout keeps the list incomplete; an API error leaves the delivery as it was', async () => {
    server.setCompare('gitlab', 'shop/orders', BEFORE, AFTER, ['x'], { timeout: true });
    expect((await completeChangedPaths(truncated(), gitlab())).changedPathsComplete).toBe(false);
    const errors: string[] = [];
    const d = truncated();
    const same = await completeChangedPaths(d, new GitlabChangedPaths({ host: server.url, token: 'wrong' }), (e) => errors.push(e.message));
    expect(same).toBe(d);
    expect(errors[0]).toContain('401');
  });

  it('GitHub: a new branch compared with the default branch', async () => {
    server.setCompare('github', 'alexec/argo', 'master', '9e07a37873923a21d5fb1ba07042758a39b5efce', ['.github/no-response.yml', 'subpath/A/x.go']);
    const d = githubDelivery('push', fixture('argo-github-webhook-payload.json'));
    const full = await completeChangedPaths(d, new GithubChangedPaths({ apiUrl: server.url, token: 'ghp_xyz' }));
    expect(full).toMatchObject({ changedPathsComplete: true, changedPaths: ['.github/no-response.yml', 'subpath/A/x.go'] });
    const req = server.requests.at(-1)!;
    expect(req.path).toBe('/repos/alexec/argo/compare/master...9e07a37873923a21d5fb1ba07042758a39b5efce');
    expect(req.headers.authorization).toBe('Bearer ghp_xyz');
  });

  it('complete deliveries and tags are left alone without a request', async () => {
    const count = server.requests.length;
    const complete = gitlabDelivery('Push Hook', fixture('gitlab-push.json'));
    expect(await completeChangedPaths(complete, gitlab())).toBe(complete);
    const tag = gitlabDelivery('Tag Push Hook', fixture('gitlab-tag-push-annotated.json'));
    expect(await completeChangedPaths(tag, gitlab())).toBe(tag);
    expect(server.requests.length).toBe(count);
  });
});
