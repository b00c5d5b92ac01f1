/**
 * A deterministic POSIX tar writer (ustar, with PAX records for long names) and a reader for
 * the same format. Every entry has mtime 0 (or the given epoch), uid/gid 0 and no user names,
 * so equal contents always give equal bytes — and equal digests.
 */

export interface TarEntry {
  /** Relative path with `/` separators; directories may end with `/`. */
  path: string;
  type: 'file' | 'dir';
  mode: number;
  content?: Buffer;
}

const BLOCK = 512;

export function writeTar(entries: TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
    const content = entry.type === 'file' ? (entry.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const split = splitName(name);
    if (split === undefined) {
      const pax = paxRecords({ path: name });
      parts.push(header({ name: 'PaxHeader', mode: 0o644, size: pax.length, mtime, type: 'x' }), pad(pax));
    }
    parts.push(
      header({ name: split?.name ?? name.slice(-99), prefix: split?.prefix, mode: entry.mode, size: content.length, mtime, type: entry.type === 'dir' ? '5' : '0' }),
      pad(content),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Entries of a tar archive (regular files and directories; PAX paths honoured). */
export function readTar(archive: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    if (checksum(block) !== parseOctal(block.subarray(148, 156))) throw new Error(`tar: bad header checksum at offset ${offset}`);
    const size = parseOctal(block.subarray(124, 136));
    const type = String.fromCharCode(block[156] || 0x30);
    const prefix = cString(block.subarray(345, 500));
    const name = prefix ? `${prefix}/${cString(block.subarray(0, 100))}` : cString(block.subarray(0, 100));
    const data = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    const path = paxPath ?? name;
    paxPath = undefined;
    const mode = parseOctal(block.subarray(100, 108));
    if (type === '5') out.push({ path, type: 'dir', mode });
    else if (type === '0') out.push({ path, type: 'file', mode, content: Buffer.from(data) });
  }
  return out;
}

function header(h: { name: string; prefix?: string; mode: number; size: number; mtime: number; type: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  octal(block, 100, 8, h.mode & 0o7777);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, h.size);
  octal(block, 136, 12, h.mtime);
  block.write(h.type, 156, 1, 'latin1');
  block.write('ustar\u000000', 257, 8, 'latin1');
  octal(block, 329, 8, 0);
  octal(block, 337, 8, 0);
  if (h.prefix) block.write(h.prefix, 345, 155, 'utf8');
  const sum = checksum(block);
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

/** ustar keeps names up to 100 bytes, or 155 + 100 split at a `/`. */
function splitName(name: string): { name: string; prefix?: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name };
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { name: rest, prefix };
  }
  return undefined;
}

function paxRecords(records: Record<string, string>): Buffer {
  let text = '';
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
    text += `${length}${body}`;
  }
  return Buffer.from(text, 'utf8');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum;
}

function parseOctal(field: Buffer): number {
  const text = cString(field).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function cString(field: Buffer): string {
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}
