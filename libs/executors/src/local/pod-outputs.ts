/**
 * After the containers exit: read output parameter files and keep output artifacts, from the
 * host side of the sandbox (the pod's /tmp, a volume, or a private writable directory).
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import type { PodRequest } from '@slipway/engine';
import type { PodLayout } from './pod-layout.js';

export function missingParameters(req: PodRequest): Record<string, string | null> {
  return Object.fromEntries(req.outputParameterPaths.map((p) => [p.name, null]));
}

/** Each file's content, or null when it is missing (or not a readable file). */
export async function readOutputParameters(
  req: PodRequest,
  layout: PodLayout,
): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    req.outputParameterPaths.map(async ({ name, path }): Promise<[string, string | null]> => {
      const host = layout.hostPathOf(path);
      if (host === undefined) return [name, null];
      try {
        return [name, await readFile(host, 'utf8')];
      } catch {
        return [name, null];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Copy each output artifact (file or directory) to `artifacts/<nodeId>/<name>`. A missing one is
 * skipped: consuming artifacts (and failing on missing non-optional ones) is the engine's call.
 */
export async function keepOutputArtifacts(req: PodRequest, layout: PodLayout): Promise<void> {
  if (req.outputArtifactPaths.length === 0) return;
  await mkdir(layout.dirs.artifactsDir, { recursive: true });
  await Promise.all(
    req.outputArtifactPaths.map(async ({ name, path }) => {
      const host = layout.hostPathOf(path);
      if (host === undefined) return;
      await cp(host, `${layout.dirs.artifactsDir}/${name}`, { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}
