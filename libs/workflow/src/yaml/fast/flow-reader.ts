/** One-line flow collections (`[a, b]`, `{k: v}`) for the fast reader. */
import { giveUp, plainStart, SPACE, type PosNode } from './common.js';
import { doubleQuoted, quotedEnd, resolvePlain, singleQuoted, UNSURE } from './scalars.js';

/** A flow collection that opens and closes on one line ending at `end`. */
export class FlowReader {
  constructor(
    private readonly text: string,
    private readonly end: number,
  ) {}

  node(at: number): { value: unknown; node: PosNode; end: number } {
    const c = this.text[at];
    if (c === '[') return this.sequence(at);
    if (c === '{') return this.mapping(at);
    if (c === '"' || c === "'") {
      const close = quotedEnd(this.text, at, this.end);
      if (close < 0) giveUp();
      const source = this.text.slice(at, close);
      const value = c === '"' ? doubleQuoted(source) : singleQuoted(source);
      if (value === UNSURE) giveUp();
      return { value, node: at, end: close };
    }
    const stop = this.plainEnd(at);
    const value = resolvePlain(this.text.slice(at, stop).trimEnd(), false);
    if (value === UNSURE) giveUp();
    return { value, node: at, end: stop };
  }

  private plainEnd(at: number): number {
    if (!plainStart(this.text, at, this.end)) giveUp();
    // In a flow collection `-` must be followed by a character of the scalar.
    if (this.text[at] === '-' && ',[]{}'.includes(this.text[at + 1])) giveUp();
    let i = at;
    for (; i < this.end; i++) {
      const c = this.text[i];
      if (c === ',' || c === ']' || c === '}') break;
      if (c === '[' || c === '{') giveUp();
      if (c === ':') {
        const n = this.text[i + 1];
        if (i + 1 === this.end || n === ' ' || n === ',' || n === ']' || n === '}') break;
      }
      if (c === '#' && this.text[i - 1] === ' ') giveUp();
    }
    return i;
  }

  private skip(i: number): number {
    while (i < this.end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  private sequence(start: number): { value: unknown; node: PosNode; end: number } {
    const out: unknown[] = [];
    const items: PosNode[] = [];
    let i = this.skip(start + 1);
    if (this.text[i] === ']') return { value: out, node: { start, items }, end: i + 1 };
    for (;;) {
      const item = this.node(i);
      out.push(item.value);
      items.push(item.node);
      i = this.skip(item.end);
      const c = this.text[i];
      if (c === ']') return { value: out, node: { start, items }, end: i + 1 };
      if (c !== ',' || i >= this.end) giveUp();
      i = this.skip(i + 1);
      if (this.text[i] === ']' || i >= this.end) giveUp();
    }
  }

  private mapping(start: number): { value: unknown; node: PosNode; end: number } {
    const out: Record<string, unknown> = {};
    const keys = new Map<string, { offset: number; child: PosNode }>();
    let i = this.skip(start + 1);
    if (this.text[i] === '}') return { value: out, node: { start, keys }, end: i + 1 };
    for (;;) {
      const keyAt = i;
      const c = this.text[i];
      let key: unknown;
      if (c === '"' || c === "'") {
        const close = quotedEnd(this.text, i, this.end);
        if (close < 0) giveUp();
        const source = this.text.slice(i, close);
        key = c === '"' ? doubleQuoted(source) : singleQuoted(source);
        i = this.skip(close);
      } else {
        const stop = this.plainEnd(i);
        key = resolvePlain(this.text.slice(i, stop).trimEnd(), true);
        i = stop;
      }
      if (typeof key !== 'string' || key === '__proto__' || Object.hasOwn(out, key)) giveUp();
      if (this.text[i] !== ':' || this.text[i + 1] !== ' ') giveUp();
      i = this.skip(i + 1);
      const c2 = this.text[i];
      if (i >= this.end || c2 === ',' || c2 === '}') giveUp();
      const item = this.node(i);
      out[key] = item.value;
      keys.set(key, { offset: keyAt, child: item.node });
      i = this.skip(item.end);
      const d = this.text[i];
      if (d === '}') return { value: out, node: { start, keys }, end: i + 1 };
      if (d !== ',' || i >= this.end) giveUp();
      i = this.skip(i + 1);
      if (this.text[i] === '}' || i >= this.end) giveUp();
    }
  }
}
