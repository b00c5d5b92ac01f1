/** The HTTP client through a real verb (`get`): headers, error messages and exit statuses. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normaliseServer, queryString } from './api-client.js';
import { apiError, FakeApi, slipway } from './test-support.js';
import { stepsWorkflow, WF } from './test-fixtures.js';

const api = new FakeApi();
beforeAll(async () => {
  process.env.TZ = 'UTC';
  await api.start();
});
afterAll(() => api.close());
beforeEach(() => api.reset());

describe('the API client', () => {
  it('sends the token as a Bearer header and the namespace in the path', async () => {
    api.on('GET', `/api/v1/workflows/team-a/${WF}`, stepsWorkflow());
    const run = await slipway(['get', WF, '-n', 'team-a', '-o', 'json'], api.url);
    expect(run.code).toBe(0);
    expect(api.requests).toEqual([{ method: 'GET', path: `/api/v1/workflows/team-a/${WF}`, query: {}, body: undefined, authorization: 'Bearer secret' }]);
    expect(JSON.parse(run.stdout)).toEqual(stepsWorkflow());
  });

  it('takes --token and --server over the environment, keeps a "Bearer " prefix, and sends no header without a token', async () => {
    api.on('GET', `/api/v1/workflows/default/${WF}`, stepsWorkflow());
    await slipway(['get', WF, '--token', 'flag-token', '--server', api.url], 'http://127.0.0.1:9', { SLIPWAY_TOKEN: 'env-token' });
    await slipway(['get', WF], api.url, { SLIPWAY_TOKEN: 'Bearer already' });
    await slipway(['get', WF], api.url, {});
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer flag-token', 'Bearer already', undefined]);
  });

  it('uses SLIPWAY_NAMESPACE when -n is not given', async () => {
    api.on('GET', `/api/v1/workflows/ci/${WF}`, stepsWorkflow());
    expect((await slipway(['get', WF], api.url, { SLIPWAY_NAMESPACE: 'ci' })).code).toBe(0);
  });

  it('says how to start the server when the connection is refused, and exits 2', async () => {
    const gone = new FakeApi();
    await gone.start();
    const url = gone.url;
    await gone.close();
    const run = await slipway(['get', WF], url);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `slipway get: cannot reach Slipway at ${url} (is it running? npm start)\n` });
  });

  it('shows the server message of a 401 with a hint about SLIPWAY_TOKEN, and exits 1', async () => {
    api.on('GET', `/api/v1/workflows/default/${WF}`, apiError(401, 16, 'missing bearer token: send "Authorization: Bearer <token>"'));
    const noToken = await slipway(['get', WF], api.url, {});
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toBe(
      'slipway get: 401: missing bearer token: send "Authorization: Bearer <token>"\n' +
        'hint: set SLIPWAY_TOKEN (or pass --token) to an API token: the server’s SLIPWAY_ADMIN_TOKEN or one from `slipway token create`\n',
    );
    api.on('GET', `/api/v1/workflows/default/${WF}`, apiError(401, 16, 'invalid or revoked token'));
    const badToken = await slipway(['get', WF], api.url);
    expect(badToken.stderr).toBe(
      'slipway get: 401: invalid or revoked token\nhint: the token in --token / SLIPWAY_TOKEN was not accepted (revoked, or for another server?)\n',
    );
  });

  it('explains a 403', async () => {
    api.on('GET', `/api/v1/workflows/prod/${WF}`, apiError(403, 7, 'token "ci" has no access to namespace "prod"'));
    const run = await slipway(['get', WF, '-n', 'prod'], api.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'slipway get: 403: token "ci" has no access to namespace "prod"\nhint: the token in --token / SLIPWAY_TOKEN lacks the role or namespace for this; use another SLIPWAY_TOKEN\n',
    );
  });

  it('prints other errors as "<status>: <message>", also when the body is not JSON', async () => {
    api.on('GET', `/api/v1/workflows/default/nope`, apiError(404, 5, 'workflows.argoproj.io "nope" not found'));
    expect(await slipway(['get', 'nope'], api.url)).toMatchObject({ code: 1, stdout: '', stderr: 'slipway get: 404: workflows.argoproj.io "nope" not found\n' });
    api.on('GET', `/api/v1/workflows/default/proxy`, (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad   Gateway</html>');
    });
    expect((await slipway(['get', 'proxy'], api.url)).stderr).toBe('slipway get: 502: <html>Bad Gateway</html>\n');
    api.on('GET', `/api/v1/workflows/default/garbled`, (_req, res) => {
      res.writeHead(200);
      res.end('{"metadata":');
    });
    expect((await slipway(['get', 'garbled'], api.url)).stderr).toBe('slipway get: 200: the server answered with something that is not JSON: {"metadata":\n');
  });

  it('rejects a malformed --server and bad flags with exit 2 and no request', async () => {
    expect(await slipway(['get', WF, '--server', 'ftp://host'], api.url)).toMatchObject({
      code: 2,
      stderr: 'slipway get: --server / SLIPWAY_SERVER: "ftp://host" must be an http:// or https:// URL\n',
    });
    const bad = await slipway(['get', WF, '--frobnicate'], api.url);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^slipway get: Unknown option '--frobnicate'.*\nusage: slipway get NAME \[-o json\|yaml\]\n$/s);
    expect(await slipway(['get', WF, '-o', 'xml'], api.url)).toMatchObject({ code: 2, stderr: 'slipway get: -o must be json or yaml, not "xml"\n' });
    expect(api.requests).toEqual([]);
  });

  it('prints the verbs with --help', async () => {
    const run = await slipway(['list', '--help'], api.url);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('submit FILE | --from KIND/NAME');
  });

  it('ends a stream with the error of an {"error": …} line', async () => {
    api.on('GET', `/api/v1/workflows/default/${WF}/log`, (_req, res) => {
      res.writeHead(200);
      res.write(`${JSON.stringify({ result: { content: 'one', podName: 'p' } })}\n`);
      res.end(`${JSON.stringify({ error: { code: 13, message: 'log storage unavailable' } })}\n`);
    });
    const run = await slipway(['logs', WF], api.url);
    expect(run).toMatchObject({ code: 1, stdout: 'p: one\n', stderr: 'slipway logs: log storage unavailable\n' });
  });
});

describe('URLs', () => {
  it('normalises the server and encodes queries', () => {
    expect(normaliseServer('localhost:2746/')).toBe('http://localhost:2746');
    expect(normaliseServer('https://ci.example.com/slipway/')).toBe('https://ci.example.com/slipway');
    expect(queryString({ a: 'x=y', b: undefined, c: ['1', '2'], d: '' })).toBe('?a=x%3Dy&c=1&c=2');
  });
});
