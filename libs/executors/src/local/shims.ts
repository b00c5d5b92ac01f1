/**
 * Images are never pulled: a container runs host tools, helped by a few shims (see SHIMS.md).
 * This file knows each supported image's ENTRYPOINT and CMD and turns a container into argv
 * the way Kubernetes does: `command` replaces ENTRYPOINT, `args` replace CMD.
 */
import { fileURLToPath } from 'node:url';
import type { Container } from '@slipway/workflow';

/** The shipped assets (argosay, bin/ shims); the same relative place from src/ and dist/. */
export const ASSETS_DIR = fileURLToPath(new URL('../../assets', import.meta.url));
/** Where the assets appear inside the sandbox. */
export const SANDBOX_ASSETS_DIR = '/argo/assets';
/** Where Argo stages a script template's source inside the pod. */
export const SANDBOX_SCRIPT_PATH = '/argo/staging/script';
/** The per-pod working directory inside the sandbox, used when a container sets no workingDir. */
export const SANDBOX_WORK_DIR = '/argo/work';

interface ImageDefaults {
  entrypoint: string[];
  cmd: string[];
}

/** Default ENTRYPOINT/CMD of the images we can stand in for, keyed by repository. */
function imageDefaults(image: string): ImageDefaults | undefined {
  const { repository, tag } = parseImage(image);
  switch (repository) {
    case 'argoproj/argosay':
      return tag === 'v1' ? { entrypoint: [], cmd: ['cowsay'] } : { entrypoint: ['/argosay'], cmd: [] };
    case 'docker/whalesay':
      return { entrypoint: [], cmd: ['cowsay'] };
    case 'busybox':
    case 'alpine':
      return { entrypoint: [], cmd: ['sh'] };
    case 'ubuntu':
    case 'debian':
    case 'bash':
      return { entrypoint: [], cmd: ['bash'] };
    case 'python':
      return { entrypoint: [], cmd: ['python3'] };
    default:
      return undefined;
  }
}

/** `docker.io/library/python:3.12-slim@sha256:…` → repository `python`, tag `3.12-slim`. */
export function parseImage(image: string): { repository: string; tag: string } {
  let name = image.split('@')[0];
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  let tag = 'latest';
  if (colon > lastSlash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  const parts = name.split('/');
  // A first part with a dot or a port is a registry host (docker.io, ghcr.io, localhost:5000).
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) parts.shift();
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return { repository: parts.join('/'), tag };
}

/**
 * The argv a container runs. Script templates get the script path appended to `args`, as Argo
 * does (`[python]` + source runs `python /argo/staging/script`).
 */
export function containerArgv(
  container: Container,
  scriptPath: string | undefined,
): { argv: string[] } | { error: string } {
  const name = container.name ?? 'main';
  const args = [...(container.args ?? []), ...(scriptPath === undefined ? [] : [scriptPath])];
  if (container.command && container.command.length > 0) return { argv: [...container.command, ...args] };
  const defaults = container.image ? imageDefaults(container.image) : undefined;
  if (!defaults) {
    return {
      error: `container "${name}": image "${container.image ?? ''}" has no command and no local entrypoint shim; give the template a command`,
    };
  }
  const argv = [...defaults.entrypoint, ...(args.length > 0 ? args : defaults.cmd)];
  if (argv.length === 0) return { error: `container "${name}": nothing to run for image "${container.image ?? ''}"` };
  return { argv };
}
