import { describe, expect, it } from 'vitest';
import { byName, phases, run, START, workflowFrom } from './test-support.js';
import { WorkflowReconciler } from './reconciler.js';
import type { Action } from './contract/actions.js';
import type { PodBehaviour } from './simulation/simulated-run.js';

const dag = (tasks: string, extra = '') => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: d}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
${extra}
      tasks:
${tasks}
  - name: ok
    container: {image: busybox, command: ["true"]}
  - name: fail
    container: {image: busybox, command: ["false"]}
`;
const failByTemplate: PodBehaviour = (pod) => (pod.templateName === 'fail' ? { exitCode: 1 } : {});

describe('DAG', () => {
  it('starts tasks when their dependencies are done (diamond) and links children to dependents', () => {
    const r = run(dag(`
      - {name: A, template: ok}
      - {name: B, template: ok, depends: A}
      - {name: C, template: ok, dependencies: [A]}
      - {name: D, template: ok, depends: B && C}`));
    expect(r.workflow.status?.phase).toBe('Succeeded');
    const n = byName(r.workflow);
    expect(r.pods.map((p) => p.nodeName)).toEqual(['d.A', 'd.B', 'd.C', 'd.D']);
    expect(n['d'].children).toEqual([n['d.A'].id]);
    expect(n['d.A'].children).toEqual([n['d.B'].id, n['d.C'].id]);
    expect(n['d.B'].children).toEqual([n['d.D'].id]);
    expect(n['d'].outboundNodes).toEqual([n['d.D'].id]);
  });

  it('after a failure, the DAG is judged only once every task that ended in the same batch was taken into account (dag-continue-on-fail)', () => {
    const { workflow, library } = workflowFrom(dag(`
      - {name: A, template: ok}
      - {name: B, template: fail, depends: A}
      - {name: C, template: ok, depends: A}
      - {name: D, template: ok, depends: B.Failed && C}
      - {name: E, template: fail, depends: A}
      - {name: F, template: ok, depends: A}
      - {name: G, template: ok, depends: E && F}`));
    const reconciler = new WorkflowReconciler(workflow, library);
    const pods = new Map<string, string>();
    const started = (actions: Action[]) => {
      for (const a of actions) if (a.type === 'StartPod') pods.set(a.pod.nodeName, a.pod.nodeId);
    };
    const ended = (name: string, exitCode: number, at: number) => ({
      type: 'PodFinished' as const,
      result: { nodeId: pods.get(name)!, phase: exitCode === 0 ? ('Succeeded' as const) : ('Failed' as const), exitCode, outputParameters: {}, startedAt: at, finishedAt: at },
    });
    started(reconciler.reconcile([], START).actions);
    started(reconciler.reconcile([ended('d.A', 0, START + 1)], START + 1).actions);
    expect([...pods.keys()].sort()).toEqual(['d.A', 'd.B', 'd.C', 'd.E', 'd.F']);
    // All four end in one batch, E's failure and B's before C's success has been processed.
    started(reconciler.reconcile([ended('d.E', 1, START + 2), ended('d.F', 0, START + 2), ended('d.B', 1, START + 2), ended('d.C', 0, START + 2)], START + 2).actions);
    expect(pods.has('d.D')).toBe(true);
    started(reconciler.reconcile([ended('d.D', 0, START + 3)], START + 3).actions);
    expect(phases(reconciler.workflow)).toMatchObject({ d: 'Failed', 'd.D': 'Succeeded', 'd.G': 'Omitted' });
  });

  it('a listener gets each action as it is decided: the returned list, in order, the first pod before the others are made', () => {
    const { workflow, library } = workflowFrom(dag(Array.from({ length: 50 }, (_, i) => `      - {name: t${i}, template: ok}`).join('\n')));
    const reconciler = new WorkflowReconciler(workflow, library);
    const heard: Action[] = [];
    let nodesAtFirstPod = -1;
    const result = reconciler.reconcile([], START, (action) => {
      if (heard.length === 0) nodesAtFirstPod = Object.keys(reconciler.workflow.status?.nodes ?? {}).length;
      heard.push(action);
    });
    expect(heard).toEqual(result.actions);
    expect(heard[0].type).toBe('StartPod');
    expect(result.actions.filter((a) => a.type === 'StartPod')).toHaveLength(50);
    // The workflow node, the DAG node and the first task's: the other 49 came after.
    expect(nodesAtFirstPod).toBeLessThan(5);
  });

  it('a task waiting on 10,000 tasks (legacy dependencies) runs once they all succeeded', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
    const r = run(dag(`${names.map((n) => `      - {name: ${n}, template: ok}`).join('\n')}
      - {name: join, template: ok, dependencies: [${names.join(', ')}]}`));
    expect(r.workflow.status?.phase).toBe('Succeeded');
    expect(byName(r.workflow)['d.join'].phase).toBe('Succeeded');
  });

  it('enhanced depends: a false expression gives an Omitted node; leaves decide the phase', () => {
    const r = run(dag(`
      - {name: A, template: ok}
      - {name: C, template: fail}
      - {name: no, template: ok, depends: A && C}
      - {name: yes, template: ok, depends: A && C.Failed}
      - {name: any, template: ok, depends: "C.Succeeded || C.Failed"}`), failByTemplate);
    const n = byName(r.workflow);
    expect(n['d.no'].phase).toBe('Omitted');
    expect(n['d.no'].type).toBe('Skipped');
    expect(n['d.no'].message).toBe('omitted: depends condition not met');
    expect(n['d.yes'].phase).toBe('Succeeded');
    expect(n['d.any'].phase).toBe('Succeeded');
    // Argo's assessDAGPhase walks breadth-first and a branch keeps the phase it was first reached
    // with: `no` is reached from A (Succeeded) before C, so the Omitted leaf does not fail the DAG.
    expect(r.workflow.status?.phase).toBe('Succeeded');
  });

  it('continueOn.failed makes a plain dependency accept a failure', () => {
    const r = run(dag(`
      - {name: C, template: fail, continueOn: {failed: true}}
      - {name: after, template: ok, depends: C}`), failByTemplate);
    expect(phases(r.workflow)).toMatchObject({ 'd.C': 'Failed', 'd.after': 'Succeeded', d: 'Succeeded' });
  });

  it('dag.target runs only the targets and their ancestors; other tasks get no node', () => {
    const r = run(dag(`
      - {name: A, template: ok}
      - {name: B, template: ok, depends: A}
      - {name: C, template: ok, depends: A}
      - {name: D, template: ok, depends: B}`, '      target: C'));
    expect(Object.keys(phases(r.workflow)).sort()).toEqual(['d', 'd.A', 'd.C']);
  });

  it('failFast: false lets the other branches finish after a failure', () => {
    const r = run(
      dag(`
      - {name: A, template: ok}
      - {name: bad, template: fail, depends: A}
      - {name: slow, template: ok, depends: A}
      - {name: after, template: ok, depends: slow}`, '      failFast: false'),
      (pod) => (pod.templateName === 'fail' ? { exitCode: 1, durationMs: 10 } : { durationMs: 1000 }),
    );
    expect(phases(r.workflow)).toMatchObject({ 'd.bad': 'Failed', 'd.slow': 'Succeeded', 'd.after': 'Succeeded', d: 'Failed' });
  });

  it('template parallelism limits running tasks', () => {
    const tasks = Array.from({ length: 5 }, (_, i) => `      - {name: t${i}, template: ok}`).join('\n');
    const r = run(dag(tasks).replace('    dag:\n', '    parallelism: 2\n    dag:\n'));
    const starts = Object.values(r.workflow.status!.nodes!).filter((n) => n.type === 'Pod').map((n) => n.startedAt).sort();
    expect(starts.filter((s) => s === starts[0])).toHaveLength(2);
    expect(r.workflow.status?.phase).toBe('Succeeded');
  });

  it('a bad depends expression makes an Error node, never a crash', () => {
    const r = run(dag(`
      - {name: A, template: ok}
      - {name: B, template: ok, depends: "A &&"}`));
    expect(byName(r.workflow)['d.B'].phase).toBe('Error');
    expect(r.workflow.status?.phase).toBe('Error');
  });

  it('handles a 10,000-task DAG with work per event that does not grow with the DAG', () => {
    const tasks: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const deps = i === 0 ? '' : `, depends: "t${Math.floor(i / 2)}"`;
      tasks.push(`      - {name: t${i}, template: ok${deps}}`);
    }
    const r = run(dag(tasks.join('\n')), () => ({ durationMs: 1 }), { eventAtATime: true });
    expect(r.workflow.status?.phase).toBe('Succeeded');
    expect(Object.keys(r.workflow.status!.nodes!)).toHaveLength(10_001);
  });
});
