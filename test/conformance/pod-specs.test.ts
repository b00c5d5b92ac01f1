/**
 * Issue 5's "the same conformance examples that pass locally produce the expected pod specs": every
 * example the conformance run covers is simulated by the engine (instant pods), and each pod it
 * starts is turned into the manifest the Kubernetes executor would send. Each manifest must be one
 * the API server accepts and that runs what the template says: Argo's pod name, valid names and
 * labels, the template's image and command for every container, every mount backed by a volume,
 * claims named as Argo names them, scripts staged, outputs collected. (The manifests of a few
 * examples are compared field by field in libs/executors/src/kubernetes/examples-manifests.test.ts
 * and the golden files.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { simulate, type PodRequest } from '@slipway/engine';
import { buildPodManifest, claimManifests, needsWrapper } from '@slipway/executors';
import { instantiateWorkflow, InMemoryTemplateLibrary, type CronWorkflow, type Workflow, type WorkflowTemplate } from '@slipway/workflow';
import { findArgoExamples, runnableRows, type CatalogueRow } from './catalogue.js';

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  restartPolicy?: string;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

const root = findArgoExamples();
const rows = runnableRows(root);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function docsOf(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(root, file), 'utf8'))
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object');
}

/** The example's pods as the engine starts them (instant pods, suspends resumed, bounded). */
function podsOf(row: CatalogueRow): { workflow: Workflow; pods: PodRequest[] } {
  const docs = docsOf(row.file);
  const templates = [...docs, ...row.companions.flatMap(docsOf)].filter(
    (d) => d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate',
  ) as unknown as WorkflowTemplate[];
  const source =
    docs.find((d) => d.kind === 'Workflow') ??
    docs.find((d) => (d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate') && typeof (d.spec as { entrypoint?: unknown })?.entrypoint === 'string') ??
    docs.find((d) => d.kind === 'CronWorkflow');
  if (!source) throw new Error(`${row.file}: nothing runnable`);
  const workflow = instantiateWorkflow(source as unknown as Workflow | WorkflowTemplate | CronWorkflow, {
    nameSuffix: 'x7k2p',
    uid: 'uid-conformance',
    now: Date.parse('2026-03-01T10:00:00Z'),
  });
  const sim = simulate(workflow, new InMemoryTemplateLibrary(templates), () => ({ stdout: '1\n', durationMs: 1000 }), {
    resumeAfterMs: 1000,
    maxEvents: 5000,
  });
  return { workflow: sim.workflow, pods: sim.pods };
}

/** The containers the template asks for, by name, as the request carries them. */
function requested(req: PodRequest): Map<string, { image?: string; command?: string[]; args?: string[] }> {
  const out = new Map<string, { image?: string; command?: string[]; args?: string[] }>();
  for (const c of [...req.initContainers, ...req.containers, ...req.sidecars]) out.set(c.name ?? 'main', c);
  return out;
}

function checkManifest(row: CatalogueRow, workflow: Workflow, req: PodRequest): string[] {
  const problems: string[] = [];
  const claims = workflow.spec.volumeClaimTemplates;
  const manifest = buildPodManifest({ ...req, volumeClaimTemplates: claims }, { helperImage: 'slipway/helper:test', gitImage: 'alpine/git:test' }) as unknown as Manifest;
  const where = `${row.file} ${req.nodeName}`;
  const say = (problem: string) => problems.push(`${where}: ${problem}`);

  if (manifest.apiVersion !== 'v1' || manifest.kind !== 'Pod') say(`not a v1 Pod`);
  if (manifest.metadata.name !== req.podName) say(`pod named ${manifest.metadata.name}, not ${req.podName}`);
  if (!DNS_SUBDOMAIN.test(req.podName) || req.podName.length > 253) say(`pod name "${req.podName}" is not a DNS subdomain`);
  for (const [key, value] of Object.entries(manifest.metadata.labels ?? {})) {
    if (value.length > 63 || !LABEL_VALUE.test(value)) say(`label ${key}="${value}" is not a valid label value`);
  }
  if (manifest.metadata.labels?.['workflows.argoproj.io/workflow'] !== workflow.metadata.name) say('no workflow label');
  if (manifest.spec.restartPolicy !== 'Never') say(`restartPolicy ${manifest.spec.restartPolicy}`);

  const all = [...(manifest.spec.initContainers ?? []), ...manifest.spec.containers];
  const names = all.map((c) => c.name);
  if (new Set(names).size !== names.length) say(`container names repeat: ${names.join(', ')}`);
  for (const c of all) {
    if (!DNS_LABEL.test(c.name) || c.name.length > 63) say(`container name "${c.name}" is not a DNS label`);
    if (!c.image) say(`container ${c.name} has no image`);
  }
  const volumes = new Set((manifest.spec.volumes ?? []).map((v) => v.name));
  for (const c of all) {
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) say(`container ${c.name} mounts "${m.name}", which is not a volume of the pod`);
    const paths = (c.volumeMounts ?? []).map((m) => m.mountPath);
    if (new Set(paths).size !== paths.length) say(`container ${c.name} mounts one path twice: ${paths.join(', ')}`);
  }

  // Every container of the template runs, with its image, and its command somewhere in the argv.
  const byName = new Map(all.map((c) => [c.name, c]));
  for (const [name, want] of requested(req)) {
    const got = byName.get(name);
    if (!got) {
      say(`template container ${name} is missing from the pod`);
      continue;
    }
    if (want.image !== undefined && got.image !== want.image) say(`container ${name} runs ${got.image}, the template says ${want.image}`);
    const argv = [...(got.command ?? []), ...(got.args ?? [])].join('\u0000');
    const asked = [...(want.command ?? []), ...(want.args ?? [])].join('\u0000');
    if (asked !== '' && !argv.includes(asked)) say(`container ${name} does not run the template's command and args`);
  }

  // Scripts are staged; output parameters and results need the wrapper; claims have Argo's names.
  const initNames = (manifest.spec.initContainers ?? []).map((c) => c.name);
  if (req.scriptSource !== undefined && initNames.length === 0) say('script source not staged by an init container');
  if (needsWrapper(req) && !JSON.stringify(manifest.spec.containers).includes('/argo/staging')) say('outputs requested but the main container is not wrapped');
  const claimNames = new Set(claimManifests({ ...req, volumeClaimTemplates: claims }).map((c) => (c.metadata as { name: string }).name));
  for (const v of manifest.spec.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (claim === undefined) continue;
    const declared = (workflow.spec.volumes ?? []).some((w) => (w as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim?.claimName === claim);
    if (!claimNames.has(claim) && !declared) say(`volume ${v.name} uses claim ${claim}, which neither a volumeClaimTemplate nor spec.volumes provides`);
  }
  return problems;
}

describe('pod specs of the conformance examples (Kubernetes executor)', () => {
  it('the conformance set is the catalogue\'s shell-runnable examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(100);
  });

  it.each(rows.map((r) => [r.file, r] as const))('%s', (_file, row) => {
    const { workflow, pods } = podsOf(row);
    const resourceOnly = pods.every((p) => p.template.resource !== undefined);
    if (!resourceOnly) expect(pods.length).toBeGreaterThan(0);
    const problems = pods.filter((p) => p.template.resource === undefined).flatMap((p) => checkManifest(row, workflow, p));
    expect(problems).toEqual([]);
  });
});
