/**
 * A fast reader for the plain shape most workflow files have: block mappings and sequences,
 * one-line plain and quoted scalars, one-line flow collections, literal block scalars (`|`, `|-`),
 * comments and `---` between documents. It gives the same values and field positions as the
 * `yaml` package path (parse.ts) at a fraction of the cost, and gives up (`undefined`) on
 * anything else — anchors, tags, multi-line plain or quoted scalars, folded scalars, tabs,
 * duplicate keys, anything that could be an error or a warning — so that the full reader, with
 * its exact messages and Go-compatible corner cases, handles those files.
 * Checked against the full reader by fast-reader.test.ts (the repository's and Argo's examples,
 * and randomly mutated copies of them).
 */
import { GIVE_UP, giveUp, plainStart, SPACE, type MapPos, type PosNode } from './common.js';
import { FlowReader } from './flow-reader.js';
import { doubleQuoted, quotedEnd, resolvePlain, singleQuoted, UNSURE } from './scalars.js';
export type { MapPos, PosNode, SeqPos } from './common.js';

export interface FastDocument {
  value: Record<string, unknown>;
  root: MapPos;
}

export interface FastResult {
  documents: FastDocument[];
  /** Offset of the start of every line (what the `yaml` LineCounter records). */
  lineStarts: number[];
}

/** Characters the fast reader leaves to the full one wherever they appear. */
const AWKWARD = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/;

