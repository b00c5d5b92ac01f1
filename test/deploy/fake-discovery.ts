/**
 * Just enough of a Kubernetes API server for `kubectl apply --dry-run=client`: legacy discovery
 * for the kinds Slipway's manifests use, and 404 NotFound for every object (nothing exists yet,
 * so kubectl prints what it would create). No cluster runs on the CI machines.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Kind {
  name: string;
  kind: string;
  namespaced: boolean;
}

const GROUPS: Record<string, Kind[]> = {
  v1: [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  ],
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [{ name: 'jobs', kind: 'Job', namespaced: true }],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  ],
};

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: GROUPS[groupVersion].map((k) => ({ name: k.name, singularName: k.kind.toLowerCase(), namespaced: k.namespaced, kind: k.kind, verbs: VERBS })),
  };
}

function groupList(): unknown {
  const groups = Object.keys(GROUPS)
    .filter((gv) => gv.includes('/'))
    .map((gv) => {
      const [group, version] = gv.split('/');
      const v = { groupVersion: gv, version };
      return { name: group, versions: [v], preferredVersion: v };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export interface FakeApiServer {
  url: string;
  close(): Promise<void>;
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return json(200, groupList());
    if (path === '/version') return json(200, { major: '1', minor: '33', gitVersion: 'v1.33.0' });
    if (path === '/api/v1') return json(200, resourceList('v1'));
    const m = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
    if (m && GROUPS[m[1]]) return json(200, resourceList(m[1]));
    return json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
