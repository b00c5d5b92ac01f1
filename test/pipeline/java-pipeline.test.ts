/**
 * The java-compile-build-deploy example end to end through the built `slipway run`: a bare app
 * repo (the sample app), a bare GitOps repo (served over smart HTTP, as a real remote would be:
 * sandboxed steps cannot write to host paths) — compile with javac, Dockerfile, OCI image
 * tarball, one commit with the new tag, workspace cleaned by the exit handler.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createBareRepo, serveGitHttp, type BareRepo, type GitHttpServer } from '@slipway/gitops/testing';
import { lintBindingText } from '@slipway/scm';
import { InMemoryTemplateLibrary, parseYamlDocuments, type WorkflowTemplate } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/java-compile-build-deploy');
const TEMPLATES = join(EXAMPLE, 'workflow-templates.yaml');
const CLI = join(ROOT, 'apps/cli/bin/slipway.js');
const IMAGE = 'registry.example.com/team/demo';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  # bumped by the java-compile-build-deploy pipeline
  - name: ${IMAGE}
    newTag: initial
`;

interface NodeStatus {
  displayName: string;
  phase: string;
  message?: string;
  outputs?: { parameters?: { name: string; value?: string }[] };
}
interface RunResult {
  code: number | null;
  stderr: string;
  workflow: { metadata: { uid: string; name: string }; status: { phase: string; nodes: Record<string, NodeStatus> } };
}

let dir: string;
let app: BareRepo;
let gitops: BareRepo;
let server: GitHttpServer;

function appFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(join(EXAMPLE, 'app'), p)] = readFileSync(p, 'utf8');
    }
  };
  walk(join(EXAMPLE, 'app'));
  return files;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-java-pipeline-'));
  app = createBareRepo(appFiles(), { name: 'app' });
  gitops = createBareRepo({ 'apps/demo/kustomization.yaml': KUSTOMIZATION, 'apps/demo/deployment.yaml': 'kind: Deployment\n' }, { name: 'gitops' });
  server = await serveGitHttp(resolve(gitops.path, '..'));
});

afterAll(async () => {
  await server?.close();
  app?.dispose();
  gitops?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function slipwayRun(params: Record<string, string>): Promise<RunResult> {
  const args = ['run', TEMPLATES, '-o', 'json', '--workdir', join(dir, 'wd')];
  for (const [k, v] of Object.entries(params)) args.push('-p', `${k}=${v}`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      try {
        done({ code, stderr, workflow: JSON.parse(stdout) as RunResult['workflow'] });
      } catch {
        fail(new Error(`slipway run exited ${code} without a workflow on stdout:\n${stderr}`));
      }
    });
  });
}

const baseParams = () => ({
  repo: app.url,
  'gitops-repo': `${server.url}/gitops.git`,
  'gitops-file': 'apps/demo/kustomization.yaml',
  registry: 'registry.example.com/team',
  image: 'demo',
});

function node(run: RunResult, displayName: string): NodeStatus {
  const found = Object.values(run.workflow.status.nodes).find((n) => n.displayName === displayName);
  if (!found) throw new Error(`no node ${displayName}; nodes: ${Object.values(run.workflow.status.nodes).map((n) => n.displayName).join(', ')}`);
  return found;
}

const output = (n: NodeStatus, name: string) => n.outputs?.parameters?.find((p) => p.name === name)?.value;

/** The main container log of the (last) pod of a template: pods are named `<workflow>-<template>-<hash>`. */
function podLog(run: RunResult, template: string): string {
  const logs = join(dir, 'wd', 'logs', run.workflow.metadata.uid);
  const pod = readdirSync(logs).find((p) => p.startsWith(`${run.workflow.metadata.name}-${template}-`));
  if (!pod) throw new Error(`no pod log for ${template} in ${readdirSync(logs).join(', ')}`);
  return readFileSync(join(logs, pod, 'main.log'), 'utf8');
}

