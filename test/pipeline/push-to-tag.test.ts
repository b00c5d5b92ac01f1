/**
 * Push to deployed tag, end to end: a real GitLab Push Hook payload posted to the real API, the
 * worker matching the WorkflowEventBinding and running java-compile-build-deploy on the local
 * executor, the new tag committed to a bare GitOps repo, commit statuses received by a fake
 * GitLab, a failure e-mail received by a real SMTP server, and a newer push stopping the older run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryStore, LogTails, WorkflowRepository } from '@slipway/persistence';
import type { NodeStatus, Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE, IMAGE, KUSTOMIZATION, postPush, PROJECT, pushPayload, startHarness, STATUS_NAME, until, type Harness } from './push-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('push_to_tag');
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function runOf(deliveryId: string): Promise<string> {
  const store = new DeliveryStore(h.prisma);
  const d = await until(`delivery ${deliveryId} processed`, async () => {
    const row = await store.get(deliveryId);
    return row && row.outcome !== 'received' ? row : undefined;
  }, 30_000);
  expect(d.outcome, d.reason ?? '').toBe('started');
  expect(d.workflowIds).toHaveLength(1);
  return d.workflowIds[0];
}

const workflows = () => new WorkflowRepository(h.prisma);
const finished = (wf: Workflow | undefined) => (wf && ['Succeeded', 'Failed', 'Error'].includes(wf.status?.phase ?? '') ? wf : undefined);
const node = (wf: Workflow, name: string): NodeStatus | undefined => Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === name);

async function podLog(wf: Workflow, displayName: string): Promise<string> {
  const n = node(wf, displayName);
  if (!n) throw new Error(`no node ${displayName}`);
  const rows = await h.prisma.$queryRaw<{ pod_name: string }[]>`SELECT pod_name FROM pod_executions WHERE workflow_id = ${wf.metadata.uid}::uuid AND node_id = ${n.id}`;
  return (await new LogTails(h.prisma).tail(wf.metadata.uid!, rows[0].pod_name, { lines: 200 })).join('\n');
}

describe('push to deployed tag', () => {
  test('a GitLab push builds, commits the new tag once, reports pending→running→success and cleans the workspace', async () => {
    const sha = h.app.log()[0];
    const before = h.gitops.log();
    const res = await postPush(h, pushPayload(h, sha));
    expect(res.status).toBe(202);
    expect(res.ms).toBeLessThan(1000);
    const id = await runOf(res.body.id!);
    const wf = await until('workflow finished', async () => finished(await workflows().getById(id)));
    expect(wf.status?.phase, wf.status?.message).toBe('Succeeded');
    for (const step of ['compile', 'init-jar', 'build', 'update-tag', 'global-exit']) expect(node(wf, step)?.phase, step).toBe('Succeeded');
    expect(node(wf, 'init-zip')?.phase).toBe('Skipped');
    expect(wf.metadata.labels?.['workflows.argoproj.io/workflow-event-binding']).toBe('demo-push');

    const after = h.gitops.log();
    expect(after).toHaveLength(before.length + 1);
    const tag = sha.slice(0, 12);
    expect(h.gitops.read('main', 'apps/demo/kustomization.yaml')).toBe(KUSTOMIZATION.replace('newTag: initial', `newTag: ${tag}`));
    expect(h.gitops.message(after[0])).toContain(`Set ${IMAGE} to ${tag}`);

    await until('three statuses', () => (h.scm.states('gitlab', PROJECT, sha, STATUS_NAME).length >= 3 ? true : undefined), 15_000);
    expect(h.scm.states('gitlab', PROJECT, sha, STATUS_NAME)).toEqual(['pending', 'running', 'success']);
    const last = h.scm.requests.filter((r) => r.provider === 'gitlab' && r.body.state === 'success').at(-1)!;
    expect(last.body.target_url).toBe(`https://slipway.test/workflows/default/${wf.metadata.name}`);
    expect(last.body.ref).toBe('main');

    expect(await podLog(wf, 'global-exit')).toContain('workspace cleaned: 0 entries left');
    expect(h.smtp.messages).toHaveLength(0);
  });

  test('a broken compile fails, sends exactly one e-mail with the failed step and log tail, runs the exit handler, reports failed', async () => {
    const broken = h.app.commit({ 'src/main/java/com/example/demo/App.java': 'package com.example.demo;\npublic final class App { oops }\n' }, 'break the build', 'broken');
    const before = h.gitops.log();
    const res = await postPush(h, pushPayload(h, broken, 'broken'));
    expect(res.status).toBe(202);
    const id = await runOf(res.body.id!);
    const wf = await until('workflow finished', async () => finished(await workflows().getById(id)));
    expect(wf.status?.phase).toBe('Failed');
    expect(node(wf, 'compile')?.phase).toBe('Failed');
    expect(node(wf, 'global-exit')?.phase).toBe('Succeeded');
    expect(await podLog(wf, 'global-exit')).toContain('ended Failed');
    expect(h.gitops.log()).toEqual(before);

    const [mail] = await h.smtp.waitFor(1, 20_000);
    expect(mail.to).toEqual(['team-demo@example.com']);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('compile');
    expect(text).toMatch(/App\.java:2: error/);
    expect(text).toContain(broken);
    expect(text).toContain(`https://slipway.test/workflows/default/${wf.metadata.name}`);
    await until('failed status', () => (h.scm.states('gitlab', PROJECT, broken, STATUS_NAME).at(-1) === 'failed' ? true : undefined), 15_000);
    expect(h.scm.states('gitlab', PROJECT, broken, STATUS_NAME)).toEqual(['pending', 'running', 'failed']);

    // More saves, a resync tick: still one e-mail.
    await h.worker.webhooks.tick(() => {});
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.smtp.messages).toHaveLength(1);
    const rows = await h.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM alerts WHERE workflow_id = ${id}::uuid`;
    expect(rows[0].n).toBe(1);
  });

  test('a second push to the same branch stops the first run (cancelInProgress)', async () => {
    // The fixture branches off whatever it checked out last (the broken branch): restore the source.
    const source = readFileSync(join(EXAMPLE, 'app/src/main/java/com/example/demo/App.java'), 'utf8');
    const first = h.app.commit({ 'README.md': 'first\n', 'src/main/java/com/example/demo/App.java': source }, 'first', 'release/1');
    const res1 = await postPush(h, pushPayload(h, first, 'release/1'));
    const id1 = await runOf(res1.body.id!);
    await until('first run running', async () => ((await workflows().getById(id1))?.status?.phase === 'Running' ? true : undefined), 30_000);
    const second = h.app.commit({ 'README.md': 'second\n' }, 'second', 'release/1');
    const res2 = await postPush(h, pushPayload(h, second, 'release/1', first));
    const id2 = await runOf(res2.body.id!);
    const wf1 = await until('first run finished', async () => finished(await workflows().getById(id1)));
    expect(wf1.spec.shutdown).toBe('Stop');
    expect(wf1.status?.phase).not.toBe('Succeeded');
    const wf2 = await until('second run finished', async () => finished(await workflows().getById(id2)));
    expect(wf2.status?.phase, wf2.status?.message).toBe('Succeeded');
    await until('canceled status', () => (h.scm.states('gitlab', PROJECT, first, STATUS_NAME).at(-1) === 'canceled' ? true : undefined), 15_000);
    expect(h.gitops.read('main', 'apps/demo/kustomization.yaml')).toContain(`newTag: ${second.slice(0, 12)}`);
    expect(h.smtp.messages).toHaveLength(1); // the stopped run is not a failure e-mail
  });
});
