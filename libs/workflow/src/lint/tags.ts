/** `{{…}}` tags in strings, found the way Argo's fasttemplate finds them (first `}}` closes). */
import type { Path } from './context.js';

export interface Tag {
  /** Content between the braces, trimmed (for `{{=expr}}` the expression, without `=`). */
  text: string;
  /** `{{=…}}`: an expr-lang expression rather than a variable name. */
  expression: boolean;
  /** Offset of `{{` in the string. */
  offset: number;
}

export function findTags(s: string): Tag[] {
  const tags: Tag[] = [];
  let from = 0;
  for (;;) {
    const open = s.indexOf('{{', from);
    if (open < 0) return tags;
    const close = s.indexOf('}}', open + 2);
    if (close < 0) return tags;
    const inner = s.slice(open + 2, close).trim();
    if (inner.startsWith('=')) tags.push({ text: inner.slice(1).trim(), expression: true, offset: open });
    else tags.push({ text: inner, expression: false, offset: open });
    from = close + 2;
  }
}

export function hasTag(s: string): boolean {
  return s.includes('{{');
}

/** Replace every tag by `replacement` (used before parsing a `when` or bare expression). */
export function replaceTags(s: string, replacement: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = s.indexOf('{{', from);
    const close = open < 0 ? -1 : s.indexOf('}}', open + 2);
    if (close < 0) return out + s.slice(from);
    out += s.slice(from, open) + replacement;
    from = close + 2;
  }
}

/** Call `fn` for every string value under `value` (not for mapping keys). */
export function forEachString(value: unknown, path: Path, fn: (s: string, path: Path) => void): void {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, [...path, i], fn));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) forEachString(v, [...path, k], fn);
  }
}
