import { describe, expect, it } from 'vitest';
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
