import { describe, expect, it } from 'vitest';
import { PodSlots, type ReleaseSlot } from './pod-slots.js';

describe('PodSlots', () => {
  it('grants at once while a slot is free, then in order as slots are released', () => {
    const slots = new PodSlots(2);
    const granted: string[] = [];
    const releases = new Map<string, ReleaseSlot>();
    const take = (name: string) =>
      slots.take((release) => {
        granted.push(name);
        releases.set(name, release);
      });
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
});
