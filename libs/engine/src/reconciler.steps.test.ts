import { describe, expect, it } from 'vitest';
import { byName, phases, run } from './test-support.js';

const STEPS = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: steps-
spec:
  entrypoint: hello-hello-hello
  templates:
  - name: hello-hello-hello
    steps:
    - - name: hello1
        template: print-message
        arguments:
          parameters: [{name: message, value: "hello1"}]
    - - name: hello2a
        template: print-message
        arguments:
          parameters: [{name: message, value: "hello2a"}]
      - name: hello2b
        template: print-message
        arguments:
          parameters: [{name: message, value: "hello2b"}]
  - name: print-message
    inputs:
      parameters:
      - name: message
    container:
      image: busybox
      command: [echo]
      args: ["{{inputs.parameters.message}}"]
`;

describe('steps', () => {
  it('runs groups in order and steps of a group in parallel, with Argo node names', () => {
    const r = run(STEPS);
    const wf = r.workflow;
    expect(wf.status?.phase).toBe('Succeeded');
    expect(phases(wf)).toEqual({
      'steps-abcde': 'Succeeded',
      'steps-abcde[0]': 'Succeeded',
      'steps-abcde[0].hello1': 'Succeeded',
      'steps-abcde[1]': 'Succeeded',
      'steps-abcde[1].hello2a': 'Succeeded',
      'steps-abcde[1].hello2b': 'Succeeded',
    });
    const nodes = byName(wf);
    expect(nodes['steps-abcde'].type).toBe('Steps');
    expect(nodes['steps-abcde[0]'].type).toBe('StepGroup');
    expect(nodes['steps-abcde[0]'].displayName).toBe('[0]');
    expect(nodes['steps-abcde[1].hello2a'].displayName).toBe('hello2a');
    expect(nodes['steps-abcde[1].hello2a'].type).toBe('Pod');
    expect(nodes['steps-abcde[1].hello2a'].boundaryID).toBe('steps-abcde');
    expect(nodes['steps-abcde[1].hello2a'].inputs).toEqual({ parameters: [{ name: 'message', value: 'hello2a' }] });
    // hello1 first; hello2a and hello2b start together after it
    expect(r.pods.map((p) => p.containers[0].args?.[0])).toEqual(['hello1', 'hello2a', 'hello2b']);
    const h1 = nodes['steps-abcde[0].hello1'];
    const h2a = nodes['steps-abcde[1].hello2a'];
    const h2b = nodes['steps-abcde[1].hello2b'];
    expect(Date.parse(h2a.startedAt!)).toBeGreaterThanOrEqual(Date.parse(h1.finishedAt!));
    expect(h2a.startedAt).toBe(h2b.startedAt);
    // Argo's ids: W-<fnv32a(name)>; the group chain: W → W[0] → hello1 → W[1] → hello2a, hello2b
    expect(nodes['steps-abcde[0].hello1'].id).toMatch(/^steps-abcde-\d+$/);
    expect(nodes['steps-abcde'].children).toEqual([nodes['steps-abcde[0]'].id]);
    expect(nodes['steps-abcde[0].hello1'].children).toEqual([nodes['steps-abcde[1]'].id]);
    expect(nodes['steps-abcde'].outboundNodes).toEqual([h2a.id, h2b.id]);
  });

  it('is deterministic: the same inputs give the same status', () => {
    const a = run(STEPS).workflow;
    const b = run(STEPS).workflow;
    expect(JSON.stringify(a.status)).toBe(JSON.stringify(b.status));
  });
});
