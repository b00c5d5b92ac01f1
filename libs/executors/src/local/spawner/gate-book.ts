/**
 * Gates kept in Node: counting semaphores granted in request order. The Node launcher uses them
 * directly; the resident spawner keeps its gates in the helper (same rules, in C).
 */

/** A counting semaphore of one launcher (see launcher.ts). */
export interface LaunchGate {
  readonly id: number;
  readonly slots: number;
}

interface Waiter {
  start: (release: () => void) => void;
  waiting: boolean;
}

interface GateState extends LaunchGate {
  used: number;
  queue: Waiter[];
}

export interface GateWait {
  /** True when it was still waiting (and now never starts). */
  dropIfWaiting(): boolean;
}

export class GateBook {
  private nextId = 1;
  private readonly gates = new Map<number, GateState>();

  create(slots: number): LaunchGate {
    const gate: GateState = { id: this.nextId++, slots, used: 0, queue: [] };
    this.gates.set(gate.id, gate);
    return { id: gate.id, slots };
  }

  drop(gate: LaunchGate): void {
    this.gates.delete(gate.id);
  }

  /** Run `start` once a slot of `gate` is free; it gets the function that frees the slot (once). */
  wait(handle: LaunchGate, start: (release: () => void) => void): GateWait {
    let gate = this.gates.get(handle.id);
    if (!gate) {
      // A dropped (or foreign) gate: behave as a fresh one of the same size.
      gate = { id: handle.id, slots: handle.slots, used: 0, queue: [] };
      this.gates.set(gate.id, gate);
    }
    const waiter: Waiter = { start, waiting: true };
    gate.queue.push(waiter);
    this.grant(gate);
    return {
      dropIfWaiting: () => {
        if (!waiter.waiting) return false;
        waiter.waiting = false;
        const i = gate.queue.indexOf(waiter);
        if (i >= 0) gate.queue.splice(i, 1);
        return true;
      },
    };
  }

  private grant(gate: GateState): void {
    while (gate.used < gate.slots && gate.queue.length > 0) {
      const waiter = gate.queue.shift()!;
      waiter.waiting = false;
      gate.used++;
      let freed = false;
      waiter.start(() => {
        if (freed) return;
        freed = true;
        gate.used--;
        this.grant(gate);
      });
    }
  }
}
