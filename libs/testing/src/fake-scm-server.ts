/**
 * A local HTTP server speaking the commit-status APIs of GitLab (`POST /api/v4/projects/:id/
 * statuses/:sha`, `PRIVATE-TOKEN`) and GitHub (`POST /repos/:owner/:repo/statuses/:sha`,
 * `Authorization: Bearer`), with their answers and errors, for tests of status reporting.
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

