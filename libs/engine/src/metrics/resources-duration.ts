/**
 * Argo's indicative resource duration of a pod node (docs: resource-duration; util/resource/duration.go):
 * per container, the requested (else limited, else 100m CPU / 100Mi memory) amount divided by
 * the base amount (1 CPU, 100Mi memory) times its run time, in whole seconds (rounded down).
 * Used for `{{resourcesDuration.cpu}}` / `{{resourcesDuration.memory}}` when the node has none.
 */
import type { Container, Template } from '@slipway/workflow';

const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** A Kubernetes quantity (`500m`, `2`, `128Mi`, `1G`) as a number; undefined when unparsable. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)\s*$/.exec(value);
  const factor = m ? SUFFIXES[m[2]] : undefined;
  return m && factor !== undefined ? Number(m[1]) * factor : undefined;
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

function amount(c: Container, name: 'cpu' | 'memory', fallback: number): number {
  const r = (c as Container & { resources?: Resources }).resources;
  return quantity(r?.requests?.[name]) ?? quantity(r?.limits?.[name]) ?? fallback;
}

/** `{cpu, memory}` seconds for a pod template that ran `seconds`; undefined for templates without containers. */
export function estimatedResourcesDuration(template: Template, seconds: number): { cpu: number; memory: number } | undefined {
  const containers: Container[] = [];
  if (template.container) containers.push(template.container);
  if (template.script) containers.push(template.script);
  for (const c of (template.containerSet as { containers?: Container[] } | undefined)?.containers ?? []) containers.push(c);
  if (containers.length === 0) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const c of containers) {
    cpu += amount(c, 'cpu', 0.1) * seconds;
    memory += (amount(c, 'memory', 100 * 1024 ** 2) / (100 * 1024 ** 2)) * seconds;
  }
  return { cpu: Math.floor(cpu), memory: Math.floor(memory) };
}
