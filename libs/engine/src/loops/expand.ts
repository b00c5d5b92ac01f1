/** Loops: withItems, withParam and withSequence expansion with Argo's node names (steps.go expandStep, processItem). */
import { goJsonSyntaxError, goSprintf, type Item, type Sequence } from '@slipway/workflow';

export class LoopError extends Error {}

export interface LoopSource {
  withItems?: Item[];
  withParam?: string;
  withSequence?: Sequence;
}

export function isLoop(s: LoopSource): boolean {
  return (Array.isArray(s.withItems) && s.withItems.length > 0) || !!s.withParam || s.withSequence !== undefined;
}

/** The loop's items, after the loop fields were substituted. */
export function loopItems(s: LoopSource): Item[] {
  if (Array.isArray(s.withItems) && s.withItems.length > 0) return s.withItems;
  if (s.withParam) {
    // Go's json.Unmarshal into []Item: its syntax and type errors, and `null` as no items.
    const syntax = goJsonSyntaxError(s.withParam);
    const parsed: unknown = syntax === undefined ? JSON.parse(s.withParam) : undefined;
    const problem = syntax ?? (parsed === null || Array.isArray(parsed) ? undefined : `json: cannot unmarshal ${jsonKind(parsed)} into Go value of type []v1alpha1.Item`);
    if (problem !== undefined) throw new LoopError(`withParam value could not be parsed as a JSON list: ${s.withParam.trim()}: ${problem}`);
    return (parsed ?? []) as Item[];
  }
  if (s.withSequence) return sequenceItems(s.withSequence);
  return [];
}

function jsonKind(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

function toInt(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : Number.parseInt(String(value).trim(), 10);
  if (!Number.isInteger(n) || (typeof value === 'string' && !/^\s*[-+]?\d+\s*$/.test(value))) {
    throw new LoopError(`withSequence.${field}: ${JSON.stringify(value)} is not an integer`);
  }
  return n;
}

export function sequenceItems(seq: Sequence): string[] {
  const start = seq.start !== undefined && seq.start !== '' ? toInt(seq.start, 'start') : 0;
  let end: number;
  if (seq.end !== undefined && seq.end !== '') end = toInt(seq.end, 'end');
  else if (seq.count !== undefined && seq.count !== '') {
    const count = toInt(seq.count, 'count');
    if (count === 0) return [];
    end = start + count - 1;
  } else throw new LoopError('withSequence: neither end nor count was specified');
  const format = seq.format || '%d';
  const out: string[] = [];
  if (start <= end) for (let i = start; i <= end; i++) out.push(goSprintf(format, i));
  else for (let i = start; i >= end; i--) out.push(goSprintf(format, i));
  return out;
}

/** Go's `%v` of an item, as used in node names. */
function goValue(item: Item): string {
  if (item === null) return '<nil>';
  if (typeof item === 'string') return item;
  if (typeof item === 'number' || typeof item === 'boolean') return String(item);
  if (Array.isArray(item)) return `[${item.map(goValue).join(' ')}]`;
  return goJson(item);
}

/** JSON with map keys sorted, as Go's encoding/json writes maps. */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface LoopItem {
  /** `name(i:desc)` */
  name: string;
  /** `item` and `item.KEY` variables. */
  vars: Map<string, string>;
}

export function loopItem(baseName: string, index: number, item: Item): LoopItem {
  const vars = new Map<string, string>();
  let desc: string;
  if (item === null || typeof item !== 'object') {
    const v = item === null ? '' : String(item);
    vars.set('item', v);
    desc = goValue(item);
  } else if (Array.isArray(item)) {
    vars.set('item', goJson(item));
    desc = goValue(item);
  } else {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(item)) {
      const text = v !== null && typeof v === 'object' ? goJson(v) : v === null ? '<nil>' : String(v);
      vars.set(`item.${k}`, text);
      parts.push(`${k}:${text}`);
    }
    vars.set('item', goJson(item));
    parts.sort();
    desc = parts.join(',');
  }
  const clean = desc.replace(/[()]/g, '');
  return { name: `${baseName}(${index}:${clean})`, vars };
}
