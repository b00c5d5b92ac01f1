/** Control operations: the inbox event each writes, the doorbell job, Argo's refusals; retry and resubmit. */
import { WorkflowInbox, WorkflowStateStore } from '@slipway/persistence';
import type { Workflow } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileJobsFor, simulateAndSave, startTestApi, type Json, type TestApi } from '../test-support.js';

let api: TestApi;
let inbox: WorkflowInbox;

beforeAll(async () => {
  api = await startTestApi('actions');
  inbox = new WorkflowInbox(api.prisma);
});

afterAll(async () => {
  await api.close();
});

const APPROVAL = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: NAME
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: approve
            template: approve
        - - name: after
            template: echo
    - name: approve
      suspend: {}
      outputs:
        parameters:
          - name: answer
            valueFrom:
              supplied: {}
    - name: echo
      container:
        image: busybox
        command: [echo, hi]
`;

const FAILING_DAG = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: NAME
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: mode
        value: first
  templates:
    - name: main
      dag:
        tasks:
          - name: ok
            template: echo
          - name: boom
            template: fail
            depends: ok
    - name: echo
      container:
        image: busybox
        command: [echo, ok]
    - name: fail
      container:
        image: busybox
        command: [sh, -c, "exit 1"]
`;

/** Submit through the API, then let the simulator run it as far as it goes and store that state. */
async function running(yaml: string, name: string, failTemplate?: string): Promise<Workflow> {
  const res = await api.request('/api/v1/workflows/default', { raw: yaml.replace('name: NAME', `name: ${name}`) });
  expect(res.status).toBe(200);
  return simulateAndSave(api.prisma, res.body as Workflow, (pod) => (pod.templateName === failTemplate ? { exitCode: 1 } : { exitCode: 0 }));
}

async function events(wf: Workflow): Promise<unknown[]> {
  return (await inbox.pending(wf.metadata.uid!)).map((e) => e.event);
}

async function jobs(wf: Workflow): Promise<number> {
  return reconcileJobsFor(api.queues, wf.metadata.uid!);
}

