/**
 * A local HTTP server speaking the Kubernetes API's wire format for the calls Slipway's
 * Kubernetes executor makes: core/v1 pods (create/get/list/watch/delete/log), persistent volume
 * claims and config maps (create/get/list/replace/patch/delete), and API discovery (`/api/v1`).
 * Errors are `Status` objects (`AlreadyExists` 409, `Conflict` 409, `NotFound` 404); watches
 * stream newline-delimited `{type, object}` JSON and answer a too-old resourceVersion with an
 * `ERROR` event carrying a 410 `Expired` Status, as the API server does.
 * The test drives it: move pods through phases, append log lines, drop watches, expire
 * resource versions, fail the next requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type KubeObject = Record<string, unknown> & {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: unknown };
};

export interface KubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: unknown;
  answered: number;
}

export interface FakeKubeServer {
  /** `http://127.0.0.1:<port>`: the cluster `server` of a kubeconfig. */
  url: string;
  requests: KubeRequest[];
  /** The stored object (plural: `pods`, `configmaps`, `persistentvolumeclaims`). */
  get(plural: string, namespace: string, name: string): KubeObject | undefined;
  /** Store an object directly (as if someone else created it); emits ADDED to watchers. */
  put(plural: string, object: KubeObject): KubeObject;
  /** Merge `status` into a pod's status; emits MODIFIED. */
  setPodStatus(namespace: string, name: string, status: Record<string, unknown>): KubeObject;
  /** Append text to a container's log (followers receive it). */
  appendLog(namespace: string, pod: string, container: string, text: string): void;
  /** End the follow streams of a container's log (the container terminated). */
  endLog(namespace: string, pod: string, container: string): void;
  /** Close every open watch stream (a lost watch). */
  dropWatches(): void;
  /** The next `count` watches are told their resourceVersion is too old (an `ERROR` event with a 410 Expired Status). */
  expireNextWatch(count?: number): void;
  /** Pods are removed at once on DELETE (default), or kept with a deletionTimestamp until `finalizeDeletion`. */
  deleteImmediately: boolean;
  finalizeDeletion(namespace: string, name: string): void;
  /** Answer the next request matching method and path fragment with this status and reason. */
  failNext(method: string, pathContains: string, code: number, reason: string): void;
  openWatches(): number;
  close(): Promise<void>;
}

type ContainerState = { name: string; state?: { terminated?: unknown } };

function endFollowers(l: { ended: boolean; followers: Set<ServerResponse> }) {
  l.ended = true;
  for (const f of l.followers) f.end();
  l.followers.clear();
}

const RESOURCES = [
  { name: 'pods', kind: 'Pod', namespaced: true },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
];

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

function mergeObjects(base: unknown, patch: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergeObjects(out[k], v);
  }
  return out;
}

function matchesSelector(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return obj.metadata.labels?.[k] === v;
  });
}

