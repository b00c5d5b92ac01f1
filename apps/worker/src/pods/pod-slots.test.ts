import { describe, expect, it } from 'vitest';
import { PodSlots, type ReleaseSlot } from './pod-slots.js';

/** Own pods taking places by name: the order they were granted in, and each one's release. */
function recorder(slots: PodSlots): { granted: string[]; releases: Map<string, ReleaseSlot>; take: (name: string) => void } {
  const granted: string[] = [];
  const releases = new Map<string, ReleaseSlot>();
  const take = (name: string): void => {
    slots.take((release) => {
      granted.push(name);
      releases.set(name, release);
    });
  };
  return { granted, releases, take };
}

describe('PodSlots', () => {
  it('grants at once while a slot is free, then in order as slots are released', () => {
    const slots = new PodSlots(2);
    const { granted, releases, take } = recorder(slots);
    take('a');
    take('b');
    take('c');
    take('d');
    expect(granted).toEqual(['a', 'b']);
    expect(slots.busy).toBe(2);
    releases.get('a')!();
    releases.get('a')!(); // a second release of the same slot is ignored
    expect(granted).toEqual(['a', 'b', 'c']);
    releases.get('b')!();
    expect(granted).toEqual(['a', 'b', 'c', 'd']);
    releases.get('c')!();
    releases.get('d')!();
    expect(slots.busy).toBe(0);
  });

  it("serves the worker's own pods before queued jobs, unless a job waited too long", async () => {
    const slots = new PodSlots(1, 50);
    const order: string[] = [];
    let release: ReleaseSlot = () => undefined;
    const own = (name: string) =>
      slots.take((r) => {
        order.push(name);
        release = r;
      });
    own('own-1');
    const job = slots.acquire().then((r) => {
      order.push('job');
      release = r;
    });
    own('own-2');
    release(); // own-2 asked after the job, but own pods go first
    expect(order).toEqual(['own-1', 'own-2']);
    own('own-3');
    await new Promise((r) => setTimeout(r, 60));
    release(); // the job has waited 50 ms: it goes before own-3
    await job;
    expect(order).toEqual(['own-1', 'own-2', 'job']);
    release();
    expect(order).toEqual(['own-1', 'own-2', 'job', 'own-3']);
  });

  it('skips a cancelled ticket', () => {
    const slots = new PodSlots(1);
    const granted: string[] = [];
    let release: ReleaseSlot = () => undefined;
    slots.take((r) => {
      granted.push('a');
      release = r;
    });
    const ticket = slots.take(() => granted.push('b'));
    slots.take(() => granted.push('c'));
    ticket.cancel();
    release();
    expect(granted).toEqual(['a', 'c']);
  });

  it('stages own pods beyond capacity; a queue job needs a place within capacity', async () => {
    const slots = new PodSlots(2, 1000, 2);
    const { granted, releases, take: own } = recorder(slots);
    expect(slots.staging).toBe(false); // no step ended yet: nothing staged
    own('short');
    releases.get('short')!();
    expect(slots.staging).toBe(true);
    granted.length = 0;
    for (const n of ['a', 'b', 'c', 'd', 'e']) own(n);
    // Two run, two are staged in the executor (which keeps the limit of 2), e waits here.
    expect(granted).toEqual(['a', 'b', 'c', 'd']);
    expect(slots.busy).toBe(4);
    let jobRelease: ReleaseSlot | undefined;
    const job = slots.acquire().then((r) => (jobRelease = r));
    releases.get('a')!();
    releases.get('b')!();
    // e goes first (own pods first); the job waits for a place within capacity (busy < 2).
    expect(granted).toEqual(['a', 'b', 'c', 'd', 'e']);
    releases.get('c')!();
    await Promise.resolve();
    expect(jobRelease).toBeUndefined();
    releases.get('d')!();
    await job;
    expect(jobRelease).toBeDefined();
    expect(slots.busy).toBe(2);
    releases.get('e')!();
    jobRelease!();
    expect(slots.busy).toBe(0);
  });

  it('stops staging own pods once a queue job waited too long, until it got its place', async () => {
    const slots = new PodSlots(1, 50, 2);
    const { granted, releases, take: own } = recorder(slots);
    own('short');
    releases.get('short')!();
    granted.length = 0;
    own('a');
    own('b');
    const job = slots.acquire().then((r) => {
      granted.push('job');
      return r;
    });
    own('c');
    own('d');
    expect(granted).toEqual(['a', 'b', 'c']);
    await new Promise((r) => setTimeout(r, 60));
    releases.get('a')!(); // the job has waited 50 ms: d is not staged past it
    expect(granted).toEqual(['a', 'b', 'c']);
    releases.get('b')!();
    releases.get('c')!();
    // The job's place is within capacity (d is not staged behind it: these places were held 60 ms, long for a 50 ms wait).
    const jobRelease = await job;
    expect(granted).toEqual(['a', 'b', 'c', 'job']);
    jobRelease();
    expect(granted).toEqual(['a', 'b', 'c', 'job', 'd']);
    releases.get('d')!();
    expect(slots.busy).toBe(0);
  });

  it('does not stage while steps are long: the plain line (a waiting pod can still be handed back)', async () => {
    const slots = new PodSlots(1, 100, 4);
    const { granted, releases, take: own } = recorder(slots);
    own('long');
    await new Promise((r) => setTimeout(r, 30)); // 30 ms × 5 places ≥ 100 ms / 2
    releases.get('long')!();
    expect(slots.staging).toBe(false);
    own('a');
    own('b');
    expect(granted).toEqual(['long', 'a']);
    releases.get('a')!();
    expect(granted).toEqual(['long', 'a', 'b']);
  });
});
