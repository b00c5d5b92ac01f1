/**
 * The Dockerfile subset `slipway-image` builds without a container runtime: FROM (a base
 * reference that is recorded, not pulled), COPY, ENTRYPOINT, CMD, ENV, WORKDIR, LABEL, EXPOSE
 * and USER. RUN and everything else is an error naming the line: they need a runtime (use
 * Kaniko or BuildKit on the Kubernetes executor).
 */

export type Instruction =
  | { op: 'FROM'; line: number; image: string }
  | { op: 'COPY'; line: number; sources: string[]; dest: string; chmod?: number; source: string }
  | { op: 'ENTRYPOINT' | 'CMD'; line: number; argv: string[]; source: string }
  | { op: 'ENV' | 'LABEL'; line: number; pairs: [string, string][]; source: string }
  | { op: 'WORKDIR' | 'USER'; line: number; value: string; source: string }
  | { op: 'EXPOSE'; line: number; ports: string[]; source: string };

export class DockerfileError extends Error {}

export function parseDockerfile(text: string, file = 'Dockerfile'): Instruction[] {
  const out: Instruction[] = [];
  const fail = (line: number, message: string): never => {
    throw new DockerfileError(`${file}:${line}: ${message}`);
  };
  for (const { line, text: raw } of logicalLines(text)) {
    const match = /^(\S+)\s*(.*)$/s.exec(raw);
    if (!match) continue;
    const op = match[1].toUpperCase();
    const rest = match[2].trim();
    const source = `${op} ${rest}`;
    switch (op) {
      case 'FROM': {
        const words = rest.split(/\s+/).filter((w) => !w.startsWith('--'));
        if (words.length !== 1 || words[0] === '') fail(line, 'FROM takes one image reference (multi-stage builds are not supported)');
        out.push({ op, line, image: words[0] });
        break;
      }
      case 'COPY':
      case 'ADD': {
        if (op === 'ADD') fail(line, 'ADD is not supported; use COPY');
        const words = rest.startsWith('[') ? jsonArray(rest, line, fail) : rest.split(/\s+/);
        let chmod: number | undefined;
        const args: string[] = [];
        for (const w of words) {
          if (w.startsWith('--chmod=')) chmod = Number.parseInt(w.slice(8), 8);
          else if (w.startsWith('--chown=')) continue; // every file is owned by root in the layer
          else if (w.startsWith('--')) fail(line, `COPY option ${w.split('=')[0]} is not supported`);
          else args.push(w);
        }
        if (args.length < 2) fail(line, 'COPY needs at least one source and a destination');
        if (chmod !== undefined && Number.isNaN(chmod)) fail(line, 'COPY --chmod needs an octal mode');
        out.push({ op: 'COPY', line, sources: args.slice(0, -1), dest: args[args.length - 1], chmod, source });
        break;
      }
      case 'ENTRYPOINT':
      case 'CMD':
        out.push({ op, line, argv: rest.startsWith('[') ? jsonArray(rest, line, fail) : ['/bin/sh', '-c', rest], source });
        break;
      case 'ENV':
      case 'LABEL':
        out.push({ op, line, pairs: keyValues(rest, op, line, fail), source });
        break;
      case 'WORKDIR':
      case 'USER':
        if (rest === '') fail(line, `${op} needs a value`);
        out.push({ op, line, value: rest, source });
        break;
      case 'EXPOSE':
        out.push({ op, line, ports: rest.split(/\s+/).filter(Boolean), source });
        break;
      default:
        fail(line, `${op} is not supported by slipway-image (no container runtime here; supported: FROM COPY ENTRYPOINT CMD ENV WORKDIR LABEL EXPOSE USER)`);
    }
  }
  if (out[0]?.op !== 'FROM') throw new DockerfileError(`${file}: the first instruction must be FROM`);
  if (out.filter((i) => i.op === 'FROM').length > 1) throw new DockerfileError(`${file}: only one FROM is supported`);
  return out;
}

/** Lines joined at trailing backslashes, without comments and blank lines, with their first line number. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && current === undefined)) return;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    current = current ? { line: current.line, text: `${current.text} ${part}` } : { line: index + 1, text: part };
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

function jsonArray(text: string, line: number, fail: (line: number, message: string) => never): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(line, `not a JSON array of strings: ${text}`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return fail(line, `not a JSON array of strings: ${text}`);
  return value;
}

/** `K=V K2="v 2"` pairs, or the legacy `K V` form. */
function keyValues(text: string, op: string, line: number, fail: (line: number, message: string) => never): [string, string][] {
  if (!/^[^\s=]+=/.test(text)) {
    const m = /^(\S+)\s+(.*)$/s.exec(text);
    if (!m) return fail(line, `${op} needs KEY=VALUE`);
    return [[m[1], m[2]]];
  }
  const pairs: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  let consumed = '';
  for (const m of text.matchAll(re)) {
    let value = m[2];
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    pairs.push([m[1], value]);
    consumed += m[0];
  }
  if (consumed.replace(/\s/g, '').length !== text.replace(/\s/g, '').length) fail(line, `${op}: cannot read "${text}" as KEY=VALUE pairs`);
  return pairs;
}
