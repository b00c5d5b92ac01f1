import { describe, expect, it } from 'vitest';
import type { SimulationResult } from '../simulation/simulated-run.js';
import { byName, phases, START, workflowFrom } from '../test-support.js';
import { simulate } from '../simulation/simulated-run.js';
import { WorkflowReconciler } from '../reconciler.js';
import { retryWorkflow } from './retry-workflow.js';
import { OperationError } from './errors.js';
import { dagBehaviour, dagYaml, exitCodeFromCommand, first, LATER, podsRun, retryThenRun } from './retry-test-support.js';

describe('retryWorkflow', () => {
  it('re-runs only the failed DAG task and its dependents; the others keep their outputs', () => {
    const run = first(dagYaml, dagBehaviour(true));
    expect(run.r.workflow.status?.phase).toBe('Failed');
    expect(phases(run.r.workflow)).toMatchObject({ 'd.A': 'Succeeded', 'd.B': 'Failed', 'd.C': 'Omitted', 'd.D': 'Succeeded' });
    const old = byName(run.r.workflow);

    const { retried, before, beforeRuntime, second } = retryThenRun(run, {}, dagBehaviour(false));
    expect(retried.deletedNodeIds).toEqual([old['d.B'].id, old['d.C'].id].sort());
    expect(retried.deletedPodNames).toEqual([expect.stringMatching(/^d-work-\d+$/)]);
    expect(before.status?.phase).toBe('Running');
    expect(before.status?.finishedAt).toBeUndefined();
    expect(before.status?.message).toBeUndefined();
    expect(before.metadata.labels).toEqual({ team: 'a', 'workflows.argoproj.io/phase': 'Running' });
    expect(phases(before)).toEqual({ d: 'Running', 'd.A': 'Succeeded', 'd.D': 'Succeeded' });
    expect(byName(before)['d.A'].children).toEqual([]);
    expect(beforeRuntime[old['d.B'].id]).toBeUndefined();
    expect(beforeRuntime[old.d.id]).toMatchObject({ resume: 'keep', startedMs: LATER });
    expect(beforeRuntime[old.d.id].finishedMs).toBeUndefined();
    expect(retried.changedNodeIds).toEqual([old.d.id, old['d.A'].id].sort());

    // A and D ran once (in the first run), B and C once more; C still sees A's output.
    expect(podsRun(run.r)).toEqual(['d.A', 'd.D', 'd.B']);
    expect(podsRun(second)).toEqual(['d.B', 'd.C']);
    expect(second.pods[1].containers[0].command).toEqual(['echo', 'from-A']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
    expect(phases(second.workflow)).toEqual({ d: 'Succeeded', 'd.A': 'Succeeded', 'd.B': 'Succeeded', 'd.C': 'Succeeded', 'd.D': 'Succeeded' });
    const n = byName(second.workflow);
    expect(n['d.A'].children).toEqual([n['d.B'].id]);
    expect(n['d.B'].children).toEqual([n['d.C'].id]);
    expect(n['d.A'].finishedAt).toBe(old['d.A'].finishedAt);

    // The failed attempt stays visible.
    const history = second.workflow.status?.history ?? [];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ retriedAt: '2026-03-01T11:00:00Z', phase: 'Failed', finishedAt: run.r.workflow.status?.finishedAt });
    expect(Object.values(history[0].nodes).map((x) => `${x.name}:${x.phase}`).sort()).toEqual(['d.B:Failed', 'd.C:Omitted']);
    expect(Object.values(history[0].resetNodes).map((x) => `${x.name}:${x.phase}`)).toEqual(['d:Failed']);
  });

  it('is pure and deterministic: the same inputs give the same result and are left untouched', () => {
    const run = first(dagYaml, dagBehaviour(true));
    const snap = structuredClone(run.r.reconciler.snapshot());
    const a = retryWorkflow(snap.workflow, snap.runtime, {}, LATER);
    const b = retryWorkflow(snap.workflow, snap.runtime, {}, LATER);
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(snap).toEqual(structuredClone(run.r.reconciler.snapshot()));
  });

  it('steps: resumes the failed group, re-running only its failed step, then the later groups', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: s}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: one, template: ok}
    - - {name: two-a, template: ok}
      - {name: two-b, template: flaky}
    - - {name: three, template: ok}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: flaky
    container: {image: busybox, command: [sh, -c, "flaky"]}
