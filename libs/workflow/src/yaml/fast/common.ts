/** What the fast reader's parts share: position nodes, giving up, plain scalar starts. */

/** Where a node starts (a scalar), or a collection with where its children start. */
export type PosNode = number | MapPos | SeqPos;
export interface MapPos {
  start: number;
  /** Per key: offset of the key, and the value's node. */
  keys: Map<string, { offset: number; child: PosNode }>;
}
export interface SeqPos {
  start: number;
  items: PosNode[];
}

export const SPACE = 32;

class GiveUp extends Error {}
/** Thrown to give up; caught by fastRead. */
export const GIVE_UP = new GiveUp('not for the fast reader');

export function giveUp(): never {
  throw GIVE_UP;
}

/** Whether a plain scalar may start at `at` (indicators that start something else give up). */
export function plainStart(text: string, at: number, end: number): boolean {
  const c = text[at];
  if ('[]{},#&*!|>\'"%@`?:'.includes(c)) return false;
  if (c === '-') return at + 1 < end && text.charCodeAt(at + 1) !== SPACE;
  return at < end;
}
