/** Defensive reads from an untrusted JSON payload: wrong types read as absent. */

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj).filter((v): v is Json => v !== undefined) : [];
}

/** `refs/heads/x` → {branch: x}; `refs/tags/v1` → {tag: v1}. */
export function splitRef(ref: string | undefined): { branch?: string; tag?: string } {
  if (ref?.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref?.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}
