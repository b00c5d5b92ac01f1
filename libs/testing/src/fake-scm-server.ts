/**
 * A local HTTP server speaking the commit-status APIs of GitLab (`POST /api/v4/projects/:id/
 * statuses/:sha`, `PRIVATE-TOKEN`) and GitHub (`POST /repos/:owner/:repo/statuses/:sha`,
 * `Authorization: Bearer`), with their answers and errors, for tests of status reporting; and
 * their compare APIs (changed paths).
 * It records every request and can fail the next ones on demand.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScmRequest {
  provider: 'gitlab' | 'github' | 'unknown';
  method: string;
  /** Path as received (still URL-encoded). */
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON or form body. */
  body: Record<string, unknown>;
  /** The status code the server answered. */
  answered: number;
}

export interface FakeScmServer {
  /** `http://127.0.0.1:<port>`: GitLab `host`, and GitHub `apiUrl`. */
  url: string;
  requests: ScmRequest[];
  /** States accepted for one status, in order (GitLab `name`/GitHub `context`). */
  states(provider: 'gitlab' | 'github', repo: string, sha: string, name: string): string[];
  /** Answer the next `count` requests with this status and JSON body (e.g. 500, or 429). */
  failNext(count: number, status: number, body?: unknown): void;
  /** Close the connection of the next `count` requests without answering (a network error). */
  dropNext(count: number): void;
  /** What the compare APIs answer for (repo, base, head): GitLab `repository/compare`, GitHub `compare/{base}...{head}`. */
  setCompare(provider: 'gitlab' | 'github', repo: string, base: string, head: string, paths: string[], options?: { timeout?: boolean }): void;
  /** Resolves when `count` requests have been answered. */
  waitFor(count: number, timeoutMs?: number): Promise<ScmRequest[]>;
  close(): Promise<void>;
}

export interface FakeScmOptions {
  gitlabToken?: string;
  githubToken?: string;
}

// GitLab's state machine event for each target state, used in its "Cannot transition" errors.
const GITLAB_EVENT: Record<string, string> = { pending: 'enqueue', running: 'run', success: 'success', failed: 'drop', canceled: 'cancel' };
const GITHUB_STATES = new Set(['pending', 'success', 'failure', 'error']);

