/**
 * Field positions of one YAML document: the position of each mapping key and each sequence item,
 * looked up by field path, plus duplicate-key findings (go-yaml rejects those in strict mode).
 *
 * Positions are found on demand by walking the document's nodes along the path (most paths are
 * never asked for: only those of findings), so building the map costs one pass for duplicate keys
 * and no per-field strings or line lookups.
 */
import type { LineCounter, Node, Pair, YAMLMap } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import type { FieldPath, SourcePosition } from './diagnostic.js';

export interface DuplicateKey {
  /** Path of the mapping holding the key. */
  mapPath: (string | number)[];
  key: string;
  position: SourcePosition;
  firstLine: number;
}

export class SourceMap {
  readonly duplicates: DuplicateKey[] = [];
  private readonly lines: LineCounter;
  private readonly rootNode: Node | null;
  private readonly root: SourcePosition;
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair[]>>();

  constructor(root: Node | null, lines: LineCounter) {
    this.lines = lines;
    this.rootNode = root;
    this.root = root?.range ? this.at(root.range[0]) : { line: 1, col: 1 };
    if (root) this.findDuplicates(root, []);
  }

  /**
   * Position of `path` (of a key, or of a sequence item), or of its nearest ancestor that has one.
   * Under a duplicated key, the last occurrence that has the field wins.
   */
  position(path: FieldPath): SourcePosition {
    const { isAlias, isMap, isSeq } = yamlLib();
    let nodes: unknown[] = [this.rootNode];
    let found: number | undefined;
    for (const segment of path) {
      const next: unknown[] = [];
      let offset: number | undefined;
      for (const node of nodes) {
        if (isAlias(node)) continue;
        if (isMap(node)) {
          if (typeof segment !== 'string') continue;
          for (const pair of this.pairs(node).get(segment) ?? []) {
            offset = pairOffset(pair) ?? offset;
            next.push(pair.value);
          }
        } else if (isSeq(node)) {
          if (typeof segment !== 'number' || !Object.hasOwn(node.items, segment)) continue;
          const item = node.items[segment];
          offset = (item as Node | null)?.range?.[0] ?? offset;
          next.push(item);
        }
      }
      if (next.length === 0) break;
      if (offset !== undefined) found = offset;
      nodes = next;
    }
    return found === undefined ? this.root : this.at(found);
  }

  private at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  /** The pairs of a mapping by key text, in document order. */
  private pairs(node: YAMLMap): Map<string, Pair[]> {
    let index = this.keyIndex.get(node);
    if (!index) {
      const { isPair } = yamlLib();
      index = new Map();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        const list = index.get(key);
        if (list) list.push(pair);
        else index.set(key, [pair]);
      }
      this.keyIndex.set(node, index);
    }
    return index;
  }

  /** Walks every mapping once; `path` is a stack, copied only for a finding. */
  private findDuplicates(node: unknown, path: (string | number)[]): void {
    const { isAlias, isMap, isPair, isSeq } = yamlLib();
    if (isAlias(node)) return;
    if (isMap(node)) {
      const seen = node.items.length > 1 ? new Map<string, number>() : undefined;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        const offset = pairOffset(pair);
        if (seen && offset !== undefined) {
          const first = seen.get(key);
          if (first !== undefined) {
            this.duplicates.push({ mapPath: [...path], key, position: this.at(offset), firstLine: this.at(first).line });
          } else {
            seen.set(key, offset);
          }
        }
        path.push(key);
        this.findDuplicates(pair.value, path);
        path.pop();
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        path.push(i);
        this.findDuplicates(node.items[i], path);
        path.pop();
      }
    }
  }
}

/** Where a pair starts: its key, else its value. */
function pairOffset(pair: Pair): number | undefined {
  return (pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0];
}

/** The key as `toJS` turns it into an object property name. */
function keyText(key: unknown): string {
  if (yamlLib().isScalar(key)) return key.value === null ? '' : String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}
