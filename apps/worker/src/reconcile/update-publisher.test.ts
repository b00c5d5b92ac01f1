import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpdatePublisher } from './update-publisher.js';

const summary = (phase: string, version: number) => ({ namespace: 'default', name: 'wf', phase, version });

describe('UpdatePublisher', () => {
  let sent: { workflowId: string; phase: string; version: number }[];
  let updates: UpdatePublisher;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    updates = new UpdatePublisher((m) => {
      sent.push(JSON.parse(m));
      return Promise.resolve();
    }, 50);
  });
  afterEach(() => vi.useRealTimers());

  it('holds node-only saves inside the interval and sends the newest one when it ends', async () => {
    await updates.publish('a', summary('Running', 1));
    await updates.publish('a', summary('Running', 2));
    await updates.publish('a', summary('Running', 3));
    await updates.publish('b', summary('Running', 1));
    expect(sent.map((m) => `${m.workflowId}${m.version}`)).toEqual(['a1', 'b1']);
    vi.advanceTimersByTime(50);
    expect(sent.map((m) => `${m.workflowId}${m.version}`)).toEqual(['a1', 'b1', 'a3']);
  });

  it('sends a phase change at once, replacing what was held, and nothing older after it', async () => {
    await updates.publish('a', summary('Running', 1));
    await updates.publish('a', summary('Running', 2));
    await updates.publish('a', summary('Succeeded', 3));
    vi.advanceTimersByTime(200);
    expect(sent.map((m) => `${m.phase}${m.version}`)).toEqual(['Running1', 'Succeeded3']);
  });

  it('flush sends what is held (graceful stop)', async () => {
    await updates.publish('a', summary('Running', 1));
    await updates.publish('a', summary('Running', 2));
    await updates.flush();
    expect(sent.map((m) => m.version)).toEqual([1, 2]);
    vi.advanceTimersByTime(200);
    expect(sent).toHaveLength(2);
  });
});
