/**
 * Commit statuses against a local server speaking GitLab's and GitHub's APIs: method, path,
 * auth header and body; only real transitions; retries with backoff that never throw.
 */
import { startFakeScmServer, type FakeScmServer } from '@slipway/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GithubStatusSender } from './github-status.js';
import { GitlabStatusSender } from './gitlab-status.js';
import { CommitStatusReporter, type StatusEvent } from './reporter.js';
import { statusName, workflowUrl, type CommitStatusTarget } from './types.js';

const SHA = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
let server: FakeScmServer;

beforeAll(async () => {
  server = await startFakeScmServer({ gitlabToken: 'glpat-abc', githubToken: 'ghp_xyz' });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const gitlab = (): GitlabStatusSender => new GitlabStatusSender({ host: server.url, token: 'glpat-abc', timeoutSeconds: 5 });
const github = (): GithubStatusSender => new GithubStatusSender({ apiUrl: server.url, token: 'ghp_xyz', timeoutSeconds: 5 });
const glTarget = (sha = SHA, name = statusName('java-compile-build-deploy')): CommitStatusTarget => ({ provider: 'gitlab', repo: 'shop/orders', sha, name, ref: 'main' });
const ghTarget = (sha = SHA): CommitStatusTarget => ({ provider: 'github', repo: 'octo-org/orders', sha, name: 'slipway/build' });
const noSleep = { sleep: () => Promise.resolve() };
const url = workflowUrl('https://slipway.example.com/', 'shop', 'orders-push-x7k2p');

describe('GitLab wire format (via @gitbeaker/rest)', () => {
  it('POSTs to /api/v4/projects/:id/statuses/:sha with PRIVATE-TOKEN and the status fields', async () => {
    await gitlab().send(glTarget(), { state: 'pending', targetUrl: url, description: 'Accepted' });
    const [req] = server.requests;
    expect(req).toMatchObject({ provider: 'gitlab', method: 'POST', path: `/api/v4/projects/shop%2Forders/statuses/${SHA}`, answered: 201 });
    expect(req.headers['private-token']).toBe('glpat-abc');
    expect(req.body).toMatchObject({
      state: 'pending',
      name: 'slipway/java-compile-build-deploy',
      ref: 'main',
      target_url: 'https://slipway.example.com/workflows/shop/orders-push-x7k2p',
      description: 'Accepted',
    });
  });

  it('a wrong token is a permanent failure whose message has no token', async () => {
    const bad = new GitlabStatusSender({ host: server.url, token: 'glpat-wrong' });
    const err: unknown = await bad.send(glTarget('1'.repeat(40)), { state: 'running' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ retryable: false, status: 401, message: 'GitLab answered 401: 401 Unauthorized' });
    expect(String((err as Error).message)).not.toContain('glpat');
  });

  it('"Cannot transition … from :<same state>" means it already is in that state', async () => {
    const t = glTarget('2'.repeat(40));
    await gitlab().send(t, { state: 'running' });
    await expect(gitlab().send(t, { state: 'running' })).resolves.toBeUndefined();
    expect(server.requests.map((r) => r.answered)).toEqual([201, 400]);
  });
});

describe('GitHub wire format (plain fetch)', () => {
  it('POSTs to /repos/{owner}/{repo}/statuses/{sha} with a bearer token and mapped states', async () => {
    const s = github();
    await s.send(ghTarget(), { state: 'running', targetUrl: url });
    await s.send(ghTarget(), { state: 'failed', targetUrl: url, description: 'compile failed: '.padEnd(200, 'x') });
    await s.send(ghTarget(), { state: 'canceled' });
    const [a, b, c] = server.requests;
    expect(a).toMatchObject({ provider: 'github', method: 'POST', path: `/repos/octo-org/orders/statuses/${SHA}`, answered: 201 });
    expect(a.headers.authorization).toBe('Bearer ghp_xyz');
    expect(a.headers.accept).toBe('application/vnd.github+json');
    expect(a.headers['x-github-api-version']).toBe('2022-11-28');
    expect(a.body).toEqual({ state: 'pending', target_url: 'https://slipway.example.com/workflows/shop/orders-push-x7k2p', description: 'Running', context: 'slipway/build' });
    expect(b.body).toMatchObject({ state: 'failure' });
    expect((b.body.description as string).length).toBe(140);
    expect(c.body).toMatchObject({ state: 'error', description: 'Canceled' });
    expect(server.states('github', 'octo-org/orders', SHA, 'slipway/build')).toEqual(['pending', 'failure', 'error']);
  });

  it('classifies errors: 401 permanent, 500 and rate limits retryable, bad repo names permanent', async () => {
    const bad = new GithubStatusSender({ apiUrl: server.url, token: 'nope' });
    await expect(bad.send(ghTarget(), { state: 'success' })).rejects.toMatchObject({ retryable: false, status: 401, message: 'GitHub answered 401: Bad credentials' });
    server.failNext(1, 502);
    await expect(github().send(ghTarget(), { state: 'success' })).rejects.toMatchObject({ retryable: true, status: 502 });
    await expect(github().send({ ...ghTarget(), repo: 'just-a-name' }, { state: 'success' })).rejects.toMatchObject({ retryable: false });
  });
});

describe('CommitStatusReporter', () => {
  it('pending → running → success, sending only real transitions', async () => {
    const reporter = new CommitStatusReporter({ senders: { gitlab: gitlab() }, ...noSleep });
    const t = glTarget('3'.repeat(40));
    expect(await reporter.report(t, { state: 'pending', targetUrl: url })).toBe('sent');
    expect(await reporter.report(t, { state: 'pending', targetUrl: url })).toBe('unchanged');
    expect(await reporter.report(t, { state: 'running', targetUrl: url })).toBe('sent');
    expect(await reporter.report(t, { state: 'running', targetUrl: url })).toBe('unchanged');
    expect(await reporter.report(t, { state: 'success', targetUrl: url })).toBe('sent');
    expect(server.states('gitlab', 'shop/orders', t.sha, t.name)).toEqual(['pending', 'running', 'success']);
    expect(server.requests).toHaveLength(3);
    expect(reporter.lastSent(t)).toBe('success');
  });

  it('statuses of different commits, names and providers are independent', async () => {
    const reporter = new CommitStatusReporter({ senders: { gitlab: gitlab(), github: github() }, ...noSleep });
    const a = glTarget('4'.repeat(40), 'slipway/a');
    const b = glTarget('4'.repeat(40), 'slipway/b');
    const results = await Promise.all([reporter.report(a, { state: 'running' }), reporter.report(b, { state: 'running' }), reporter.report(ghTarget('4'.repeat(40)), { state: 'running' })]);
    expect(results).toEqual(['sent', 'sent', 'sent']);
  });

  it('retries 5xx, 429 and dropped connections with exponential backoff, then sends', async () => {
    const delays: number[] = [];
    const events: StatusEvent[] = [];
    const reporter = new CommitStatusReporter({
      senders: { gitlab: gitlab() },
      retry: { baseDelayMs: 100, maxDelayMs: 250 },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      onEvent: (e) => events.push(e),
    });
    server.failNext(1, 500, { message: '500 Internal Server Error' });
    server.failNext(1, 503, { message: 'upstream down' });
    const t = glTarget('5'.repeat(40));
    const pending = reporter.report(t, { state: 'running' });
    expect(await pending).toBe('sent');
    expect(delays).toEqual([100, 200]);
    expect(events.map((e) => `${e.type}:${e.attempt}`)).toEqual(['retry:1', 'retry:2', 'sent:3']);
    expect(events[0].error).toBe('GitLab answered 500: 500 Internal Server Error');

    server.dropNext(1);
    expect(await reporter.report(t, { state: 'success' })).toBe('sent');
    expect(delays).toEqual([100, 200, 100]);
    expect(server.states('gitlab', 'shop/orders', t.sha, t.name)).toEqual(['running', 'success']);
  });

  it('gives up after the attempts, never throws, and tries the same state again later', async () => {
    const events: StatusEvent[] = [];
    const reporter = new CommitStatusReporter({ senders: { github: github() }, retry: { attempts: 3 }, ...noSleep, onEvent: (e) => events.push(e) });
    server.failNext(3, 500);
    const t = ghTarget('6'.repeat(40));
    expect(await reporter.report(t, { state: 'running' })).toBe('failed');
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry', 'failed']);
    expect(reporter.lastSent(t)).toBeUndefined();
    expect(await reporter.report(t, { state: 'running' })).toBe('sent');
  });

  it('does not retry permanent errors', async () => {
    const events: StatusEvent[] = [];
    const reporter = new CommitStatusReporter({ senders: { gitlab: new GitlabStatusSender({ host: server.url, token: 'wrong' }) }, ...noSleep, onEvent: (e) => events.push(e) });
    expect(await reporter.report(glTarget('7'.repeat(40)), { state: 'pending' })).toBe('failed');
    expect(server.requests).toHaveLength(1);
    expect(events).toMatchObject([{ type: 'failed', attempt: 1, error: 'GitLab answered 401: 401 Unauthorized' }]);
  });

  it('a newer state supersedes one still retrying: GitLab never sees running after success', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reporter = new CommitStatusReporter({ senders: { gitlab: gitlab() }, sleep: () => gate });
    const t = glTarget('8'.repeat(40));
    server.failNext(1, 500);
    const running = reporter.report(t, { state: 'running' });
    await server.waitFor(1);
    const success = reporter.report(t, { state: 'success' });
    release();
    expect(await running).toBe('superseded');
    expect(await success).toBe('sent');
    expect(server.states('gitlab', 'shop/orders', t.sha, t.name)).toEqual(['success']);
  });

  it('a provider without a sender is reported, not thrown', async () => {
    const reporter = new CommitStatusReporter({ senders: {} });
    expect(await reporter.report(ghTarget(), { state: 'pending' })).toBe('no-sender');
    await reporter.idle();
  });

  it('forgets the least recently reported statuses beyond maxRemembered', async () => {
    const reporter = new CommitStatusReporter({ senders: { github: github() }, maxRemembered: 2, ...noSleep });
    const [a, b, c] = ['a', 'b', 'c'].map((x) => ghTarget(x.repeat(40)));
    for (const t of [a, b, c]) await reporter.report(t, { state: 'pending' });
    expect(reporter.lastSent(a)).toBeUndefined();
    expect(reporter.lastSent(c)).toBe('pending');
  });
});
