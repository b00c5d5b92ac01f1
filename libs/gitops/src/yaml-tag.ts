/**
 * Set an image tag in a YAML file and change nothing else: the existing scalar's bytes are
 * replaced in the source text (same quoting where possible), so comments, key order,
 * indentation and blank lines stay exactly as they were. Only when the key is absent from an
 * existing entry is the document re-serialised by the `yaml` Document API (comments kept).
 */
import type { Document, Scalar } from 'yaml';
import { yamlLib } from './lazy-deps.js';

export type TagMode = 'kustomize' | 'helm' | 'key';

export interface TagEdit {
  mode: TagMode;
  /** Image name as the file knows it (kustomize `images[].name`). */
  image: string;
  tag: string;
  /** Dotted key path for `helm` (default `image.tag`) and `key` (required); numeric parts index lists. */
  key?: string;
}

export class TagEditError extends Error {}

/** The new file text; `changed` is false when the file already had this tag. */
export function setImageTag(text: string, file: string, edit: TagEdit): { text: string; changed: boolean } {
  const { isScalar, parseDocument, Scalar } = yamlLib();
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new TagEditError(`${file}: not valid YAML: ${doc.errors[0].message}`);
  const path = targetPath(doc, file, edit);
  const node = doc.getIn(path, true);
  if (isScalar(node)) {
    if (String(node.value) === edit.tag && typeof node.value === 'string') return { text, changed: false };
    if (node.range) {
      const [start, end] = node.range;
      return { text: text.slice(0, start) + scalarSource(edit.tag, node.type) + text.slice(end), changed: true };
    }
  } else if (node !== undefined && node !== null) {
    throw new TagEditError(`${file}: ${path.join('.')} is not a plain value`);
  }
  const created = new Scalar(edit.tag);
  if (needsQuotes(edit.tag)) created.type = 'QUOTE_DOUBLE';
  doc.setIn(path, created);
  return { text: doc.toString(), changed: true };
}

/** The key path of the tag, checking that its parent exists. */
function targetPath(doc: Document, file: string, edit: TagEdit): (string | number)[] {
  const { isMap, isSeq } = yamlLib();
  switch (edit.mode) {
    case 'kustomize': {
      const images = doc.get('images', true);
      if (!isSeq(images)) throw new TagEditError(`${file}: no "images" list (kustomize mode needs images[].name "${edit.image}")`);
      const index = images.items.findIndex(
        (item) => isMap(item) && (item.get('name') === edit.image || item.get('newName') === edit.image),
      );
      if (index < 0) throw new TagEditError(`${file}: key images[name=${edit.image}].newTag not found: no images entry named "${edit.image}"`);
      return ['images', index, 'newTag'];
    }
    case 'helm':
    case 'key': {
      const key = edit.key ?? (edit.mode === 'helm' ? 'image.tag' : undefined);
      if (key === undefined || key === '') throw new TagEditError(`${file}: mode "key" needs a key path`);
      const path = key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
      if (path.some((part) => part === '')) throw new TagEditError(`${file}: key "${key}" has an empty part`);
      const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
      const last = path[path.length - 1];
      const present = (isMap(parent) && typeof last === 'string' && parent.has(last)) || (isSeq(parent) && typeof last === 'number' && last < parent.items.length);
      if (!present) throw new TagEditError(`${file}: key "${key}" not found`);
      return path;
    }
    default:
      throw new TagEditError(`unknown mode "${String(edit.mode)}" (kustomize, helm or key)`);
  }
}

/** The tag written in the style of the scalar it replaces; quoted whenever plain would not read back as this string. */
function scalarSource(value: string, type: Scalar['type']): string {
  switch (type) {
    case 'QUOTE_SINGLE':
      return `'${value.replaceAll("'", "''")}'`;
    case 'PLAIN':
    case undefined:
      if (!needsQuotes(value)) return value;
      return JSON.stringify(value);
    case 'QUOTE_DOUBLE':
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
    default:
      return JSON.stringify(value);
  }
}

/** `1.10`, `true`, `null`, `0x1f`, `a: b`, `#x` … would not stay the same string as a plain scalar. */
function needsQuotes(value: string): boolean {
  if (value === '' || value.trim() !== value || /[\n:#{}[\],&*!|>'"%@`]/.test(value)) return true;
  try {
    return yamlLib().parse(value) !== value;
  } catch {
    return true;
  }
}