describe('stop, terminate, suspend, resume, set', () => {
  let wf: Workflow;
  let approveName: string;

  beforeAll(async () => {
    wf = await running(APPROVAL, 'approval');
    expect(wf.status?.phase).toBe('Running');
    approveName = Object.values(wf.status!.nodes!).find((n) => n.displayName === 'approve')!.name;
  });

  it('stop appends Stop to the inbox and rings the doorbell; the answer is the current workflow', async () => {
    const before = await jobs(wf);
    const res = await api.request('/api/v1/workflows/default/approval/stop', { method: 'PUT', json: { message: 'enough' } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.name).toBe('approval');
    expect(res.body.status.phase).toBe('Running');
    expect(await events(wf)).toEqual([{ type: 'Stop', message: 'enough' }]);
    expect(await jobs(wf)).toBe(before + 1);
  });

  it('terminate, suspend and resume append their events', async () => {
    await api.request('/api/v1/workflows/default/approval/terminate', { method: 'PUT' });
    await api.request('/api/v1/workflows/default/approval/suspend', { method: 'PUT', json: {} });
    await api.request('/api/v1/workflows/default/approval/resume', { method: 'PUT' });
    expect((await events(wf)).slice(-3)).toEqual([{ type: 'Terminate' }, { type: 'Suspend' }, { type: 'Resume' }]);
  });

  it('resume with nodeFieldSelector names the matching suspend node', async () => {
    const res = await api.request('/api/v1/workflows/default/approval/resume', { method: 'PUT', json: { nodeFieldSelector: 'displayName=approve' } });
    expect(res.status).toBe(200);
    expect((await events(wf)).at(-1)).toEqual({ type: 'Resume', nodeName: approveName });
    const none = await api.request('/api/v1/workflows/default/approval/resume', { method: 'PUT', json: { nodeFieldSelector: 'displayName=nobody' } });
    expect(none.status).toBe(400);
    expect(none.body.message).toContain('no suspend nodes matching nodeFieldSelector: displayName=nobody');
  });

  it('set supplies output parameters (Argo’s JSON string) of the selected suspend node', async () => {
    const res = await api.request('/api/v1/workflows/default/approval/set', {
      method: 'PUT',
      json: { nodeFieldSelector: `name=${approveName}`, outputParameters: '{"answer":"yes"}', phase: 'Succeeded', message: 'approved' },
    });
    expect(res.status).toBe(200);
    expect((await events(wf)).at(-1)).toEqual({ type: 'SetNode', nodeName: approveName, outputParameters: { answer: 'yes' }, phase: 'Succeeded', message: 'approved' });
  });

  it('stop with nodeFieldSelector fails that suspend node', async () => {
    await api.request('/api/v1/workflows/default/approval/stop', { method: 'PUT', json: { nodeFieldSelector: 'displayName=approve', message: 'no' } });
    expect((await events(wf)).at(-1)).toEqual({ type: 'SetNode', nodeName: approveName, phase: 'Failed', message: 'no' });
  });

  it('set refuses what Argo refuses, naming the field', async () => {
    const put = (json: unknown) => api.request('/api/v1/workflows/default/approval/set', { method: 'PUT', json });
    const noSelector = await put({ outputParameters: '{"answer":"x"}' });
    expect(noSelector.status).toBe(400);
    expect(noSelector.body.message).toContain('nodeFieldSelector');
    const unknown = await put({ nodeFieldSelector: 'displayName=approve', outputParameters: '{"other":"x"}' });
    expect(unknown.body.message).toBe("node approve is not expecting output parameter 'other'");
    const notJson = await put({ nodeFieldSelector: 'displayName=approve', outputParameters: 'answer=x' });
    expect(notJson.body.message).toMatch(/^outputParameters: must be a JSON object/);
    const phase = await put({ nodeFieldSelector: 'displayName=approve', phase: 'Running' });
    expect(phase.body.message).toBe('phase: must be Succeeded or Failed, got "Running"');
    const wrongType = await put({ nodeFieldSelector: 7 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('body.nodeFieldSelector');
  });

  it('answers 404 for an unknown workflow', async () => {
    const res = await api.request('/api/v1/workflows/default/ghost/stop', { method: 'PUT' });
    expect(res.status).toBe(404);
  });
});

describe('a finished workflow', () => {
  let wf: Workflow;

  beforeAll(async () => {
    wf = await running(FAILING_DAG, 'failing', 'fail');
    expect(wf.status?.phase).toBe('Failed');
  });

  it('cannot be stopped, terminated or suspended (409)', async () => {
    const stop = await api.request('/api/v1/workflows/default/failing/stop', { method: 'PUT' });
    expect(stop.status).toBe(409);
    expect(stop.body.message).toBe('cannot shutdown a completed workflow: workflow: "failing", namespace: "default"');
    expect((await api.request('/api/v1/workflows/default/failing/terminate', { method: 'PUT' })).status).toBe(409);
    expect((await api.request('/api/v1/workflows/default/failing/suspend', { method: 'PUT' })).status).toBe(409);
    expect(await events(wf)).toEqual([]);
  });

  it('retry rewrites the state in one transaction: failed part removed, version bumped, doorbell rung', async () => {
    const store = new WorkflowStateStore(api.prisma);
    const before = await store.load(wf.metadata.uid!);
    const boom = Object.values(before!.workflow.status!.nodes!).find((n) => n.displayName === 'boom')!;
    const res = await api.request('/api/v1/workflows/default/failing/retry', { method: 'PUT', json: { parameters: ['mode=second'] } });
    expect(res.status).toBe(200);
    expect(res.body.status.phase).toBe('Running');
    expect(res.body.status.nodes[boom.id]).toBeUndefined();
    expect(Object.values(res.body.status.nodes as Record<string, Json>).find((n) => n.displayName === 'ok').phase).toBe('Succeeded');
    expect(res.body.status.history).toHaveLength(1);
    expect(res.body.spec.arguments.parameters).toEqual([{ name: 'mode', value: 'second' }]);

    const after = await store.load(wf.metadata.uid!);
    expect(after!.version).toBe(before!.version + 1);
    expect(after!.workflow.status!.nodes![boom.id]).toBeUndefined();
    expect(res.body.metadata.resourceVersion).toBe(String(after!.version));
    expect(await jobs(wf)).toBeGreaterThan(0);

    // A worker that loaded the failed state loses its save.
    const stale = await store.save({ ...before!, id: wf.metadata.uid!, expectedVersion: before!.version, changedNodeIds: [], consumedEventIds: [] });
    expect(stale).toBeUndefined();
  });

  it('retry of a running workflow is refused with Argo’s message', async () => {
    const res = await api.request('/api/v1/workflows/default/failing/retry', { method: 'PUT' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Cannot retry a workflow in phase Running/);
  });

  it('resubmit creates a new workflow with the same spec', async () => {
    const res = await api.request('/api/v1/workflows/default/failing/resubmit', { method: 'PUT', json: { parameters: ['mode=third'] } });
    expect(res.status).toBe(200);
    const fresh = res.body;
    expect(fresh.metadata.name).toMatch(/^failing-[a-z0-9]{5}$/);
    expect(fresh.metadata.labels['workflows.argoproj.io/resubmitted-from-workflow']).toBe('failing');
    expect(fresh.spec.arguments.parameters).toEqual([{ name: 'mode', value: 'third' }]);
    expect(fresh.status.phase).toBe('Pending');
    const stored = await api.request(`/api/v1/workflows/default/${fresh.metadata.name}`);
    expect(stored.status).toBe(200);
    expect(await reconcileJobsFor(api.queues, fresh.metadata.uid)).toBe(1);
    const memoized = await api.request('/api/v1/workflows/default/failing/resubmit', { method: 'PUT', json: { memoized: true } });
    expect(memoized.status).toBe(400);
  });
});