`;
    const run = first(yaml, (pod) => ({ exitCode: pod.templateName === 'flaky' ? 1 : 0 }));
    expect(phases(run.r.workflow)).toMatchObject({ s: 'Failed', 's[1]': 'Failed', 's[1].two-b': 'Failed' });
    const { before, second } = retryThenRun(run, {}, () => ({}));
    expect(phases(before)).toEqual({ s: 'Running', 's[0]': 'Succeeded', 's[0].one': 'Succeeded', 's[1]': 'Running', 's[1].two-a': 'Succeeded' });
    expect(podsRun(second)).toEqual(['s[1].two-b', 's[2].three']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
    const n = byName(second.workflow);
    expect(n['s[1]'].children).toEqual([n['s[1].two-a'].id, n['s[1].two-b'].id]);
    expect(n['s[1].two-a'].children).toEqual([n['s[2]'].id]);
    expect(n['s[1].two-b'].children).toEqual([n['s[2]'].id]);
  });

  it('a Retry node that ran out of retries starts over at attempt 0', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: r}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: first, template: ok}
    - - {name: flaky, template: flaky}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: flaky
    retryStrategy: {limit: 1}
    container: {image: busybox, command: [sh, -c, "flaky"]}
`;
    const run = first(yaml, (pod) => ({ exitCode: pod.templateName === 'flaky' ? 1 : 0 }));
    expect(byName(run.r.workflow)['r[1].flaky'].message).toBe('No more retries left');
    const { before, second } = retryThenRun(run, {}, (pod, attempt) => ({ exitCode: pod.templateName === 'flaky' && attempt === 0 ? 1 : 0 }));
    expect(byName(before)['r[1].flaky']).toMatchObject({ type: 'Retry', phase: 'Running', children: [] });
    expect(podsRun(second)).toEqual(['r[1].flaky(0)', 'r[1].flaky(1)']);
    expect(phases(second.workflow)).toMatchObject({ r: 'Succeeded', 'r[1].flaky': 'Succeeded', 'r[1].flaky(0)': 'Failed', 'r[1].flaky(1)': 'Succeeded' });
    expect(Object.values(second.workflow.status!.history![0].nodes).map((x) => x.name).sort()).toEqual(['r[1].flaky(0)', 'r[1].flaky(1)']);
  });

  it('removes a failed exit handler so it runs again; the succeeded entry node is kept', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: e}
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "exit 0"]}
  - name: bye
    steps:
    - - {name: notify, template: notify}
  - name: notify
    container: {image: busybox, command: [sh, -c, "exit 1"]}
`;
    const run = first(yaml, exitCodeFromCommand);
    expect(phases(run.r.workflow)).toMatchObject({ e: 'Succeeded', 'e.onExit': 'Failed' });
    expect(run.r.workflow.status?.phase).toBe('Failed');
    const { retried, before, second } = retryThenRun(run, {}, () => ({}));
    expect(phases(before)).toEqual({ e: 'Succeeded' });
    expect(retried.deletedNodeIds).toHaveLength(3);
    expect(podsRun(second)).toEqual(['e.onExit[0].notify']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('a failed single-pod workflow runs its entry node and exit handler again', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: p}
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "exit {{workflow.parameters.code}}"]}
  - name: bye
    container: {image: busybox, command: [echo, "{{workflow.status}}"]}
  arguments: {parameters: [{name: code, value: "3"}]}
`;
    const run = first(yaml, exitCodeFromCommand);
    expect(run.r.workflow.status?.phase).toBe('Failed');
    const { before, second } = retryThenRun(run, { parameters: ['code=0'] }, exitCodeFromCommand);
    expect(before.status?.nodes).toEqual({});
    expect(before.spec.arguments?.parameters).toEqual([{ name: 'code', value: '0' }]);
    expect(podsRun(second)).toEqual(['p', 'p.onExit']);
    expect(second.pods[1].containers[0].command).toEqual(['echo', 'Succeeded']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
    expect(second.workflow.status?.history?.[0].parameters).toEqual([{ name: 'code', value: '3' }]);
  });

  it('a stopped workflow can be retried: the shutdown is cleared', () => {
    const { workflow, library } = workflowFrom(dagYaml);
    const rec = new WorkflowReconciler(workflow, library);
    rec.reconcile([], START);
    rec.reconcile([{ type: 'Stop' }], START + 500);
    const snap = rec.snapshot();
    expect(snap.workflow.status?.phase).toBe('Failed');
    expect(snap.workflow.spec.shutdown).toBe('Stop');
    const { retried, second } = retryThenRun({ r: { reconciler: rec } as SimulationResult, library }, {}, dagBehaviour(false));
    expect(retried.workflow.spec.shutdown).toBeUndefined();
    expect(podsRun(second)).toEqual(['d.A', 'd.D', 'd.B', 'd.C']);
    expect(second.workflow.status?.phase).toBe('Succeeded');
  });

  it('every retry appends the attempt it replaced to status.history', () => {
    const run = first(dagYaml, dagBehaviour(true));
    const again = retryThenRun(run, {}, dagBehaviour(true));
    expect(again.second.workflow.status?.phase).toBe('Failed');
    const last = retryThenRun({ r: again.second, library: run.library }, {}, dagBehaviour(false));
    expect(last.second.workflow.status?.phase).toBe('Succeeded');
    const history = last.second.workflow.status?.history ?? [];
    expect(history.map((h) => h.phase)).toEqual(['Failed', 'Failed']);
    expect(history[1].startedAt).toBe(history[0].retriedAt);
  });

  it('refuses a workflow that is still running, and malformed options', () => {
    const { workflow, library } = workflowFrom(dagYaml);
    const r = simulate(workflow, library, dagBehaviour(true), { start: START, maxEvents: 1 });
    const snap = r.reconciler.snapshot();
    expect(snap.workflow.status?.phase).toBe('Running');
    expect(() => retryWorkflow(snap.workflow, snap.runtime, {}, LATER)).toThrow(
      new OperationError('Cannot retry a workflow in phase Running: only a Failed or Error workflow can be retried'),
    );
    const done = first(dagYaml, dagBehaviour(true)).r.reconciler.snapshot();
    expect(() => retryWorkflow(done.workflow, done.runtime, { parameters: ['novalue'] }, LATER)).toThrow(
      'expected parameter of the form: NAME=VALUE. Received: novalue',
    );
    expect(() => retryWorkflow(done.workflow, done.runtime, { restartSuccessful: true, nodeFieldSelector: 'displayName' }, LATER)).toThrow(OperationError);
  });
});
