import { describe, expect, it } from 'vitest';
import { byName, phases, run, START, workflowFrom } from './test-support.js';
import { WorkflowReconciler } from './reconciler.js';

const exitWf = (entryCmd: string, _exitCmd: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: e}
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "${entryCmd}"]}
  - name: bye
    container: {image: busybox, command: [echo, "{{workflow.status}} {{workflow.failures}}"]}
`;
const byCommand = (pod: { containers: { command?: string[] }[] }) => ({ exitCode: /exit 1/.test(pod.containers[0].command?.join(' ') ?? '') ? 1 : 0 });

describe('exit handlers and workflow phase rules', () => {
  it('runs spec.onExit after the entry node with workflow.status and workflow.failures; a failed workflow stays Failed', () => {
    const r = run(exitWf('exit 1', 'true'), byCommand);
    const n = byName(r.workflow);
    expect(n['e.onExit'].phase).toBe('Succeeded');
    expect(n['e.onExit'].nodeFlag).toEqual({ hooked: true });
    const printed = r.pods.find((p) => p.templateName === 'bye')!.containers[0].command![1];
    // Argo writes strconv.Quote(json): a quoted JSON string that survives a shell command line.
    expect(printed.startsWith('Failed "[')).toBe(true);
    const failures = JSON.parse(JSON.parse(printed.slice('Failed '.length)) as string) as { displayName: string; phase: string; message: string; templateName: string }[];
    expect(failures).toEqual([expect.objectContaining({ displayName: 'e', phase: 'Failed', templateName: 'main' })]);
    expect(failures[0].message).toContain('Error (exit code 1)');
    expect(r.workflow.status?.phase).toBe('Failed');
  });

  it('a failing exit handler fails a workflow that had succeeded', () => {
    const r = run(exitWf('true', 'x').replace('command: [echo, "{{workflow.status}} {{workflow.failures}}"]', 'command: [sh, -c, "exit 1"]'), byCommand);
    expect(r.workflow.status?.phase).toBe('Failed');
    expect(phases(r.workflow)).toMatchObject({ e: 'Succeeded', 'e.onExit': 'Failed' });
  });

  it('a step-level exit hook runs after the step and the step counts as done only after it', () => {
    const r = run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: h}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: out
        hooks:
          exit:
            template: echo
            arguments: {parameters: [{name: m, value: "{{steps.a.outputs.parameters.p}}"}]}
    - - name: b
        template: echo
        arguments: {parameters: [{name: m, value: after}]}
  - name: out
    container: {image: busybox, command: ["true"]}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`, (pod) => (pod.templateName === 'out' ? { outputs: { p: 'hello world' } } : {}));
    const n = byName(r.workflow);
    expect(n['h[0].a.onExit'].displayName).toBe('a.onExit');
    expect(r.pods.map((p) => p.containers[0].command?.[1] ?? p.templateName)).toEqual(['true', 'hello world', 'after'].map((x, i) => (i === 0 ? undefined : x)).map((x) => x ?? 'out'));
    expect(Date.parse(n['h[1].b'].startedAt!)).toBeGreaterThanOrEqual(Date.parse(n['h[0].a.onExit'].finishedAt!));
  });

  it('a missing output file without default makes the node Error; with a default, the default is used', () => {
    const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: o}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: ["true"]}
    outputs:
      parameters:
      - {name: a, valueFrom: {path: /tmp/a, default: dflt}}
      - {name: b, valueFrom: {path: /tmp/b}}
