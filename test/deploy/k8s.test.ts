/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are free-form YAML */
/**
 * deploy/k8s: every overlay renders with `kubectl kustomize`, `kubectl apply --dry-run=client`
 * accepts it (against a fake discovery server: no cluster here), and a schema check of our own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startFakeApiServer, type FakeApiServer } from './fake-discovery.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const OVERLAYS = ['dev', 'prod'];
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: any };

let server: FakeApiServer;
const cache = mkdtempSync(join(tmpdir(), 'slipway-kubectl-'));
const rendered: Record<string, { text: string; objects: Obj[] }> = {};

beforeAll(async () => {
  server = await startFakeApiServer();
  for (const o of OVERLAYS) {
    const { stdout } = await run('kubectl', ['kustomize', join(root, 'deploy/k8s/overlays', o)], { maxBuffer: 16 << 20 });
    rendered[o] = { text: stdout, objects: parseAllDocuments(stdout).map((d) => d.toJS() as Obj).filter(Boolean) };
  }
});
afterAll(() => server?.close());

const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  it('kubectl apply --dry-run=client accepts every rendered manifest', async () => {
    const { text, objects } = rendered[overlay];
    const child = run('kubectl', ['apply', '--dry-run=client', '--validate=false', `--server=${server.url}`, `--cache-dir=${cache}`, '-f', '-'], {
      env: { ...process.env, KUBECONFIG: '/dev/null' },
    });
    child.child.stdin!.end(text);
    const { stdout } = await child;
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const l of lines) expect(l).toMatch(/ created \(dry run\)$/);
  });

  it('passes the schema check: required fields, selectors, probes, non-root, resources', () => {
    const { objects } = rendered[overlay];
    for (const o of objects) {
      expect(o.apiVersion, JSON.stringify(o)).toBeTruthy();
      expect(o.kind).toBeTruthy();
      expect(o.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeTruthy();
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toBe('slipway');
    }
    const deployments = byKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['slipway-api', 'slipway-worker']);
    const pods = [...deployments.map((d) => ({ name: d.metadata.name, spec: d.spec.template })), ...byKind(objects, 'Job').map((j) => ({ name: j.metadata.name, spec: j.spec.template }))];
    for (const d of deployments) {
      expect(d.spec.replicas, d.metadata.name).toBeGreaterThanOrEqual(2);
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata.name).toBe(true);
      for (const c of d.spec.template.spec.containers) {
        for (const probe of ['livenessProbe', 'readinessProbe']) expect(c[probe]?.httpGet?.path, `${d.metadata.name} ${probe}`).toMatch(/^\/(healthz|readyz)$/);
        expect(c.readinessProbe.httpGet.path).toBe('/readyz');
        expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      }
    }
    for (const { name, spec } of pods) {
      expect(spec.spec.securityContext.runAsNonRoot, name).toBe(true);
      expect(spec.spec.securityContext.runAsUser, name).toBeGreaterThan(0);
      for (const c of spec.spec.containers) {
        expect(c.image, name).toMatch(/:[\w.-]+$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${name} resources`).toBeTruthy();
        expect(c.securityContext.allowPrivilegeEscalation, name).toBe(false);
        expect(c.securityContext.capabilities.drop).toContain('ALL');
        const refs = (c.envFrom ?? []).map((e: any) => e.configMapRef?.name ?? e.secretRef?.name);
        expect(refs).toEqual(['slipway-config', 'slipway-secrets']);
      }
    }
    const job = byKind(objects, 'Job').find((j) => j.metadata.name === 'slipway-migrate');
    expect(job?.spec.template.spec.containers[0].command.join(' ')).toContain('db-migrate');
    // Services and PDBs select existing pods; metrics Services carry the Prometheus annotations.
    const podLabels = deployments.map((d) => d.spec.template.metadata.labels);
    for (const s of byKind(objects, 'Service')) expect(podLabels.some((l) => matches(s.spec.selector, l)), s.metadata.name).toBe(true);
    for (const p of byKind(objects, 'PodDisruptionBudget')) expect(podLabels.some((l) => matches(p.spec.selector.matchLabels, l)), p.metadata.name).toBe(true);
    const scraped = byKind(objects, 'Service').filter((s) => s.metadata.annotations?.['prometheus.io/scrape'] === 'true');
    expect(scraped.map((s) => s.metadata.annotations?.['prometheus.io/port']).sort()).toEqual(['2746', '9090']);
    for (const s of scraped) expect(s.metadata.annotations?.['prometheus.io/path']).toBe('/metrics');
    // Ingress points at the API Service's port.
    const api = byKind(objects, 'Service').find((s) => s.metadata.name === 'slipway-api')!;
    for (const ing of byKind(objects, 'Ingress')) {
      for (const rule of ing.spec.rules) for (const p of rule.http.paths) {
        expect(p.backend.service.name).toBe('slipway-api');
        expect(api.spec.ports.map((x: any) => x.name)).toContain(p.backend.service.port.name);
      }
    }
  });

  it('RBAC: per-namespace Roles for pods, pods/log and PVCs bound to the worker; no cluster-wide grants', () => {
    const { objects } = rendered[overlay];
    expect(byKind(objects, 'ClusterRole')).toHaveLength(0);
    expect(byKind(objects, 'ClusterRoleBinding')).toHaveLength(0);
    const roles = byKind(objects, 'Role');
    expect(roles.length).toBeGreaterThanOrEqual(1);
    for (const r of roles) {
      expect(r.metadata.namespace).not.toBe('slipway');
      const resources = (r as any).rules.flatMap((x: any) => x.resources);
      expect(resources.sort()).toEqual(['persistentvolumeclaims', 'pods', 'pods/log']);
      for (const rule of (r as any).rules) expect(rule.verbs).not.toContain('*');
      const binding = byKind(objects, 'RoleBinding').find((b) => b.metadata.namespace === r.metadata.namespace);
      expect((binding as any)?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: r.metadata.name });
      expect((binding as any)?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'slipway-worker', namespace: 'slipway' }]);
    }
    const worker = byKind(objects, 'Deployment').find((d) => d.metadata.name === 'slipway-worker')!;
    expect(worker.spec.template.spec.serviceAccountName).toBe('slipway-worker');
  });
});

it('prod overlay: more replicas, TLS, a second business namespace', () => {
  const { objects } = rendered.prod;
  const replicas = Object.fromEntries(byKind(objects, 'Deployment').map((d) => [d.metadata.name, d.spec.replicas]));
  expect(replicas).toEqual({ 'slipway-api': 3, 'slipway-worker': 4 });
  expect(byKind(objects, 'Ingress')[0].spec.tls[0].secretName).toBe('slipway-tls');
  expect(byKind(objects, 'Role').map((r) => r.metadata.namespace).sort()).toEqual(['slipway-workflows', 'team-a']);
  expect(byKind(objects, 'Secret')).toHaveLength(0);
  expect(byKind(rendered.dev.objects, 'Secret').map((s) => s.metadata.name)).toEqual(['slipway-secrets']);
});
