/**
 * Slipway's extensions of a WorkflowEventBinding, under `spec.slipway` (documented in the
 * package README). Read and validated here, with errors that name the field.
 */
import type { WorkflowEventBinding } from '@slipway/workflow';

export interface SlipwayBindingExtensions {
  /** Name of a registered webhook hook: only deliveries authenticated by its secret match. */
  hook?: string;
  /** Globs over the branch (push) or the target branch (merge/pull request); `!glob` excludes. */
  branches?: string[];
  /** Globs over the tag name (tag pushes). */
  tags?: string[];
  /** Globs over the changed paths: at least one must match (`!glob` excludes). */
  paths?: string[];
  /** Runs with the same key form a group; `cancelInProgress` stops the older runs when a newer one starts. */
  concurrency?: { key: string; cancelInProgress: boolean };
  /** Who gets the failure e-mail of a run this binding started. */
  alerts?: { to: string[] };
  /** Per-parameter overrides of the injection-safety pattern (a regular expression the whole value must match). */
  parameters?: Record<string, { safePattern: string }>;
}

export interface FieldError {
  /** Field path from the document root, e.g. `['spec', 'slipway', 'branches', 0]`. */
  path: (string | number)[];
  message: string;
}

const ROOT = ['spec', 'slipway'];
const KNOWN = new Set(['hook', 'branches', 'tags', 'paths', 'concurrency', 'alerts', 'parameters']);
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export function readExtensions(binding: Pick<WorkflowEventBinding, 'spec'>): { value: SlipwayBindingExtensions; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const value: SlipwayBindingExtensions = {};
  const raw = (binding.spec as Record<string, unknown> | undefined)?.slipway;
  if (raw === undefined || raw === null) return { value, errors };
  const fail = (path: (string | number)[], message: string): void => void errors.push({ path: [...ROOT, ...path], message });
  if (!isObject(raw)) {
    fail([], 'must be an object');
    return { value, errors };
  }
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) fail([key], `unknown field "${key}" (known: ${[...KNOWN].join(', ')})`);

  if (raw.hook !== undefined) {
    if (typeof raw.hook === 'string' && raw.hook.trim() !== '') value.hook = raw.hook;
    else fail(['hook'], 'must be the name of a registered webhook hook');
  }
  for (const field of ['branches', 'tags', 'paths'] as const) {
    if (raw[field] === undefined) continue;
    const list = stringList(raw[field], [field], fail);
    if (list) value[field] = list;
  }
  if (raw.concurrency !== undefined) readConcurrency(raw.concurrency, value, fail);
  if (raw.alerts !== undefined) readAlerts(raw.alerts, value, fail);
  if (raw.parameters !== undefined) readParameters(raw.parameters, value, fail);
  return { value, errors };
}

type Fail = (path: (string | number)[], message: string) => void;

function readConcurrency(raw: unknown, value: SlipwayBindingExtensions, fail: Fail): void {
  if (!isObject(raw)) return fail(['concurrency'], 'must be an object with key and cancelInProgress');
  for (const k of Object.keys(raw)) if (k !== 'key' && k !== 'cancelInProgress') fail(['concurrency', k], `unknown field "${k}"`);
  if (typeof raw.key !== 'string' || raw.key.trim() === '') return fail(['concurrency', 'key'], 'is required, e.g. "{{payload.project.path_with_namespace}}/{{payload.ref}}"');
  if (!/\{\{.+?\}\}/.test(raw.key)) fail(['concurrency', 'key'], 'must use the event, e.g. "{{payload.ref}}" (a constant key would group every run together)');
  if (raw.cancelInProgress !== undefined && typeof raw.cancelInProgress !== 'boolean') fail(['concurrency', 'cancelInProgress'], 'must be true or false');
  value.concurrency = { key: raw.key, cancelInProgress: raw.cancelInProgress === true };
}

function readAlerts(raw: unknown, value: SlipwayBindingExtensions, fail: Fail): void {
  if (!isObject(raw)) return fail(['alerts'], 'must be an object with to: [addresses]');
  for (const k of Object.keys(raw)) if (k !== 'to') fail(['alerts', k], `unknown field "${k}"`);
  const to = stringList(raw.to, ['alerts', 'to'], fail);
  if (!to) return;
  to.forEach((addr, i) => {
    if (!EMAIL.test(addr)) fail(['alerts', 'to', i], `"${addr}" is not an e-mail address`);
  });
  value.alerts = { to };
}

function readParameters(raw: unknown, value: SlipwayBindingExtensions, fail: Fail): void {
  if (!isObject(raw)) return fail(['parameters'], 'must map parameter names to {safePattern}');
  const out: Record<string, { safePattern: string }> = {};
  for (const [name, spec] of Object.entries(raw)) {
    if (!isObject(spec) || typeof spec.safePattern !== 'string' || spec.safePattern === '') {
      fail(['parameters', name, 'safePattern'], 'is required: a regular expression the whole value must match');
      continue;
    }
    for (const k of Object.keys(spec)) if (k !== 'safePattern') fail(['parameters', name, k], `unknown field "${k}"`);
    try {
      new RegExp(spec.safePattern, 'u');
    } catch (err) {
      fail(['parameters', name, 'safePattern'], `invalid regular expression: ${(err as Error).message}`);
      continue;
    }
    out[name] = { safePattern: spec.safePattern };
  }
  value.parameters = out;
}

function stringList(raw: unknown, path: (string | number)[], fail: Fail): string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    fail(path, 'must be a non-empty list of strings');
    return undefined;
  }
  let ok = true;
  raw.forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      fail([...path, i], 'must be a non-empty string');
      ok = false;
    }
  });
  return ok ? (raw as string[]) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
