/**
 * `resource` templates against the API server (KubernetesObjectApi): get/create/apply/delete/
 * replace/patch, then wait for successCondition/failureCondition (Argo's label-selector-like
 * requirements on the object's fields: `status.phase == Succeeded,status.ready > 0`).
 */
import { type KubernetesObject, type KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { PodRequest, PodResult } from '@slipway/engine';
import { parse as parseYaml } from 'yaml';

type Obj = Record<string, unknown>;

function field(obj: unknown, path: string): unknown {
  const clean = path.replace(/^\{?\.?/, '').replace(/\}$/, '');
  let cur: unknown = obj;
  for (const part of clean.split('.').filter(Boolean)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Obj)[part];
  }
  return cur;
}

/** Split on commas outside parentheses (`a in (x, y), b > 1`). */
function requirements(condition: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of condition) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/**
 * Argo's label-selector-like requirements: `path op value` with `==`, `=`, `!=`, `<`, `>`, `<=`,
 * `>=`, `path in (a, b)`, `path notin (a, b)`. All comma-separated requirements must hold.
 */
export function conditionHolds(obj: unknown, condition: string): boolean {
  return requirements(condition).every((req) => {
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(req);
    if (set) {
      const got = field(obj, set[1]);
      const member = got !== undefined && set[3].split(',').map((v) => v.trim()).includes(String(got));
      return set[2] === 'in' ? member : !member;
    }
    const m = /^(\S+?)\s*(==|!=|<=|>=|=|<|>)\s*(.*)$/.exec(req);
    if (!m) return false;
    const [, path, op, raw] = m;
    const got = field(obj, path);
    if (got === undefined) return op === '!=';
    const want = raw.trim();
    if (op === '<' || op === '>' || op === '<=' || op === '>=') {
      const a = Number(got);
      const b = Number(want);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
      return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    }
    const equal = String(got) === want;
    return op === '!=' ? !equal : equal;
  });
}

const PATCH: Record<string, PatchStrategy> = {
  json: PatchStrategy.JsonPatch,
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run a resource template; never throws. `cancelled` stops the condition wait (kill). */
export async function runResource(
  api: KubernetesObjectApi,
  req: PodRequest,
  options: { pollMs: number; cancelled: () => string | undefined },
): Promise<PodResult> {
  const startedAt = Date.now();
  const done = (phase: PodResult['phase'], message?: string, outputParameters: Record<string, string | null> = {}): PodResult => ({
    nodeId: req.nodeId,
    phase,
    ...(message !== undefined ? { message } : {}),
    outputParameters,
    startedAt,
    finishedAt: Date.now(),
  });
  const r = req.template.resource;
  if (!r?.manifest) return done('Error', 'resource template without a manifest');
  try {
    const spec = parseYaml(r.manifest) as KubernetesObject;
    spec.metadata = { ...(spec.metadata ?? {}), namespace: spec.metadata?.namespace ?? req.workflow.namespace };
    let obj: KubernetesObject;
    switch (r.action) {
      case 'get':
        obj = await api.read(spec as KubernetesObject & { metadata: { name: string; namespace: string } });
        break;
      case 'create':
        obj = await api.create(spec);
        break;
      case 'apply':
        obj = await api.patch(spec, undefined, undefined, 'slipway', true, PatchStrategy.ServerSideApply);
        break;
      case 'replace': {
        const current = await api.read(spec as KubernetesObject & { metadata: { name: string; namespace: string } });
        obj = await api.replace({ ...spec, metadata: { ...spec.metadata, resourceVersion: current.metadata?.resourceVersion } });
        break;
      }
      case 'patch':
        obj = await api.patch(spec, undefined, undefined, 'slipway', undefined, PATCH[r.mergeStrategy ?? 'strategic'] ?? PatchStrategy.StrategicMergePatch);
        break;
      case 'delete':
        try {
          await api.delete(spec);
        } catch (error) {
          if ((error as { code?: number }).code !== 404 || !(r.flags ?? []).includes('--ignore-not-found')) throw error;
        }
        return done('Succeeded');
      default:
        return done('Error', `unknown resource action ${String(r.action)}`);
    }
    while (r.successCondition || r.failureCondition) {
      if (r.failureCondition && conditionHolds(obj, r.failureCondition)) return done('Failed', `failureCondition '${r.failureCondition}' matched`);
      if (!r.successCondition || conditionHolds(obj, r.successCondition)) break;
      const killed = options.cancelled();
      if (killed !== undefined) return done('Failed', killed);
      await sleep(options.pollMs);
      obj = await api.read(obj as KubernetesObject & { metadata: { name: string; namespace: string } });
    }
    const outputs: Record<string, string | null> = {};
    for (const p of req.template.outputs?.parameters ?? []) {
      const path = (p.valueFrom)?.jsonPath;
      if (path === undefined) continue;
      const v = field(obj, path);
      outputs[p.name] = v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
    }
    const name = obj.metadata?.name ?? '';
    const kind = (obj.kind ?? '').toLowerCase();
    return { ...done('Succeeded', undefined, outputs), result: `${kind}/${name}` };
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    const reason = typeof body === 'string' ? body : error instanceof Error ? error.message : String(error);
    return done('Error', `resource ${r.action}: ${reason}`);
  }
}