`;
    const r = run(yaml, () => ({ outputs: { a: null, b: null } }));
    const root = byName(r.workflow).o;
    expect(root.phase).toBe('Error');
    expect(root.outputs?.parameters?.[0]).toMatchObject({ name: 'a', value: 'dflt' });
    const ok = run(yaml, () => ({ outputs: { a: null, b: 'x' } }));
    expect(byName(ok.workflow).o.phase).toBe('Succeeded');
  });
});

describe('timeouts, stop and terminate', () => {
  const long = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: t}
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - {name: s, template: sleep}
  - name: sleep
    timeout: 10s
    container: {image: busybox, command: [sleep, "30"]}
  - name: bye
    container: {image: busybox, command: ["true"]}
`;
  it('a template timeout kills the pod and fails the node', () => {
    const r = run(long, (pod) => ({ durationMs: pod.templateName === 'sleep' ? 30_000 : 1 }));
    const s = byName(r.workflow)['t[0].s'];
    expect(s.phase).toBe('Failed');
    expect(s.message).toBe('Pod was active on the node longer than the specified deadline');
    expect(Date.parse(s.finishedAt!) - START).toBe(10_000);
    expect(r.workflow.status?.phase).toBe('Failed');
  });

  function startRun(yamlText: string) {
    const { workflow, library } = workflowFrom(yamlText);
    const rec = new WorkflowReconciler(workflow, library);
    const first = rec.reconcile([], START);
    return { rec, workflow, first };
  }

  it('Stop kills running pods and still runs the exit handler; Terminate does not', () => {
    for (const kind of ['Stop', 'Terminate'] as const) {
      const { rec, workflow, first } = startRun(long.replace('timeout: 10s', ''));
      const pod = first.actions.find((a) => a.type === 'StartPod');
      expect(pod).toBeDefined();
      const stop = rec.reconcile([{ type: 'Stop' === kind ? 'Stop' : 'Terminate' }], START + 1000);
      expect(stop.actions.some((a) => a.type === 'KillPod')).toBe(true);
      const exitStarted = stop.actions.some((a) => a.type === 'StartPod' && a.pod.templateName === 'bye');
      expect(exitStarted).toBe(kind === 'Stop');
      if (kind === 'Stop') {
        const exit = stop.actions.find((a) => a.type === 'StartPod' && a.pod.templateName === 'bye');
        rec.reconcile([{ type: 'PodFinished', result: { nodeId: exit!.type === 'StartPod' ? exit!.pod.nodeId : '', phase: 'Succeeded', exitCode: 0, outputParameters: {}, startedAt: START + 1000, finishedAt: START + 2000 } }], START + 2000);
      }
      expect(workflow.status?.phase).toBe('Failed');
      expect(workflow.status?.message).toBe(`Stopped with strategy '${kind}'`);
    }
  });

  it('a completed workflow never changes phase again', () => {
    const { rec, workflow } = startRun(long);
    rec.reconcile([{ type: 'Terminate' }], START + 1);
    const before = JSON.stringify(workflow.status);
    rec.reconcile([{ type: 'Resume' }, { type: 'PodFinished', result: { nodeId: 'nope', phase: 'Succeeded', outputParameters: {}, startedAt: 0, finishedAt: 0 } }], START + 5000);
    expect(JSON.stringify(workflow.status)).toBe(before);
  });
});

describe('suspend', () => {
  const yaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: s}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: approve, template: approve}
      - {name: delay, template: delay}
    - - name: release
        template: echo
        arguments: {parameters: [{name: m, value: "{{steps.approve.outputs.parameters.answer}}"}]}
  - name: approve
    suspend: {}
    outputs: {parameters: [{name: answer, valueFrom: {supplied: {}, default: "NO"}}]}
  - name: delay
    suspend: {duration: "20s"}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
`;
  it('waits until resumed; a duration resumes by itself; supplied outputs take their default', () => {
    const r = run(yaml, () => ({}), { resumeAfterMs: 30_000 });
    const n = byName(r.workflow);
    expect(n['s[0].approve'].type).toBe('Suspend');
    expect(Date.parse(n['s[0].delay'].finishedAt!) - START).toBe(20_000);
    expect(Date.parse(n['s[0].approve'].finishedAt!) - START).toBe(30_000);
    expect(r.pods[0].containers[0].command?.[1]).toBe('NO');
    expect(r.workflow.status?.phase).toBe('Succeeded');
  });

  it('SetNode supplies an output before resuming', () => {
    const { workflow, library } = workflowFrom(yaml);
    const rec = new WorkflowReconciler(workflow, library);
    rec.reconcile([], START);
    expect(workflow.status?.phase).toBe('Running');
    const out = rec.reconcile([{ type: 'SetNode', nodeName: 's[0].approve', outputParameters: { answer: 'YES' } }, { type: 'Resume', nodeName: 's[0].approve' }, { type: 'TimerFired', key: `resume:${byName(workflow)['s[0].delay'].id}` }], START + 25_000);
    const start = out.actions.find((a) => a.type === 'StartPod');
    expect(start && start.type === 'StartPod' ? start.pod.containers[0].command?.[1] : undefined).toBe('YES');
  });
});