export function fastRead(text: string): FastResult | undefined {
  if (AWKWARD.test(text)) return undefined;
  try {
    return new Reader(text).read();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

const HASH = 35;
const COLON = 58;

class Reader {
  private readonly text: string;
  private readonly starts: number[] = [0];
  private readonly ends: number[] = [];
  private readonly indents: number[] = [];
  /** Current line. */
  private li = 0;

  constructor(text: string) {
    this.text = text;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      this.ends.push(i);
      this.starts.push(i + 1);
    }
    this.ends.push(text.length);
    for (let l = 0; l < this.ends.length; l++) {
      let i = this.starts[l];
      while (i < this.ends[l] && text.charCodeAt(i) === SPACE) i++;
      this.indents.push(i - this.starts[l]);
    }
  }

  read(): FastResult {
    const documents: FastDocument[] = [];
    this.skipBlank();
    for (;;) {
      if (this.li >= this.lineCount()) {
        if (documents.length === 0) giveUp();
        break;
      }
      if (this.lineText(this.li).trimEnd() === '---') {
        this.li++;
        this.skipBlank();
        // An empty document (e.g. a trailing `---`) is left to the full reader.
        if (this.li >= this.lineCount()) giveUp();
      } else if (documents.length > 0) {
        giveUp();
      }
      const indent = this.indents[this.li];
      const at = this.starts[this.li] + indent;
      const c = this.text[at];
      if (c === '-' || c === '.' || c === '%') giveUp();
      const { value, node } = this.mapping(this.li, indent);
      documents.push({ value: value as Record<string, unknown>, root: node as MapPos });
      this.skipBlank();
    }
    return { documents, lineStarts: this.starts };
  }

  private lineCount(): number {
    return this.ends.length;
  }

  private lineText(l: number): string {
    return this.text.slice(this.starts[l], this.ends[l]);
  }

  /** Blank or comment-only line. */
  private isBlank(l: number): boolean {
    const at = this.starts[l] + this.indents[l];
    return at === this.ends[l] || this.text.charCodeAt(at) === HASH;
  }

  private skipBlank(): void {
    while (this.li < this.lineCount() && this.isBlank(this.li)) this.li++;
  }

  /** Next content line's indent after skipping blank lines, or -1 at the end. */
  private nextIndent(): number {
    this.skipBlank();
    if (this.li >= this.lineCount()) return -1;
    const at = this.starts[this.li] + this.indents[this.li];
    // A document marker or end at column 0 closes every block.
    if (this.indents[this.li] === 0 && (this.text.startsWith('---', at) || this.text.startsWith('...', at))) return -1;
    return this.indents[this.li];
  }

  /** A block mapping whose first key is at column `col` of line `line`. */
  private mapping(line: number, col: number): { value: unknown; node: PosNode } {
    const out: Record<string, unknown> = {};
    const keys = new Map<string, { offset: number; child: PosNode }>();
    const start = this.starts[line] + col;
    this.li = line;
    let at = start;
    for (;;) {
      const end = this.ends[this.li];
      const { key, after } = this.blockKey(at, end);
      if (key === '__proto__' || Object.hasOwn(out, key)) giveUp();
      let p = after;
      while (p < end && this.text.charCodeAt(p) === SPACE) p++;
      const { value, node } = this.valueAt(p, col, false, at);
      out[key] = value;
      keys.set(key, { offset: at, child: node });
      const indent = this.nextIndent();
      if (indent < col) break;
      if (indent > col) giveUp();
      at = this.starts[this.li] + indent;
      if (this.isSequenceEntry(at)) giveUp();
    }
    return { value: out, node: { start, keys } };
  }

  /** A block sequence whose first `-` is at column `col` of line `line`. */
  private sequence(line: number, col: number): { value: unknown; node: PosNode } {
    const out: unknown[] = [];
    const items: PosNode[] = [];
    const start = this.starts[line] + col;
    this.li = line;
    let at = start;
    for (;;) {
      const end = this.ends[this.li];
      let p = at + 1;
      while (p < end && this.text.charCodeAt(p) === SPACE) p++;
      const { value, node } = this.valueAt(p, col, true, -1);
      out.push(value);
      items.push(node);
      const indent = this.nextIndent();
      if (indent < col) break;
      if (indent > col) giveUp();
      at = this.starts[this.li] + indent;
      // Same column but not `- `: the key of the mapping this sequence is the value of.
      if (!this.isSequenceEntry(at)) break;
    }
    return { value: out, node: { start, items } };
  }

  private isSequenceEntry(at: number): boolean {
    if (this.text[at] !== '-') return false;
    const next = this.text.charCodeAt(at + 1);
    return at + 1 === this.ends[this.li] || next === SPACE;
  }

  /** A block mapping key at `at`: its text and the offset just after its `:`. */
  private blockKey(at: number, end: number): { key: string; after: number } {
    const c = this.text[at];
    let key: unknown;
    let colon: number;
    if (c === '"' || c === "'") {
      const close = quotedEnd(this.text, at, end);
      if (close < 0) giveUp();
      const source = this.text.slice(at, close);
      key = c === '"' ? doubleQuoted(source) : singleQuoted(source);
      colon = close;
      while (colon < end && this.text.charCodeAt(colon) === SPACE) colon++;
      if (this.text.charCodeAt(colon) !== COLON) giveUp();
    } else {
      if (!plainStart(this.text, at, end)) giveUp();
      colon = this.text.indexOf(':', at);
      while (colon >= 0 && colon < end && !(colon + 1 === end || this.text.charCodeAt(colon + 1) === SPACE)) {
        colon = this.text.indexOf(':', colon + 1);
      }
      if (colon < 0 || colon >= end) giveUp();
      const source = this.text.slice(at, colon).trimEnd();
      if (source.includes(' #') || source.length > 1000) giveUp();
      key = resolvePlain(source, true);
    }
    if (typeof key !== 'string') giveUp();
    const after = colon + 1;
    if (after < end && this.text.charCodeAt(after) !== SPACE) giveUp();
    return { key, after };
  }

  /**
   * The value that starts at `p` on the current line, after `key:` or `- ` of a block at column
   * `col`; leaves `li` on the first line after it. `keyAt` is the key's offset (a null value's node).
   */
  private valueAt(p: number, col: number, inSequence: boolean, keyAt: number): { value: unknown; node: PosNode } {
    const end = this.ends[this.li];
    const c = p < end ? this.text[p] : '#';
    if (c === '#') {
      // Nothing on this line: a nested block, or null.
      this.li++;
      const indent = this.nextIndent();
      if (indent > col) return this.block(this.li, indent);
      if (indent === col && !inSequence && this.isSequenceEntry(this.starts[this.li] + indent)) return this.sequence(this.li, indent);
      if (inSequence) giveUp();
      return { value: null, node: keyAt };
    }
    switch (c) {
      case '|':
        return this.literal(p, end, col);
      case '[':
      case '{': {
        const flow = new FlowReader(this.text, end);
        const r = flow.node(p);
        this.restIsComment(r.end, end);
        this.li++;
        return { value: r.value, node: r.node };
      }
      case '"':
      case "'": {
        const close = quotedEnd(this.text, p, end);
        if (close < 0) giveUp();
        if (inSequence && this.colonFollows(close, end)) return this.mapping(this.li, p - this.starts[this.li]);
        const source = this.text.slice(p, close);
        const value = c === '"' ? doubleQuoted(source) : singleQuoted(source);
        if (value === UNSURE) giveUp();
        this.restIsComment(close, end);
        this.li++;
        return { value, node: p };
      }
      case '-':
        if (p + 1 === end || this.text.charCodeAt(p + 1) === SPACE) {
          if (!inSequence) giveUp();
          return this.sequence(this.li, p - this.starts[this.li]);
        }
        break;
    }
    if (!plainStart(this.text, p, end)) giveUp();
    let stop = this.text.indexOf(' #', p);
    if (stop < 0 || stop > end) stop = end;
    const source = this.text.slice(p, stop).trimEnd();
    if (source.includes(': ') || source.endsWith(':')) {
      if (inSequence) return this.mapping(this.li, p - this.starts[this.li]);
      giveUp();
    }
    const value = resolvePlain(source, false);
    if (value === UNSURE) giveUp();
    this.li++;
    return { value, node: p };
  }

  /** A block node whose first line is `line`, at column `col`. */
  private block(line: number, col: number): { value: unknown; node: PosNode } {
    const at = this.starts[line] + col;
    this.li = line;
    const c = this.text[at];
    if (this.isSequenceEntry(at)) return this.sequence(line, col);
    if (c === '[' || c === '{' || c === '"' || c === "'" || c === '|') giveUp();
    const end = this.ends[line];
    let stop = this.text.indexOf(' #', at);
    if (stop < 0 || stop > end) stop = end;
    const source = this.text.slice(at, stop).trimEnd();
    if (!source.includes(': ') && !source.endsWith(':')) giveUp();
    return this.mapping(line, col);
  }

  private colonFollows(from: number, end: number): boolean {
    let i = from;
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    return this.text.charCodeAt(i) === COLON;
  }

  private restIsComment(from: number, end: number): void {
    if (from === end) return;
    if (this.text.charCodeAt(from) !== SPACE) giveUp();
    let i = from;
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    if (i < end && this.text.charCodeAt(i) !== HASH) giveUp();
  }

  /** `|` or `|-` at `p`: content lines indented past `col`; leaves `li` on the line after its last. */
  private literal(p: number, end: number, col: number): { value: unknown; node: PosNode } {
    const header = this.text.slice(p, end);
    if (header !== '|' && header !== '|-') giveUp();
    const first = this.li + 1;
    if (first >= this.lineCount() || this.indents[first] === this.ends[first] - this.starts[first]) giveUp();
    const indent = this.indents[first];
    if (indent <= col) giveUp();
    const lines: string[] = [];
    let last = first;
    let l = first;
    for (; l < this.lineCount(); l++) {
      const width = this.ends[l] - this.starts[l];
      if (this.indents[l] === width) {
        // Blank: part of the scalar if content follows. More spaces than the indentation would be content.
        if (width > indent) giveUp();
        lines.push('');
        continue;
      }
      if (this.indents[l] < indent) break;
      lines.push(this.text.slice(this.starts[l] + indent, this.ends[l]));
      last = l;
    }
    if (last === this.lineCount() - 1 && !this.text.endsWith('\n')) giveUp();
    lines.length = last - first + 1;
    this.li = last + 1;
    const body = lines.join('\n');
    return { value: header === '|' ? `${body}\n` : body, node: p };
  }
}

/** Offset of `path` in a document read by the fast reader: as SourceMap.position, for the same document. */
export function fastPosition(root: MapPos, path: readonly (string | number)[]): number {
  let node: PosNode = root;
  let found = root.start;
  for (const segment of path) {
    if (typeof node === 'number') break;
    if ('keys' in node) {
      if (typeof segment !== 'string') break;
      const entry = node.keys.get(segment);
      if (!entry) break;
      found = entry.offset;
      node = entry.child;
    } else {
      if (typeof segment !== 'number' || !Object.hasOwn(node.items, segment)) break;
      node = node.items[segment];
      found = typeof node === 'number' ? node : node.start;
    }
  }
  return found;
}

/** 1-based line and column of `offset`, exactly as the `yaml` package's LineCounter.linePos. */
export function linePosition(lineStarts: readonly number[], offset: number): { line: number; col: number } {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lineStarts[mid] < offset) low = mid + 1;
    else high = mid;
  }
  if (lineStarts[low] === offset) return { line: low + 1, col: 1 };
  if (low === 0) return { line: 0, col: offset };
  return { line: low, col: offset - lineStarts[low - 1] + 1 };
}
