/** Helpers for the retry tests: run a workflow, retry it, run it again. */
import type { TemplateLibrary, Workflow } from '@slipway/workflow';
import { START, workflowFrom } from '../test-support.js';
import { simulate, type PodBehaviour, type SimulationResult } from '../simulation/simulated-run.js';
import type { RuntimeMap } from '../state/runtime.js';
import { retryWorkflow, type RetryOptions, type RetryResult } from './retry-workflow.js';
export const LATER = START + 3_600_000;

export function first(yaml: string, behaviour: PodBehaviour): { r: SimulationResult; library: TemplateLibrary } {
  const { workflow, library } = workflowFrom(yaml);
  return { r: simulate(workflow, library, behaviour, { start: START }), library };
}

/** Retry the finished run at LATER, then run the result to completion. */
export function retryThenRun(
  run: { r: SimulationResult; library: TemplateLibrary },
  opts: RetryOptions,
  behaviour: PodBehaviour,
): { retried: RetryResult; before: Workflow; beforeRuntime: RuntimeMap; second: SimulationResult } {
  const snap = run.r.reconciler.snapshot();
  const retried = retryWorkflow(snap.workflow, snap.runtime, opts, LATER);
  const before = structuredClone(retried.workflow);
  const beforeRuntime = structuredClone(retried.runtime);
  const second = simulate(retried.workflow, run.library, behaviour, { start: LATER, runtime: retried.runtime });
  return { retried, before, beforeRuntime, second };
}

export const podsRun = (r: SimulationResult) => r.pods.map((p) => p.nodeName);
export const exitCodeFromCommand: PodBehaviour = (pod) => {
  const m = /exit (\d+)/.exec([...(pod.containers[0].command ?? []), ...(pod.containers[0].args ?? [])].join(' '));
  return { exitCode: m ? Number(m[1]) : 0 };
};

export const dagYaml = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: d, labels: {team: a}}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: produce}
      - {name: B, template: work, depends: A}
      - name: C
        template: consume
        depends: B
        arguments: {parameters: [{name: msg, value: "{{tasks.A.outputs.parameters.msg}}"}]}
      - {name: D, template: work}
  - name: produce
    container: {image: busybox, command: [sh, -c, "echo hi > /tmp/msg"]}
    outputs: {parameters: [{name: msg, valueFrom: {path: /tmp/msg}}]}
  - name: work
    container: {image: busybox, command: [sh, -c, "work"]}
  - name: consume
    inputs: {parameters: [{name: msg}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.msg}}"]}
`;
export const dagBehaviour = (bFails: boolean): PodBehaviour => (pod) => {
  if (pod.templateName === 'produce') return { outputs: { msg: 'from-A' } };
  return { exitCode: bFails && pod.nodeName === 'd.B' ? 1 : 0 };
};
