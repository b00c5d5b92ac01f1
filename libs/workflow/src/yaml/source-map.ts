/**
 * Field positions of one YAML document: the position of each mapping key and each sequence item,
 * keyed by field path, plus duplicate-key findings (go-yaml rejects those in strict mode).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { formatPath, type FieldPath, type SourcePosition } from './diagnostic.js';

export interface DuplicateKey {
  /** Path of the mapping holding the key. */
  mapPath: (string | number)[];
  key: string;
  position: SourcePosition;
  firstLine: number;
}

export class SourceMap {
  private readonly positions = new Map<string, SourcePosition>();
  readonly duplicates: DuplicateKey[] = [];
  private readonly lines: LineCounter;
  private readonly root: SourcePosition;

  constructor(root: Node | null, lines: LineCounter) {
    this.lines = lines;
    this.root = root?.range ? this.at(root.range[0]) : { line: 1, col: 1 };
    if (root) this.visit(root, []);
  }

  /** Position of `path`, or of its nearest ancestor that has one. */
  position(path: FieldPath): SourcePosition {
    for (let n = path.length; n > 0; n--) {
      const hit = this.positions.get(formatPath(path.slice(0, n)));
      if (hit) return hit;
    }
    return this.root;
  }

  private at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  private visit(node: unknown, path: (string | number)[]): void {
    if (isAlias(node)) return;
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        const keyNode = pair.key as Node | null;
        const offset = keyNode?.range?.[0] ?? (pair.value as Node | null)?.range?.[0];
        const childPath = [...path, key];
        if (offset !== undefined) {
          const pos = this.at(offset);
          const first = seen.get(key);
          if (first !== undefined) {
            this.duplicates.push({ mapPath: path, key, position: pos, firstLine: first });
          } else {
            seen.set(key, pos.line);
          }
          this.positions.set(formatPath(childPath), pos);
        }
        this.visit(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const offset = (item as Node | null)?.range?.[0];
        if (offset !== undefined) this.positions.set(formatPath([...path, i]), this.at(offset));
        this.visit(item, [...path, i]);
      });
    }
  }
}

/** The key as `toJS` turns it into an object property name. */
function keyText(key: unknown): string {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}
