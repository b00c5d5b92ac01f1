/**
 * Mutexes and semaphores for hosts that run workflows in one process (the CLI): FIFO waiting,
 * idempotent per holder. Not part of the pure engine; hosts own it and feed LockGranted events back.
 */
import type { LockRequest } from '../contract/actions.js';

type Grant = (key: string, holder: string) => void;

interface LockState {
  holders: Set<string>;
  waiting: { holder: string; grant: Grant }[];
  limit: number;
}

export class InMemoryLockManager {
  private readonly locks = new Map<string, LockState>();

  /** `limitOf` gives a semaphore's size (e.g. from a ConfigMap); mutexes have size 1. */
  constructor(private readonly limitOf: (lock: LockRequest) => number = () => 1) {}

  acquire(lock: LockRequest, holder: string, grant: Grant): void {
    let state = this.locks.get(lock.key);
    if (!state) {
      state = { holders: new Set(), waiting: [], limit: lock.kind === 'mutex' ? 1 : Math.max(1, this.limitOf(lock)) };
      this.locks.set(lock.key, state);
    }
    if (state.holders.has(holder)) {
      grant(lock.key, holder);
      return;
    }
    if (state.waiting.some((w) => w.holder === holder)) return;
    if (state.holders.size < state.limit && state.waiting.length === 0) {
      state.holders.add(holder);
      grant(lock.key, holder);
      return;
    }
    state.waiting.push({ holder, grant });
  }

  release(key: string, holder: string): void {
    const state = this.locks.get(key);
    if (!state) return;
    state.holders.delete(holder);
    state.waiting = state.waiting.filter((w) => w.holder !== holder);
    while (state.holders.size < state.limit && state.waiting.length > 0) {
      const next = state.waiting.shift()!;
      state.holders.add(next.holder);
      next.grant(key, next.holder);
    }
  }

  /** Current holders of a lock (for status displays and tests). */
  holders(key: string): string[] {
    return [...(this.locks.get(key)?.holders ?? [])];
  }
}
