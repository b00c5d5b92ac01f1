/**
 * The bubblewrap command line for one container.
 *
 * Layout: the sandbox root is bwrap's own tmpfs (or, when a pod writes files directly under `/`,
 * a per-pod host directory). Every top-level entry of the host root is ro-bound into it (symlinks
 * such as /bin → usr/bin are recreated), except /proc and /dev (fresh ones) and /tmp (the pod's).
 * A mount whose destination does not exist on the host needs a mountpoint, which cannot be made
 * inside a read-only bind: so each host directory on its path is "split" — it becomes a plain
 * directory in the root and its host children are ro-bound one by one, except the one that leads
 * to the mount. Destinations that already exist on the host are simply mounted over.
 */
import { readdirSync, readlinkSync, statSync, type Dirent } from 'node:fs';

export interface BindMount {
  /** Host path. */
  src: string;
  /** Absolute path inside the sandbox. */
  dest: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  binds: BindMount[];
  /** Symlinks to create inside the sandbox: [target, path] (not with `rootDir`: use binds). */
  symlinks?: [string, string][];
  /** Directories to create inside the sandbox after the mounts. */
  dirs?: string[];
  /** Host paths to hide behind an empty tmpfs (the executor's own state directory). */
  hide?: string[];
  /** Host directory to use as the sandbox root instead of a throw-away tmpfs. */
  rootDir?: string;
  cwd: string;
  argv: string[];
}

export type EntryKind = 'dir' | 'file' | 'symlink';
export interface HostEntry {
  name: string;
  kind: EntryKind;
  target?: string;
}

/** Top-level entries the sandbox provides itself, or that nobody needs. */
const NOT_MIRRORED = new Set(['proc', 'dev', 'tmp', 'lost+found']);

function listDir(path: string): HostEntry[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.map((e) => {
    if (e.isSymbolicLink()) {
      let target: string | undefined;
      try {
        target = readlinkSync(`${path === '/' ? '' : path}/${e.name}`);
      } catch {
        target = undefined;
      }
      return { name: e.name, kind: 'symlink', target };
    }
    return { name: e.name, kind: e.isDirectory() ? 'dir' : 'file' };
  });
}

let rootListing: HostEntry[] | undefined;
/** The host root's entries, read once per process (new top-level entries later are not seen). */
export function hostRoot(): HostEntry[] {
  rootListing ??= listDir('/').filter((e) => !NOT_MIRRORED.has(e.name));
  return rootListing;
}

function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Is `path` equal to `prefix` or below it? Both absolute and normalised. */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || prefix === '/' || path.startsWith(`${prefix}/`);
}

/** Resolve a leading top-level symlink (e.g. /bin/x → /usr/bin/x) so paths compare as the kernel sees them. */
export function canonicalTop(path: string): string {
  const [top, ...rest] = path.split('/').filter(Boolean);
  if (top === undefined) return '/';
  const entry = hostRoot().find((e) => e.name === top);
  if (entry?.kind !== 'symlink' || entry.target === undefined) return path;
  const target = entry.target.startsWith('/') ? entry.target : `/${entry.target}`;
  return [target.replace(/\/+$/, ''), ...rest].join('/');
}

/**
 * Host directories that must become plain directories in the sandbox root so that `dests` can
 * get mountpoints. `covered` are destinations provided by other mounts (their own directories
 * host the nested mountpoints, so nothing above them needs splitting).
 */
function dirsToSplit(dests: string[]): Set<string> {
  const split = new Set<string>();
  const roots = new Set(hostRoot().map((e) => e.name));
  for (const dest of dests) {
    const parts = dest.split('/').filter(Boolean);
    if (parts.length < 2 || !roots.has(parts[0])) continue;
    if (dests.some((other) => other !== dest && isUnder(dest, other))) continue;
    if (pathExists(dest)) continue;
    let depth = parts.length - 1;
    while (depth > 1 && !pathExists(`/${parts.slice(0, depth).join('/')}`)) depth--;
    for (let i = 1; i <= depth; i++) split.add(`/${parts.slice(0, i).join('/')}`);
  }
  return split;
}

/**
 * ro-binds (and symlinks) that mirror the host root, splitting where mounts need it.
 * With a host directory as root, the containers of a pod share it and bwrap refuses to make a
 * symlink that already exists, so symlinks are bound (to what they point at) instead.
 */
function mirrorHost(dests: Set<string>, split: Set<string>, linksAsBinds: boolean, out: string[]): void {
  const emit = (path: string, entry: HostEntry): void => {
    if (dests.has(path)) return; // replaced by a mount
    if (entry.kind === 'symlink' && !linksAsBinds) {
      if (entry.target !== undefined) out.push('--symlink', entry.target, path);
      return;
    }
    if (entry.kind === 'dir' && split.has(path)) {
      out.push('--dir', path);
      for (const child of listDir(path)) emit(`${path}/${child.name}`, child);
      return;
    }
    out.push('--ro-bind', path, path);
  };
  for (const entry of hostRoot()) emit(`/${entry.name}`, entry);
}

const depth = (path: string): number => path.split('/').filter(Boolean).length;

/** The full `bwrap` argument list (without the program name). */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const binds = [...spec.binds].sort((a, b) => depth(a.dest) - depth(b.dest));
  const dests = binds.map((b) => b.dest);
  const args: string[] = [];
  if (spec.rootDir !== undefined) args.push('--bind', spec.rootDir, '/');
  mirrorHost(new Set(dests), dirsToSplit(dests), spec.rootDir !== undefined, args);
  args.push('--dev', '/dev', '--proc', '/proc');
  for (const hidden of spec.hide ?? []) {
    if (!dests.some((d) => isUnder(hidden, d))) args.push('--tmpfs', hidden);
  }
  for (const b of binds) args.push(b.readOnly ? '--ro-bind' : '--bind', b.src, b.dest);
  for (const dir of spec.dirs ?? []) args.push('--dir', dir);
  for (const [target, path] of spec.symlinks ?? []) args.push('--symlink', target, path);
  args.push('--unshare-pid', '--die-with-parent', '--chdir', spec.cwd, '--', ...spec.argv);
  return args;
}
