/** Helpers for the engine's own tests: load an example and run it in simulation. */
import { parseAllDocuments } from 'yaml';
import {
  InMemoryTemplateLibrary,
  instantiateWorkflow,
  type NodeStatus,
  type Workflow,
  type WorkflowTemplate,
} from '@slipway/workflow';
import { simulate, type PodBehaviour, type SimulationOptions, type SimulationResult } from './simulation/simulated-run.js';

export const START = Date.parse('2026-03-01T10:00:00Z');

export function workflowFrom(yamlText: string, parameters?: Record<string, string>): { workflow: Workflow; library: InMemoryTemplateLibrary } {
  const docs = parseAllDocuments(yamlText).map((d) => d.toJS() as Record<string, unknown>).filter(Boolean);
  const library = new InMemoryTemplateLibrary(
    docs.filter((d) => d.kind === 'WorkflowTemplate' || d.kind === 'ClusterWorkflowTemplate') as unknown as WorkflowTemplate[],
  );
  const source = docs.find((d) => d.kind === 'Workflow') as unknown as Workflow;
  const workflow = instantiateWorkflow(source, { nameSuffix: 'abcde', uid: 'uid-1', now: START, parameters });
  return { workflow, library };
}

export function run(yamlText: string, behaviour: PodBehaviour = () => ({}), options: SimulationOptions & { parameters?: Record<string, string>; templates?: string } = {}): SimulationResult {
  const { workflow, library } = workflowFrom(options.templates ? `${yamlText}\n---\n${options.templates}` : yamlText, options.parameters);
  return simulate(workflow, library, behaviour, { start: START, ...options });
}

export function byName(wf: Workflow): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {};
  for (const n of Object.values(wf.status?.nodes ?? {})) out[n.name] = n;
  return out;
}

/** `name → phase` for every node, handy for whole-tree assertions. */
export function phases(wf: Workflow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of Object.values(wf.status?.nodes ?? {})) out[n.name] = n.phase;
  return out;
}

/** Behaviour that echoes like `echo`/`cowsay`: stdout is the args joined. */
export const echo: PodBehaviour = (pod) => ({ stdout: `${[...(pod.containers[0]?.command ?? []), ...(pod.containers[0]?.args ?? [])].join(' ')}\n` });
