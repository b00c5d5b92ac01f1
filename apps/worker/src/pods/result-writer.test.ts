import { describe, expect, it } from 'vitest';
import type { PodResult } from '@slipway/engine';
import { ResultWriter, type ResultAnswer, type ResultItem } from './result-writer.js';

const result = (nodeId: string): PodResult => ({ nodeId, phase: 'Succeeded', startedAt: 1, finishedAt: 2 }) as unknown as PodResult;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('ResultWriter', () => {
  it('writes a result at once, and those that arrive during that write together afterwards', async () => {
    const writes: string[][] = [];
    const gates: ReturnType<typeof deferred<ResultAnswer[]>>[] = [];
    const writer = new ResultWriter((items: readonly ResultItem[]) => {
      writes.push(items.map((i) => i.result.nodeId));
      const gate = deferred<ResultAnswer[]>();
      gates.push(gate);
      return gate.promise;
    });
    const a = writer.finish('w', result('a'));
    const b = writer.finish('w', result('b'));
    const c = writer.finish('v', result('c'));
    expect(writes).toEqual([['a']]);
    gates[0].resolve([{ done: true }]);
    expect(await a).toEqual({ done: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toEqual([['a'], ['b', 'c']]);
    gates[1].reject(new Error('database away'));
    await expect(b).rejects.toThrow('database away');
    await expect(c).rejects.toThrow('database away');
    await new Promise((r) => setTimeout(r, 0));
    // The writer goes on after a failed write.
    const d = writer.finish('w', result('d'));
    gates[2]?.resolve([{ done: false }]);
    expect(writes).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(await d).toEqual({ done: false });
  });
});
