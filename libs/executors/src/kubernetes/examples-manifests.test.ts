/**
 * Argo's own examples (../shared/argo-examples), run through the engine's simulation: the pod
 * requests it emits become the pod specs Argo would create for them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simulate, type PodRequest } from '@slipway/engine';
import { instantiateWorkflow, InMemoryTemplateLibrary, type Workflow } from '@slipway/workflow';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { buildPodManifest, claimManifests } from './pod-manifest.js';

const root = [process.env.SLIPWAY_ARGO_EXAMPLES, resolve(import.meta.dirname, '../../../../../shared/argo-examples')].find(
  (p): p is string => !!p && existsSync(join(p, 'examples')),
);

type Spec = { containers: { name: string; image: string; command?: string[]; args?: string[]; volumeMounts?: { name: string; mountPath: string; subPath?: string }[] }[]; initContainers?: { name: string }[]; volumes?: { name: string }[] } & Record<string, unknown>;

function pods(file: string): { workflow: Workflow; requests: PodRequest[]; specs: Spec[] } {
  const docs = parseAllDocuments(readFileSync(join(root ?? '', 'examples', file), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  const workflow = instantiateWorkflow(docs.find((d) => d.kind === 'Workflow') as unknown as Workflow, { nameSuffix: 'abcde', uid: 'uid-1', now: Date.parse('2026-03-01T10:00:00Z') });
  const sim = simulate(workflow, new InMemoryTemplateLibrary([]), () => ({ stdout: 'heads\n', outputs: {} }), {});
  const claims = workflow.spec.volumeClaimTemplates;
  const specs = sim.pods.map((req) => buildPodManifest({ ...req, volumeClaimTemplates: claims }, { helperImage: 'slipway/helper:test' }).spec as Spec);
  return { workflow, requests: sim.pods, specs };
}

describe.skipIf(!root)('pod specs for Argo examples', () => {
  test('steps.yaml: one plain pod per step, Argo pod names, labelled by workflow', () => {
    const { workflow, requests, specs } = pods('steps.yaml');
    expect(requests.map((r) => r.podName)).toHaveLength(3);
    for (const [i, spec] of specs.entries()) {
      expect(spec.initContainers).toBeUndefined();
      expect(spec.containers).toHaveLength(1);
      expect(spec.containers[0]).toMatchObject({ name: 'main', image: 'busybox', command: ['echo'] });
      const manifest = buildPodManifest(requests[i], { helperImage: 'h' }) as { metadata: { name: string; labels: Record<string, string> } };
      expect(manifest.metadata.name).toBe(requests[i].podName);
      expect(manifest.metadata.labels['workflows.argoproj.io/workflow']).toBe(workflow.metadata.name);
    }
  });

  test('coinflip.yaml: the script is staged and appended to the command', () => {
    const { specs } = pods('coinflip.yaml');
    const script = specs.find((s) => s.initContainers?.[0]?.name === 'slipway-init');
    expect(script?.containers[0].args?.at(-1)).toBe('/argo/staging/script');
    expect(script?.containers[0].volumeMounts).toContainEqual({ name: 'slipway-staging', mountPath: '/argo/staging' });
  });

  test('output-parameter.yaml: the main container runs under the wrapper', () => {
    const { specs } = pods('output-parameter.yaml');
    const producer = specs.find((s) => s.containers[0].command?.[0] === '/argo/staging/bin/busybox');
    expect(producer?.containers[0].command?.slice(0, 3)).toEqual(['/argo/staging/bin/busybox', 'sh', '/argo/staging/bin/exec']);
  });

  test('volumes-pvc.yaml: pods mount the workflow PVC <workflow>-<claim>', () => {
    const { workflow, requests, specs } = pods('volumes-pvc.yaml');
    const pvc = claimManifests({ ...requests[0], volumeClaimTemplates: workflow.spec.volumeClaimTemplates })[0] as { metadata: { name: string } };
    expect(pvc.metadata.name).toBe(`${workflow.metadata.name}-workdir`);
    for (const spec of specs) expect(spec.volumes).toContainEqual({ name: 'workdir', persistentVolumeClaim: { claimName: pvc.metadata.name } });
  });

  test('pod-spec-patch.yaml: the patch lands on the main container', () => {
    const { specs } = pods('pod-spec-patch.yaml');
    expect(JSON.stringify(specs[0].containers[0])).toContain('"cpu":"100m"');
  });

  test('sidecar-nginx.yaml and init-container.yaml: sidecars after main, init containers kept', () => {
    expect(pods('sidecar-nginx.yaml').specs[0].containers.map((c) => c.name)).toEqual(['main', 'nginx']);
    expect(pods('init-container.yaml').specs[0].initContainers?.map((c) => c.name)).toEqual(['hello']);
  });
});
