import { describe, expect, it } from 'vitest';
import type { PodRequest } from '@slipway/engine';
import { PodSlots } from './pod-slots.js';
import { SelfRunPods, type SelfRunOptions } from './self-run-pods.js';

const pod = (nodeId: string): PodRequest => ({ nodeId, podName: nodeId }) as unknown as PodRequest;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** SelfRunPods over real slots, recording what it runs, queues, unclaims and cancels. */
function setup(overrides: Partial<SelfRunOptions> = {}) {
  const log: string[] = [];
  const gates = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  let leaseValid = true;
  const self = new SelfRunPods({
    worker: 'w1',
    slots: new PodSlots(1),
    bound: 3,
    leaseValid: () => leaseValid,
    eligible: (p) => !p.nodeId.startsWith('k8s'),
    run: (wf, p) => {
      log.push(`run ${p.nodeId}`);
      const gate = deferred();
      gates.set(p.nodeId, gate);
      return gate.promise;
    },
    requeue: (wf, ids) => {
      log.push(`queue ${ids.join(',')}`);
      return Promise.resolve();
    },
    unclaim: (wf, ids) => {
      log.push(`unclaim ${ids.join(',')}`);
      return Promise.resolve();
    },
    cancel: (wf, id) => {
      log.push(`cancel ${id}`);
      return Promise.resolve();
    },
    log: () => undefined,
    ...overrides,
  });
  return { self, log, gates, setLease: (v: boolean) => (leaseValid = v) };
}

describe('SelfRunPods', () => {
  it('reserves eligible pods up to the bound and runs those the save claimed, one slot at a time', async () => {
    const { self, log, gates } = setup();
    const pods = ['a', 'k8s-b', 'c', 'd', 'e'].map(pod);
    const claim = self.reserve('wf', pods);
    expect(claim).toEqual({ worker: 'w1', nodeIds: ['a', 'c', 'd'] });
    expect(self.holds('wf', 'a')).toBe(true);
    // The save claimed a and c (d already had a row): d is forgotten, a runs, c waits for the slot.
    self.settle('wf', claim!.nodeIds, ['a', 'c'], pods);
    expect(self.holds('wf', 'd')).toBe(false);
    expect(log).toEqual(['run a']);
    gates.get('a')!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['run a', 'run c']);
    expect(self.holds('wf', 'a')).toBe(false);
    gates.get('c')!.resolve();
    await self.idle();
    expect(self.size).toBe(0);
  });

  it("gives a pod's slot to the next one as soon as its processes exited, before its result is stored", async () => {
    const stored = deferred();
    const ran: string[] = [];
    const { self } = setup({
      run: (wf, p, claimedAt, exited) => {
        ran.push(p.nodeId);
        exited();
        return stored.promise;
      },
    });
    const pods = ['a', 'b'].map(pod);
    self.settle('wf', self.reserve('wf', pods)!.nodeIds, ['a', 'b'], pods);
    expect(ran).toEqual(['a', 'b']);
    expect(self.holds('wf', 'a')).toBe(true); // held until the result is stored
    stored.resolve();
    await self.idle();
    expect(self.size).toBe(0);
  });

  it('claims nothing without a valid lease, and forgets what a failed save reserved', () => {
    const { self, setLease } = setup();
    setLease(false);
    expect(self.reserve('wf', [pod('a')])).toBeUndefined();
    setLease(true);
    const claim = self.reserve('wf', [pod('a')]);
    self.settle('wf', claim!.nodeIds, [], [pod('a')]);
    expect(self.size).toBe(0);
  });

  it('a kill before the pod started cancels it; a pod that waits too long goes back to the queue', async () => {
    const { self, log, gates } = setup({ handBackAfterMs: 40 });
    const pods = ['a', 'b', 'c'].map(pod);
    self.settle('wf', self.reserve('wf', pods)!.nodeIds, ['a', 'b', 'c'], pods);
    expect(self.drop('wf', 'a')).toBe(false); // running: the executor kills it
    expect(self.drop('wf', 'b')).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(log).toEqual(['run a', 'cancel b', 'unclaim c', 'queue c']);
    expect(self.holds('wf', 'c')).toBe(false);
    gates.get('a')!.resolve();
    await self.idle();
    expect(log).toHaveLength(4); // neither b nor c ran here
  });

  it('a run that fails goes to the queue; stop hands back the waiting pods and waits for the running one', async () => {
    const failing = setup({ run: (wf, p) => Promise.reject(new Error(`no ${p.nodeId}`)) });
    failing.self.settle('wf', failing.self.reserve('wf', [pod('x')])!.nodeIds, ['x'], [pod('x')]);
    await failing.self.idle();
    expect(failing.log).toEqual(['queue x']);

    const { self, log, gates } = setup();
    const pods = ['a', 'b'].map(pod);
    self.settle('wf', self.reserve('wf', pods)!.nodeIds, ['a', 'b'], pods);
    const stopped = self.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['run a', 'unclaim b', 'queue b']);
    expect(done).toBe(false);
    gates.get('a')!.resolve();
    await stopped;
    expect(self.reserve('wf', [pod('c')])).toBeUndefined();
  });

  it('with staging, a pod handed to the executor (staged) is never handed back; one still waiting here is', async () => {
    const slots = new PodSlots(1, 1000, 1);
    // One short step first: staging is on.
    slots.take((release) => release());
    expect(slots.staging).toBe(true);
    const { self, log, gates } = setup({ slots, handBackAfterMs: 40, bound: 4 });
    const pods = ['a', 'b', 'c'].map(pod);
    self.settle('wf', self.reserve('wf', pods)!.nodeIds, ['a', 'b', 'c'], pods);
    // a runs, b is staged in the executor (its run started, the executor's gate holds it), c waits here.
    expect(log).toEqual(['run a', 'run b']);
    expect(self.drop('wf', 'b')).toBe(false); // staged: the executor's kill cancels it there
    await new Promise((r) => setTimeout(r, 80));
    expect(log).toEqual(['run a', 'run b', 'unclaim c', 'queue c']);
    expect(self.holds('wf', 'b')).toBe(true);
    gates.get('a')!.resolve();
    gates.get('b')!.resolve();
    await self.idle();
    expect(self.size).toBe(0);
  });
});
