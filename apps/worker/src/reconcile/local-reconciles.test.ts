import { describe, expect, it, vi } from 'vitest';
import { LocalReconciles } from './local-reconciles.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LocalReconciles', () => {
  it('coalesces rings that arrive while the workflow reconciles into one more pass', async () => {
    const gates = [deferred(), deferred()];
    const calls: string[] = [];
    const local = new LocalReconciles(
      (id) => {
        calls.push(id);
        return gates[calls.length - 1]?.promise ?? Promise.resolve();
      },
      () => Promise.resolve(),
    );
    local.ring('a');
    local.ring('a');
    local.ring('a');
    local.ring('b');
    expect(calls).toEqual(['a', 'b']);
    gates[0].resolve();
    gates[1].resolve();
    await local.idle();
    // a: the first pass, then one pass for the two rings it received meanwhile.
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('rings through the queue when the reconcile fails', async () => {
    const queued: string[] = [];
    const local = new LocalReconciles(
      () => Promise.reject(new Error('database away')),
      (id) => {
        queued.push(id);
        return Promise.resolve();
      },
    );
    local.ring('a');
    await local.idle();
    expect(queued).toEqual(['a']);
    // nothing stays pending: the next ring reconciles again
    local.ring('a');
    await local.idle();
    expect(queued).toEqual(['a', 'a']);
  });
});

describe('LocalReconciles while other pods of the workflow run here', () => {
  it('waits for their results (at most gatherMs) and reconciles them together', async () => {
    vi.useFakeTimers();
    try {
      const calls: string[] = [];
      const local = new LocalReconciles(
        (id) => Promise.resolve(void calls.push(id)),
        () => Promise.resolve(),
        5,
      );
      const pod = (ms: number) => local.track('a', () => new Promise<void>((r) => setTimeout(() => (local.ring('a'), r()), ms)));
      const first = pod(1);
      const second = pod(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toEqual([]); // the first result waits: the second pod still runs
      await vi.advanceTimersByTimeAsync(2);
      await Promise.all([first, second]);
      await local.idle();
      expect(calls).toEqual(['a']); // one reconcile for both results
      // A pod that runs longer than gatherMs: the first ring goes at the cap.
      const third = pod(1);
      const long = local.track('a', () => new Promise<void>((r) => setTimeout(r, 100)));
      await vi.advanceTimersByTimeAsync(1);
      await vi.advanceTimersByTimeAsync(5);
      await local.idle();
      expect(calls).toEqual(['a', 'a']);
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all([third, long]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('LocalReconciles heads', () => {
  it('a pass serving one ring gets its head; a pass serving two reads the head itself', async () => {
    const heads: (number | undefined)[] = [];
    let gate: (() => void) | undefined;
    const local = new LocalReconciles(
      (_id, head) => {
        heads.push(head?.version);
        return new Promise<void>((r) => (gate = r));
      },
      () => Promise.resolve(),
      0,
    );
    local.ring('a', { version: 1, events: [] });
    // Two results while the first pass runs: neither head need hold the other's event.
    local.ring('a', { version: 2, events: [] });
    local.ring('a', { version: 2, events: [] });
    gate!();
    await new Promise((r) => setImmediate(r));
    gate!();
    await local.idle();
    expect(heads).toEqual([1, undefined]);
  });
});