describe('java-compile-build-deploy', () => {
  test('a push builds the image and commits the new tag to the GitOps repo exactly once', async () => {
    const before = gitops.log();
    const revision = app.log()[0];
    const params = baseParams();
    const run = await slipwayRun({ ...params, revision });
    expect(run.workflow.status.phase, run.stderr).toBe('Succeeded');
    expect(run.code).toBe(0);

    const tag = revision.slice(0, 12);
    expect(output(node(run, 'compile'), 'tag')).toBe(tag);
    expect(output(node(run, 'compile'), 'commit')).toBe(revision);
    expect(node(run, 'init-jar').phase).toBe('Succeeded');
    expect(node(run, 'init-zip').phase).toBe('Skipped');
    expect(podLog(run, 'compile')).toContain('self-test ok');

    const digest = output(node(run, 'build'), 'digest');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(podLog(run, 'build')).toContain(digest);

    const after = gitops.log();
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(1)).toEqual(before);
    expect(output(node(run, 'update-tag'), 'commit')).toBe(after[0]);
    expect(gitops.read('main', 'apps/demo/kustomization.yaml')).toBe(KUSTOMIZATION.replace('newTag: initial', `newTag: ${tag}`));
    const message = gitops.message(after[0]);
    expect(message).toContain(`Set ${IMAGE} to ${tag} in apps/demo/kustomization.yaml`);
    expect(message).toContain(`Image-Digest: ${digest}`);
    expect(message).toContain(`Slipway-Workflow: ${run.workflow.metadata.uid}`);

    expect(node(run, 'global-exit').phase).toBe('Succeeded');
    const exitLog = podLog(run, 'global-exit');
    expect(exitLog).toContain('ended Succeeded');
    expect(exitLog).toMatch(/removing: .*build .*image .*image\.oci\.tar/);
    expect(exitLog).toContain('workspace cleaned: 0 entries left');

    // The same push again (a redelivery, a resubmit): the trailer is found, nothing is committed.
    const again = await slipwayRun({ ...params, revision });
    expect(again.workflow.status.phase, again.stderr).toBe('Succeeded');
    expect(output(node(again, 'update-tag'), 'commit')).toBe(after[0]);
    expect(podLog(again, 'update-tag')).toContain('"alreadyDone":true');
    expect(gitops.log()).toEqual(after);
  });

  test('zip packaging builds the distribution image', async () => {
    const params = baseParams();
    const before = gitops.log();
    const run = await slipwayRun({ ...params, revision: 'main', packaging: 'zip', tag: 'zip-1' });
    expect(run.workflow.status.phase, run.stderr).toBe('Succeeded');
    expect(node(run, 'init-jar').phase).toBe('Skipped');
    expect(podLog(run, 'init-dockerfile')).toContain('ENTRYPOINT ["/app/bin/demo"]');
    expect(gitops.log()).toHaveLength(before.length + 1);
    expect(gitops.read('main', 'apps/demo/kustomization.yaml')).toContain('newTag: zip-1');
  });

  test('a broken compile fails the workflow, commits nothing and still cleans the workspace', async () => {
    const broken = app.commit({ 'src/main/java/com/example/demo/App.java': 'package com.example.demo;\npublic final class App { oops }\n' }, 'break the build', 'broken');
    const before = gitops.log();
    const params = baseParams();
    const run = await slipwayRun({ ...params, revision: broken, branch: 'broken' });
    expect(run.code).toBe(1);
    expect(run.workflow.status.phase).toBe('Failed');
    expect(node(run, 'compile').phase).toBe('Failed');
    expect(podLog(run, 'compile')).toMatch(/App\.java:2: error/);
    expect(Object.values(run.workflow.status.nodes).some((n) => n.displayName === 'update-tag')).toBe(false);
    expect(gitops.log()).toEqual(before);
    expect(node(run, 'global-exit').phase).toBe('Succeeded');
    const exitLog = podLog(run, 'global-exit');
    expect(exitLog).toContain('ended Failed');
    expect(exitLog).toMatch(/failures: .*displayName.*compile.*main: Error \(exit code 1\)/);
    expect(exitLog).toContain('workspace cleaned: 0 entries left');
  });

  test('binding.yaml is a valid WorkflowEventBinding for the template', () => {
    const templates = parseYamlDocuments(readFileSync(TEMPLATES, 'utf8'), TEMPLATES).documents.map((d) => d.object as unknown as WorkflowTemplate);
    const library = new InMemoryTemplateLibrary(templates);
    expect(lintBindingText(readFileSync(join(EXAMPLE, 'binding.yaml'), 'utf8'), 'binding.yaml', { library })).toEqual([]);
  });
});