export async function startFakeScmServer(opts: FakeScmOptions = {}): Promise<FakeScmServer> {
  const gitlabToken = opts.gitlabToken ?? 'glpat-test-token';
  const githubToken = opts.githubToken ?? 'ghp_test_token';
  const requests: ScmRequest[] = [];
  const accepted = new Map<string, string[]>();
  const failures: { status: number; body: unknown }[] = [];
  const compares = new Map<string, { paths: string[]; timeout: boolean }>();
  let drops = 0;
  const waiters: (() => void)[] = [];
  let nextId = 1;

  const record = (req: ScmRequest): void => {
    requests.push(req);
    for (const w of waiters.splice(0)) w();
  };

  const server = createServer((req, res) => {
    void readBody(req).then(({ raw, parsed }) => {
      const body = parsed ?? {};
      const path = req.url ?? '/';
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const gl = /^\/api\/v4\/projects\/([^/]+)\/statuses\/([0-9a-f]+)$/.exec(path);
      const gh = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]+)$/.exec(path);
      const provider = gl ? 'gitlab' : gh ? 'github' : 'unknown';
      const reply = (status: number, json: unknown): void => {
        record({ provider, method: req.method ?? '', path, headers, body, answered: status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (drops > 0) {
        drops--;
        record({ provider, method: req.method ?? '', path, headers, body, answered: 0 });
        req.socket.destroy();
        return;
      }
      const failure = failures.shift();
      if (failure) return reply(failure.status, failure.body);
      if (req.method === 'GET') {
        const answer = compareAnswer(path, headers, compares, gitlabToken, githubToken);
        if (answer) {
          record({ provider: answer.provider, method: 'GET', path, headers, body, answered: answer.status });
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
          return;
        }
      }
      if (req.method !== 'POST' || provider === 'unknown') return reply(404, { message: '404 Not Found' });
      if (raw.length > 0 && !parsed) return reply(400, { message: 'Problems parsing JSON' });

      if (gl) {
        if (headers['private-token'] !== gitlabToken) return reply(401, { message: '401 Unauthorized' });
        const state = String(body.state ?? '');
        if (!GITLAB_EVENT[state]) return reply(400, { error: 'state does not have a valid value' });
        const project = decodeURIComponent(gl[1]);
        const name = String(body.name ?? body.context ?? 'default');
        const list = stateList(accepted, 'gitlab', project, gl[2], name);
        const current = list[list.length - 1];
        if (current === state) {
          return reply(400, { message: `Cannot transition status via :${GITLAB_EVENT[state]} from :${current} (Reason(s): Status cannot transition via "${GITLAB_EVENT[state]}")` });
        }
        list.push(state);
        return reply(201, {
          id: nextId++,
          sha: gl[2],
          ref: body.ref ?? null,
          status: state,
          name,
          target_url: body.target_url ?? null,
          description: body.description ?? null,
          created_at: new Date().toISOString(),
          started_at: null,
          finished_at: null,
          allow_failure: false,
          coverage: null,
          author: { id: 1, username: 'slipway-bot', name: 'Slipway' },
        });
      }
      const auth = headers.authorization ?? '';
      if (auth !== `Bearer ${githubToken}` && auth !== `token ${githubToken}`) {
        return reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      }
      const state = String(body.state ?? '');
      if (!GITHUB_STATES.has(state)) return reply(422, { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'state', message: 'state is not included in the list' }] });
      const [, owner, repo, sha] = gh!;
      stateList(accepted, 'github', `${owner}/${repo}`, sha, String(body.context ?? 'default')).push(state);
      return reply(201, {
        url: `http://127.0.0.1/repos/${owner}/${repo}/statuses/${sha}`,
        id: nextId++,
        state,
        description: body.description ?? null,
        target_url: body.target_url ?? null,
        context: body.context ?? 'default',
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    states: (provider, repo, sha, name) => accepted.get(JSON.stringify([provider, repo, sha, name])) ?? [],
    failNext: (count, status, body = { message: `${status} injected failure` }) => {
      for (let i = 0; i < count; i++) failures.push({ status, body });
    },
    setCompare: (provider, repo, base, head, paths, options = {}) => {
      compares.set(JSON.stringify([provider, repo, base, head]), { paths, timeout: options.timeout === true });
    },
    dropNext: (count) => {
      drops += count;
    },
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fake SCM server: ${requests.length} of ${count} requests after ${timeoutMs} ms`)), timeoutMs);
        const check = (): void => {
          if (requests.length >= count) {
            clearTimeout(timer);
            resolve(requests);
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function compareAnswer(
  path: string,
  headers: Record<string, string>,
  compares: Map<string, { paths: string[]; timeout: boolean }>,
  gitlabToken: string,
  githubToken: string,
): { provider: 'gitlab' | 'github'; status: number; json: unknown } | undefined {
  const url = new URL(path, 'http://localhost');
  const gl = /^\/api\/v4\/projects\/([^/]+)\/repository\/compare$/.exec(url.pathname);
  if (gl) {
    if (headers['private-token'] !== gitlabToken) return { provider: 'gitlab', status: 401, json: { message: '401 Unauthorized' } };
    const found = compares.get(JSON.stringify(['gitlab', decodeURIComponent(gl[1]), url.searchParams.get('from'), url.searchParams.get('to')]));
    if (!found) return { provider: 'gitlab', status: 404, json: { message: '404 Ref Not Found' } };
    const diffs = found.paths.map((p) => ({ old_path: p, new_path: p, a_mode: '100644', b_mode: '100644', new_file: false, renamed_file: false, deleted_file: false, diff: '' }));
    return { provider: 'gitlab', status: 200, json: { commit: null, commits: [], diffs, compare_timeout: found.timeout, compare_same_ref: false } };
  }
  const gh = /^\/repos\/([^/]+)\/([^/]+)\/compare\/(.+)\.\.\.(.+)$/.exec(url.pathname);
  if (gh) {
    if (headers.authorization !== `Bearer ${githubToken}`) return { provider: 'github', status: 401, json: { message: 'Bad credentials' } };
    const found = compares.get(JSON.stringify(['github', `${gh[1]}/${gh[2]}`, decodeURIComponent(gh[3]), decodeURIComponent(gh[4])]));
    if (!found) return { provider: 'github', status: 404, json: { message: 'Not Found' } };
    return { provider: 'github', status: 200, json: { status: 'ahead', files: found.paths.map((filename) => ({ filename, status: 'modified' })) } };
  }
  return undefined;
}

function stateList(map: Map<string, string[]>, provider: string, repo: string, sha: string, name: string): string[] {
  const key = JSON.stringify([provider, repo, sha, name]);
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

async function readBody(req: IncomingMessage): Promise<{ raw: string; parsed: Record<string, unknown> | undefined }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  try {
    if (raw === '') return { raw, parsed: {} };
    if (type.includes('application/x-www-form-urlencoded')) return { raw, parsed: Object.fromEntries(new URLSearchParams(raw)) };
    return { raw, parsed: JSON.parse(raw) as Record<string, unknown> };
  } catch {
    return { raw, parsed: undefined };
  }
}

