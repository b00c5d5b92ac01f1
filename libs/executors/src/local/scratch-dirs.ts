/**
 * Each pod gets one fresh, private, empty directory: its /tmp when sandboxed, its default working
 * directory when not. They live at `workflows/<uid>/scratch/<random>` and go with the workflow
 * (releaseWorkflow removes `workflows/<uid>`).
 *
 * A mkdir is a journaled metadata write: 0.1–1 ms on these disks, more when something else is
 * syncing. So once a workflow has asked for a second pod (it is a steps/DAG workflow, not a single
 * step), a few directories are made ahead of need, in the background (libuv's thread pool), and a
 * pod start takes one that already exists. Names are unique (mkdtemp), so workers sharing a
 * workdir never collide.
 *
 * Making a directory is also CPU: about 0.3 ms of kernel time each here, close to what starting
 * a small process costs. So a pod that left its directory exactly as it got it (empty, still a
 * private directory) gives it back when it is done (`recycle`), and the next pod of the workflow
 * takes it: it is indistinguishable from a fresh one. A pod that wrote anything keeps its own.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';

interface WorkflowScratch {
  uid: string;
  base: string;
  /** Made and not yet handed out. */
  ready: string[];
  /** mkdtemp calls in flight. */
  making: number;
  /** Pods that asked so far. */
  asked: number;
  /** The base directory exists (or is being made). */
  baseMade: Promise<unknown> | undefined;
  /** Settles when the mkdtemp calls in flight have. */
  inFlight: Set<Promise<unknown>>;
}

/** This process's uid (a system call each time process.getuid() is asked). */
const OWN_UID = process.getuid?.();

/** A workflow's first pods that get their directory made at once, synchronously (see take). */
const SYNC_FIRST = 2;

/** Ready directories kept per workflow at most (more recycled ones are left for the workflow's removal). */
const MAX_READY = 256;

/** An empty directory of this user's with mode 0700, as mkdtemp makes it. */
function isFreshDir(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && (stat.mode & 0o7777) === 0o700 && stat.uid === OWN_UID && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

export class ScratchDirs {
  private readonly workflows = new Map<string, WorkflowScratch>();

  /** `ahead`: how many to keep ready for a multi-pod workflow (0 disables making ahead). */
  constructor(
    private readonly workdir: string,
    private readonly ahead = 4,
  ) {}

  /**
   * A fresh empty directory for one pod of workflow `uid`. From the second pod on, when this
   * take empties the ready list (or finds it empty), a few more are made in the background:
   * directories that pods give back or recycle come back to the list, so a workflow whose pods
   * leave their directories untouched soon makes none at all. A ready one is returned as is (no
   * promise), so a pod start does not wait a turn for it. So are the workflow's first two, made
   * on the spot: a DAG's first pods then start while its first reconcile is still making the
   * others (≈ 6 ms sooner in a 1,000-task DAG), for two mkdirs on this thread once per workflow.
   */
  take(uid: string): string | Promise<string> {
    let wf = this.workflows.get(uid);
    if (!wf) {
      wf = { uid, base: `${this.workdir}/workflows/${uid}/scratch`, ready: [], making: 0, asked: 0, baseMade: undefined, inFlight: new Set() };
      this.workflows.set(uid, wf);
    }
    wf.asked++;
    const ready = wf.ready.pop();
    if (wf.asked >= 2 && wf.ready.length === 0) this.refill(wf);
    if (ready !== undefined) return ready;
    if (wf.asked <= SYNC_FIRST) return this.makeNow(wf);
    return this.make(wf);
  }

  /** The pod did not need its directory after all: keep it for the next one. */
  giveBack(uid: string, dir: string): void {
    this.workflows.get(uid)?.ready.push(dir);
  }

  /**
   * The pod that had `dir` is over and nothing of it runs any more: if the directory is still
   * empty and private (mode 0700, as mkdtemp made it, and ours), the next pod gets it instead of a
   * new one. `empty`: the launcher already looked as the pod's only process ended (the resident
   * spawner does, on its own thread); otherwise this looks now, synchronously: reading an empty
   * directory and its inode costs a few µs, several times less CPU than the same two calls
   * through the thread pool.
   */
  recycle(uid: string, dir: string, empty?: boolean): void {
    const wf = this.workflows.get(uid);
    if (empty === false || !wf || !dir.startsWith(`${wf.base}/`) || wf.ready.length >= MAX_READY) return;
    if (empty === undefined && !isFreshDir(dir)) return;
    wf.ready.push(dir);
  }

  /**
   * The workflow is over: make no more for it. Resolves once nothing is being made any more, so
   * the caller can remove the workflow's tree without a directory appearing in it meanwhile.
   */
  async release(uid: string): Promise<void> {
    const wf = this.workflows.get(uid);
    this.workflows.delete(uid);
    if (wf) await Promise.allSettled([...wf.inFlight]);
  }

  private makeNow(wf: WorkflowScratch): string {
    mkdirSync(wf.base, { recursive: true });
    wf.baseMade ??= Promise.resolve();
    return mkdtempSync(`${wf.base}/`);
  }

  private make(wf: WorkflowScratch): Promise<string> {
    const made = (async () => {
      wf.baseMade ??= mkdir(wf.base, { recursive: true });
      await wf.baseMade;
      return mkdtemp(`${wf.base}/`);
    })();
    wf.inFlight.add(made);
    const forget = () => wf.inFlight.delete(made);
    made.then(forget, forget);
    return made;
  }

  private refill(wf: WorkflowScratch): void {
    while (wf.ready.length + wf.making < this.ahead) {
      wf.making++;
      this.make(wf).then(
        (dir) => {
          wf.making--;
          // Released meanwhile: the tree is gone or going; do not hand this one out.
          if (this.workflows.get(wf.uid) === wf) wf.ready.push(dir);
        },
        () => {
          wf.making--;
        },
      );
    }
  }
}
