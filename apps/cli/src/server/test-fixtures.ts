/** Argo-shaped workflows for the server verbs' tests. */
import { nodeId, type NodeStatus, type Workflow, type WorkflowPhase } from '@slipway/workflow';

export const WF = 'hello-x7k2p';

type NodeSpec = Partial<NodeStatus> & { name: string; type: NodeStatus['type']; phase: NodeStatus['phase'] };

function node(spec: NodeSpec): NodeStatus {
  const id = nodeId(WF, spec.name);
  const displayName = spec.name === WF ? WF : spec.name.slice(spec.name.lastIndexOf('.') + 1);
  return { id, displayName, ...spec };
}

const at = (s: number) => new Date(Date.parse('2024-05-01T11:55:00Z') + s * 1000).toISOString().replace('.000', '');

/**
 * A steps workflow like `argo get` shows: [[hello1], [hello2a, hello2b]] and an exit handler.
 * `phase` is the workflow's; hello2b fails when the workflow Failed.
 */
export function stepsWorkflow(phase: WorkflowPhase = 'Succeeded'): Workflow {
  const failed = phase === 'Failed';
  const done = phase !== 'Running';
  const id = (name: string) => nodeId(WF, name);
  const nodes = [
    node({ name: WF, type: 'Steps', phase, templateName: 'main', startedAt: at(0), finishedAt: done ? at(70) : undefined, children: [id(`${WF}[0]`)] }),
    node({ name: `${WF}[0]`, displayName: '[0]', type: 'StepGroup', phase: 'Succeeded', boundaryID: WF, templateName: 'main', startedAt: at(0), finishedAt: at(5), children: [id(`${WF}[0].hello1`)] }),
    node({ name: `${WF}[0].hello1`, type: 'Pod', phase: 'Succeeded', boundaryID: WF, templateName: 'say', startedAt: at(0), finishedAt: at(5), children: [id(`${WF}[1]`)] }),
    node({
      name: `${WF}[1]`,
      displayName: '[1]',
      type: 'StepGroup',
      phase: done ? (failed ? 'Failed' : 'Succeeded') : 'Running',
      boundaryID: WF,
      templateName: 'main',
      startedAt: at(6),
      children: [id(`${WF}[1].hello2a`), id(`${WF}[1].hello2b`)],
    }),
    node({ name: `${WF}[1].hello2a`, type: 'Pod', phase: 'Succeeded', boundaryID: WF, templateName: 'say', startedAt: at(6), finishedAt: at(16) }),
    node({
      name: `${WF}[1].hello2b`,
      type: 'Pod',
      phase: done ? (failed ? 'Failed' : 'Succeeded') : 'Running',
      boundaryID: WF,
      templateRef: { name: 'lib', template: 'shout' },
      startedAt: at(6),
      finishedAt: done ? at(66) : undefined,
      message: failed ? 'Error (exit code 3)' : undefined,
    }),
  ];
  if (done) nodes.push(node({ name: `${WF}.onExit`, displayName: `${WF}.onExit`, type: 'Pod', phase: 'Succeeded', templateName: 'cleanup', startedAt: at(67), finishedAt: at(70) }));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: WF, namespace: 'default', uid: 'u-1', creationTimestamp: at(0) },
    spec: { entrypoint: 'main', arguments: { parameters: [{ name: 'greeting', value: 'hi' }] } },
    status: {
      phase,
      startedAt: at(0),
      finishedAt: done ? at(70) : undefined,
      progress: done ? '4/4' : '2/3',
      message: failed ? 'child \'hello-x7k2p-1842256366\' failed' : undefined,
      nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
    },
  };
}

/** The same workflow as the server returns it right after creation (no status yet). */
export function createdWorkflow(): Workflow {
  const wf = stepsWorkflow();
  return { ...wf, status: { phase: 'Pending' } };
}

/** A list item (no nodes), like `GET /api/v1/workflows/{ns}` returns. */
export function listItem(name: string, phase: WorkflowPhase, createdSecondsAgo: number, durationSeconds?: number, message?: string): Workflow {
  const created = new Date(Date.parse('2024-05-01T12:00:00Z') - createdSecondsAgo * 1000).toISOString();
  const finished = durationSeconds === undefined ? undefined : new Date(Date.parse(created) + durationSeconds * 1000).toISOString();
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: { entrypoint: 'main' },
    status: { phase, startedAt: created, finishedAt: finished, message },
  };
}
