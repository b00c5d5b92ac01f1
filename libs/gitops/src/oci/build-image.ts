/**
 * Build an OCI image layout from a Dockerfile subset, without a daemon or a runtime: one gzip
 * layer per COPY, an image config carrying ENTRYPOINT/CMD/ENV/WORKDIR/…, a manifest and
 * `index.json`, every blob named by the sha256 of its bytes. Deterministic: files are sorted,
 * every mtime is `epoch` (default 0) and owners are root, so the same input gives the same
 * digest on any machine. The base image of FROM is recorded (annotation and label), not pulled.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { posix, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DockerfileError, parseDockerfile, type Instruction } from './dockerfile.js';
import { writeTar, type TarEntry } from './tar.js';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const BASE_NAME_ANNOTATION = 'org.opencontainers.image.base.name';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface BuildImageOptions {
  /** Directory COPY sources are relative to. */
  context: string;
  /** Dockerfile text; defaults to `<context>/Dockerfile`. */
  dockerfile?: string;
  dockerfileName?: string;
  /** Full reference, e.g. `registry.example.com/team/app:1a2b3c` (its tag becomes the ref name). */
  reference?: string;
  platform?: { os: string; architecture: string };
  /** Seconds since the epoch for every mtime and the `created` time (default 0). */
  epoch?: number;
}

export interface Blob {
  digest: string;
  mediaType: string;
  content: Buffer;
}

export interface BuiltImage {
  /** The manifest digest: the image's identity (`image@sha256:…`). */
  digest: string;
  manifest: Blob;
  config: Blob;
  layers: Blob[];
  /** Files of the OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`), sorted. */
  files: TarEntry[];
  /** The layout as one tar archive (`docker load`/`skopeo copy oci-archive:` read it). */
  archive: Buffer;
}

export function buildImage(opts: BuildImageOptions): BuiltImage {
  const context = resolve(opts.context);
  const name = opts.dockerfileName ?? 'Dockerfile';
  const text = opts.dockerfile ?? readFileSync(resolve(context, name), 'utf8');
  const instructions = parseDockerfile(text, name);
  const epoch = opts.epoch ?? 0;
  const created = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

  let base = 'scratch';
  let workdir = '/';
  let user: string | undefined;
  const env = new Map<string, string>();
  const labels = new Map<string, string>();
  const ports = new Set<string>();
  let entrypoint: string[] | undefined;
  let cmd: string[] | undefined;
  const layers: Blob[] = [];
  const diffIds: string[] = [];
  const history: { created: string; created_by: string; empty_layer?: true }[] = [];

  for (const ins of instructions) {
    switch (ins.op) {
      case 'FROM':
        base = ins.image;
        continue;
      case 'COPY': {
        const tar = writeTar(copyEntries(context, ins, workdir, name), epoch);
        const gz = gzipSync(tar, { level: 9 });
        layers.push({ digest: sha256(gz), mediaType: MEDIA.layer, content: gz });
        diffIds.push(sha256(tar));
        history.push({ created, created_by: ins.source });
        continue;
      }
      case 'ENTRYPOINT':
        entrypoint = ins.argv;
        cmd = undefined; // Docker resets CMD inherited before an ENTRYPOINT
        break;
      case 'CMD':
        cmd = ins.argv;
        break;
      case 'ENV':
        for (const [k, v] of ins.pairs) env.set(k, v);
        break;
      case 'LABEL':
        for (const [k, v] of ins.pairs) labels.set(k, v);
        break;
      case 'WORKDIR':
        workdir = posix.resolve(workdir, ins.value);
        break;
      case 'USER':
        user = ins.value;
        break;
      case 'EXPOSE':
        for (const p of ins.ports) ports.add(p.includes('/') ? p : `${p}/tcp`);
        break;
    }
    history.push({ created, created_by: ins.source, empty_layer: true });
  }
  if (base !== 'scratch') labels.set(BASE_NAME_ANNOTATION, base);

  const imageConfig: Record<string, unknown> = {};
  if (user !== undefined) imageConfig.User = user;
  if (ports.size > 0) imageConfig.ExposedPorts = Object.fromEntries([...ports].sort().map((p) => [p, {}]));
  if (env.size > 0) imageConfig.Env = [...env].map(([k, v]) => `${k}=${v}`);
  if (entrypoint) imageConfig.Entrypoint = entrypoint;
  if (cmd) imageConfig.Cmd = cmd;
  if (workdir !== '/') imageConfig.WorkingDir = workdir;
  if (labels.size > 0) imageConfig.Labels = Object.fromEntries([...labels].sort(([a], [b]) => a.localeCompare(b)));

  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = json(MEDIA.config, {
    created,
    architecture: platform.architecture,
    os: platform.os,
    config: imageConfig,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history,
  });
  const manifest = json(MEDIA.manifest, {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: descriptor(config),
    layers: layers.map(descriptor),
    ...(base === 'scratch' ? {} : { annotations: { [BASE_NAME_ANNOTATION]: base } }),
  });
  const refName = opts.reference === undefined ? undefined : tagOf(opts.reference);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        ...descriptor(manifest),
        ...(opts.reference === undefined ? {} : { annotations: { 'io.containerd.image.name': opts.reference, [REF_NAME_ANNOTATION]: refName } }),
      },
    ],
  };
  const blobs = new Map<string, Buffer>();
  for (const blob of [config, manifest, ...layers]) blobs.set(blob.digest, blob.content);
  const files: TarEntry[] = [
    { path: 'blobs/', type: 'dir', mode: 0o755 },
    { path: 'blobs/sha256/', type: 'dir', mode: 0o755 },
    ...[...blobs.keys()].sort().map((d): TarEntry => ({ path: `blobs/sha256/${d.slice(7)}`, type: 'file', mode: 0o644, content: blobs.get(d)! })),
    { path: 'index.json', type: 'file', mode: 0o644, content: Buffer.from(JSON.stringify(index)) },
    { path: 'oci-layout', type: 'file', mode: 0o644, content: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
  ];
  return { digest: manifest.digest, manifest, config, layers, files, archive: writeTar(files, epoch) };
}