export async function startFakeKubeServer(): Promise<FakeKubeServer> {
  const store = new Map<string, KubeObject>();
  const requests: KubeRequest[] = [];
  const logs = new Map<string, { text: string; ended: boolean; followers: Set<ServerResponse> }>();
  const watches = new Set<{ plural: string; namespace: string; selector?: string; res: ServerResponse }>();
  const failures: { method: string; path: string; code: number; reason: string }[] = [];
  let rv = 100;
  let expireNext = 0;
  const key = (plural: string, ns: string, name: string) => `${plural}/${ns}/${name}`;
  const logOf = (ns: string, pod: string, c: string) => {
    const k = `${ns}/${pod}/${c}`;
    let l = logs.get(k);
    if (!l) logs.set(k, (l = { text: '', ended: false, followers: new Set() }));
    return l;
  };

  const emit = (plural: string, type: string, obj: KubeObject) => {
    for (const w of watches) {
      if (w.plural === plural && w.namespace === obj.metadata.namespace && matchesSelector(obj, w.selector)) {
        w.res.write(`${JSON.stringify({ type, object: obj })}\n`);
      }
    }
  };
  const save = (plural: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject => {
    rv += 1;
    obj.metadata.resourceVersion = String(rv);
    store.set(key(plural, obj.metadata.namespace ?? 'default', obj.metadata.name), obj);
    emit(plural, type, obj);
    return obj;
  };
  const remove = (plural: string, obj: KubeObject) => {
    rv += 1;
    if (plural === 'pods') for (const [k, l] of logs) if (k.startsWith(`${obj.metadata.namespace}/${obj.metadata.name}/`)) endFollowers(l);
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    store.delete(key(plural, obj.metadata.namespace ?? 'default', obj.metadata.name));
    emit(plural, 'DELETED', gone);
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const record: KubeRequest = { method, path: url.pathname, query, contentType: req.headers['content-type'], body, answered: 0 };
    requests.push(record);
    const send = (code: number, payload: unknown) => {
      record.answered = code;
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    const fi = failures.findIndex((f) => f.method === method && url.pathname.includes(f.path));
    if (fi >= 0) {
      const [f] = failures.splice(fi, 1);
      return send(f.code, status(f.code, f.reason, `injected ${f.reason}`));
    }
    if (url.pathname === '/api/v1') {
      return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: RESOURCES.map((r) => ({ ...r, singularName: r.kind.toLowerCase(), verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] })) });
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    if (!m || !RESOURCES.some((r) => r.name === m[2])) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const [, ns, plural, name, sub] = m;
    const kind = RESOURCES.find((r) => r.name === plural)?.kind ?? '';
    const existing = name ? store.get(key(plural, ns, name)) : undefined;
    const notFound = () => send(404, status(404, 'NotFound', `${plural} "${name}" not found`, { name, kind: plural }));

    if (sub === 'log') {
      if (!existing) return notFound();
      const log = logOf(ns, name, query.container ?? '');
      record.answered = 200;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(log.text);
      if (query.follow !== 'true' || log.ended) return res.end();
      log.followers.add(res);
      res.on('close', () => log.followers.delete(res));
      return;
    }
    if (!name && method === 'GET' && query.watch === 'true') {
      record.answered = 200;
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const from = Number(query.resourceVersion ?? '0');
      if (expireNext > 0) {
        expireNext -= 1;
        res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${rv})`) })}\n`);
        return;
      }
      const w = { plural, namespace: ns, selector: query.labelSelector, res };
      watches.add(w);
      res.on('close', () => watches.delete(w));
      return;
    }
    if (!name && method === 'GET') {
      const items = [...store.entries()].filter(([k, o]) => k.startsWith(`${plural}/${ns}/`) && matchesSelector(o, query.labelSelector)).map(([, o]) => o);
      return send(200, { kind: `${kind}List`, apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items });
    }
    if (!name && method === 'POST') {
      const obj = body as KubeObject;
      const objName = obj.metadata.name;
      if (store.has(key(plural, ns, objName))) {
        return send(409, status(409, 'AlreadyExists', `${plural} "${objName}" already exists`, { name: objName, kind: plural }));
      }
      const created: KubeObject = { ...obj, metadata: { ...obj.metadata, namespace: ns, uid: `uid-${rv + 1}`, creationTimestamp: new Date().toISOString() } };
      if (plural === 'pods') created.status = { phase: 'Pending' };
      return send(201, save(plural, created, 'ADDED'));
    }
    if (!existing && method === 'PATCH' && record.contentType?.startsWith('application/apply-patch') && name) {
      // Server-side apply creates what does not exist yet.
      const obj = body as KubeObject;
      return send(201, save(plural, { ...obj, metadata: { ...obj.metadata, name, namespace: ns, uid: `uid-${rv + 1}` } }, 'ADDED'));
    }
    if (!existing) return notFound();
    if (method === 'GET') return send(200, existing);
    if (method === 'PUT') {
      const obj = body as KubeObject;
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== existing.metadata.resourceVersion) {
        return send(409, status(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified`));
      }
      return send(200, save(plural, { ...obj, metadata: { ...obj.metadata, namespace: ns } }, 'MODIFIED'));
    }
    if (method === 'PATCH') {
      return send(200, save(plural, mergeObjects(existing, body) as KubeObject, 'MODIFIED'));
    }
    if (method === 'DELETE') {
      if (plural === 'pods' && !fake.deleteImmediately) {
        const marked = save(plural, { ...existing, metadata: { ...existing.metadata, deletionTimestamp: new Date().toISOString() } }, 'MODIFIED');
        return send(200, marked);
      }
      remove(plural, existing);
      return send(200, existing);
    }
    return send(405, status(405, 'MethodNotAllowed', method));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const fake: FakeKubeServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    deleteImmediately: true,
    get: (plural, ns, name) => store.get(key(plural, ns, name)),
    put: (plural, obj) => save(plural, obj, store.has(key(plural, obj.metadata.namespace ?? 'default', obj.metadata.name)) ? 'MODIFIED' : 'ADDED'),
    setPodStatus(ns, name, st) {
      const pod = store.get(key('pods', ns, name));
      if (!pod) throw new Error(`no pod ${ns}/${name}`);
      const saved = save('pods', { ...pod, status: { ...(pod.status as object), ...st } }, 'MODIFIED');
      const statuses = [...((st.initContainerStatuses ?? []) as ContainerState[]), ...((st.containerStatuses ?? []) as ContainerState[])];
      for (const c of statuses) if (c.state?.terminated) fake.endLog(ns, name, c.name);
      return saved;
    },
    appendLog(ns, pod, container, text) {
      const l = logOf(ns, pod, container);
      l.text += text;
      for (const f of l.followers) f.write(text);
    },
    endLog(ns, pod, container) {
      endFollowers(logOf(ns, pod, container));
    },
    dropWatches() {
      for (const w of watches) w.res.end();
      watches.clear();
    },
    expireNextWatch(count = 1) {
      expireNext += count;
    },
    finalizeDeletion(ns, name) {
      const pod = store.get(key('pods', ns, name));
      if (pod) remove('pods', pod);
    },
    failNext(method, path, code, reason) {
      failures.push({ method, path, code, reason });
    },
    openWatches: () => watches.size,
    async close() {
      fake.dropWatches();
      for (const l of logs.values()) for (const f of l.followers) f.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