/** The tar entries one COPY adds: parent directories of the destination, then the files. */
function copyEntries(context: string, ins: Extract<Instruction, { op: 'COPY' }>, workdir: string, file: string): TarEntry[] {
  const fail = (message: string): never => {
    throw new DockerfileError(`${file}:${ins.line}: ${message}`);
  };
  const destBase = posix.resolve(workdir, ins.dest);
  const intoDir = ins.dest.endsWith('/') || ins.sources.length > 1;
  const entries = new Map<string, TarEntry>();
  const addDirs = (dir: string) => {
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const path = `${parts.slice(0, i).join('/')}/`;
      if (!entries.has(path)) entries.set(path, { path, type: 'dir', mode: 0o755 });
    }
  };
  const addFile = (host: string, dest: string, hostMode: number) => {
    addDirs(posix.dirname(dest));
    const mode = ins.chmod ?? (hostMode & 0o111 ? 0o755 : 0o644);
    entries.set(dest.slice(1), { path: dest.slice(1), type: 'file', mode, content: readFileSync(host) });
  };
  const walk = (host: string, dest: string) => {
    addDirs(dest);
    for (const name of readdirSync(host).sort()) {
      const child = `${host}${sep}${name}`;
      const stat = lstatSync(child);
      if (stat.isDirectory()) walk(child, posix.join(dest, name));
      else if (stat.isFile()) addFile(child, posix.join(dest, name), stat.mode);
      else fail(`COPY ${posix.join(dest, name)}: only regular files and directories can be copied`);
    }
  };
  for (const source of ins.sources) {
    if (/[*?[]/.test(source)) fail(`COPY ${source}: wildcards are not supported`);
    const host = resolve(context, source);
    const rel = relative(context, host);
    if (rel.startsWith('..') || resolve(context, rel) !== host) fail(`COPY ${source}: outside the build context`);
    let stat;
    try {
      stat = lstatSync(host);
    } catch {
      return fail(`COPY ${source}: not found in the build context ${context}`);
    }
    if (stat.isDirectory()) walk(host, destBase);
    else if (stat.isFile()) addFile(host, intoDir ? posix.join(destBase, posix.basename(rel.split(sep).join('/'))) : destBase, stat.mode);
    else fail(`COPY ${source}: only regular files and directories can be copied`);
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function tagOf(reference: string): string {
  const name = reference.split('@')[0];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : 'latest';
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function json(mediaType: string, value: unknown): Blob {
  const content = Buffer.from(JSON.stringify(value));
  return { digest: sha256(content), mediaType, content };
}

function descriptor(blob: Blob): { mediaType: string; digest: string; size: number } {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.content.length };
}
