/** Pod nodes: container, script, containerSet and resource templates (one executor pod each). */
import { isFulfilled, parseDuration, podName, type Container, type NodeStatus, type Template, type Volume } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { PodRequest, ResolvedVolume } from '../contract/actions.js';
import type { PodResult } from '../contract/events.js';
import { createNode, type InvokeRequest } from './invoke.js';
import { rfc3339 } from '../state/time.js';

export function startPodNode(ctx: EngineContext, req: InvokeRequest, tmpl: Template, _innerScope: string): NodeStatus {
  const node = createNode(ctx, req, 'Pod', 'Pending', tmpl);
  const rt = ctx.store.rt(node.id);
  rt.template = tmpl;
  if (tmpl.daemon) rt.daemon = true;
  if (ctx.shutdown === 'Terminate' || (ctx.shutdown === 'Stop' && !req.onExitTree)) {
    ctx.store.setPhase(node.id, 'Failed', `Stopped with strategy '${ctx.shutdown}'`);
    return node;
  }
  const timeout = tmpl.timeout;
  if (timeout) {
    try {
      const ms = parseDuration(timeout);
      rt.deadlineMs = ctx.now() + ms;
      ctx.emit({ type: 'WakeAt', key: `deadline:${node.id}`, at: rt.deadlineMs });
    } catch {
      ctx.store.setPhase(node.id, 'Error', `invalid timeout format "${timeout}"`);
      return node;
    }
  }
  const pod = buildPodRequest(ctx, node, tmpl);
  rt.podStarted = true;
  ctx.emit({ type: 'StartPod', pod });
  return node;
}

function buildPodRequest(ctx: EngineContext, node: NodeStatus, tmpl: Template): PodRequest {
  const wf = ctx.workflow.metadata;
  let containers: Container[];
  let scriptSource: string | undefined;
  if (tmpl.script) {
    const { source, ...container } = tmpl.script;
    containers = [{ ...container, name: container.name ?? 'main' }];
    scriptSource = source;
  } else if (tmpl.container) {
    containers = [{ ...tmpl.container, name: tmpl.container.name ?? 'main' }];
  } else if (tmpl.containerSet) {
    containers = tmpl.containerSet.containers.map((c) => ({ ...c }));
  } else {
    containers = [];
  }
  return {
    workflow: { name: wf.name ?? '', namespace: wf.namespace ?? 'default', uid: wf.uid ?? '' },
    nodeId: node.id,
    nodeName: node.name,
    podName: podName(ctx.store.workflowName, node.name, tmpl.name),
    templateName: tmpl.name,
    template: tmpl,
    containers,
    scriptSource,
    initContainers: tmpl.initContainers ?? [],
    sidecars: tmpl.sidecars ?? [],
    volumes: podVolumes(ctx, tmpl),
    extraVolumeMounts: tmpl.containerSet?.volumeMounts,
    captureResult: tmpl.script !== undefined || resultReferenced(ctx, node),
    outputParameterPaths: (tmpl.outputs?.parameters ?? [])
      .filter((p) => p.valueFrom?.path)
      .map((p) => ({ name: p.name, path: p.valueFrom!.path! })),
    outputArtifactPaths: (tmpl.outputs?.artifacts ?? []).filter((a) => a.path).map((a) => ({ name: a.name, path: a.path! })),
    inputArtifacts: (tmpl.inputs?.artifacts ?? [])
      .filter((a) => a.path && (a.raw || a.git))
      .map((a) => ({ name: a.name, path: a.path!, raw: a.raw?.data, git: a.git, mode: a.mode })),
    env: {},
    daemon: tmpl.daemon === true,
  };
}

function podVolumes(ctx: EngineContext, tmpl: Template): ResolvedVolume[] {
  const out: ResolvedVolume[] = [];
  const add = (v: Volume) => {
    if (out.some((o) => o.name === v.name)) return;
    const lifetime = v.persistentVolumeClaim ? 'workflow' : 'pod';
    out.push({ name: v.name, lifetime, source: v });
  };
  for (const v of tmpl.volumes ?? []) add(v);
  for (const v of ctx.spec.volumes ?? []) add(v);
  for (const claim of ctx.spec.volumeClaimTemplates ?? []) {
    const name = claim.metadata.name ?? '';
    if (!out.some((o) => o.name === name)) {
      out.push({ name, lifetime: 'workflow', source: { name, persistentVolumeClaim: { claimName: name } } });
    }
  }
  return out;
}

/**
 * Container stdout becomes `outputs.result` only when the template that called it refers to
 * `steps.NAME.outputs.result` / `tasks.NAME.outputs.result` (Argo's hasOutputResultRef).
 */
function resultReferenced(ctx: EngineContext, node: NodeStatus): boolean {
  const boundary = node.boundaryID ? ctx.store.rt(node.boundaryID).template : undefined;
  if (!boundary) return false;
  const name = stepOrTaskName(node.name);
  const refs = resultRefs(boundary);
  if (refs.dotted.has(name)) return true;
  if (refs.json !== undefined) {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`${refs.prefix}\\[\\\\?['"]${esc}\\\\?['"]\\]\\.outputs.result`).test(refs.json)) return true;
  }
  return false;
}

interface ResultRefs {
  prefix: string;
  /** Names N with `PREFIX.N.outputs.result` in the template (N has no dot, like stepOrTaskName's). */
  dotted: Set<string>;
  /** The template's JSON, kept only when it has a `PREFIX[` subscript to match per name. */
  json?: string;
}

/** One scan per boundary template, so each pod costs O(1) here instead of O(template size). */
const resultRefsCache = new WeakMap<Template, ResultRefs>();

function resultRefs(boundary: Template): ResultRefs {
  let refs = resultRefsCache.get(boundary);
  if (refs) return refs;
  const prefix = boundary.dag ? 'tasks' : boundary.steps ? 'steps' : '';
  const json = JSON.stringify(boundary);
  const dotted = new Set<string>();
  const marker = '.outputs.result';
  for (let q = json.indexOf(marker); q >= 0; q = json.indexOf(marker, q + 1)) {
    const dot = json.lastIndexOf('.', q - 1);
    if (dot >= prefix.length && json.slice(dot - prefix.length, dot) === prefix) dotted.add(json.slice(dot + 1, q));
  }
  refs = { prefix, dotted, json: json.includes(`${prefix}[`) ? json : undefined };
  resultRefsCache.set(boundary, refs);
  return refs;
}

/** `W[0].fanout(0:1)(0)` → `fanout` (Argo's getStepOrDAGTaskName). */
export function stepOrTaskName(nodeName: string): string {
  let opener = '';
  let end = nodeName.length;
  for (let i = nodeName.length - 1; i >= 0; i--) {
    const c = nodeName[i];
    if (opener) {
      if (c === opener) opener = '';
      continue;
    }
    if (c === ')') opener = '(';
    else if (c === ']') opener = '[';
    else {
      end = i + 1;
      break;
    }
  }
  const trimmed = nodeName.slice(0, end);
  const dot = trimmed.lastIndexOf('.');
  return dot >= 0 ? trimmed.slice(dot + 1) : trimmed;
}

/** Apply a finished pod's result to its node. */
export function finishPod(ctx: EngineContext, result: PodResult): void {
  const node = ctx.store.get(result.nodeId);
  if (!node || node.type !== 'Pod') return;
  const rt = ctx.store.rt(node.id);
  if (node.phase === 'Pending' || node.phase === 'Running') {
    if (!node.startedAt) node.startedAt = rfc3339(result.startedAt);
  }
  const tmpl = rt.template;
  const outputs: NonNullable<NodeStatus['outputs']> = {};
  let phase = result.phase;
  let message = result.message;
  const params: NonNullable<NodeStatus['outputs']>['parameters'] = [];
  for (const p of tmpl?.outputs?.parameters ?? []) {
    let value: string | undefined;
    if (p.valueFrom?.path !== undefined) {
      const raw = result.outputParameters[p.name];
      // Argo's executor trims one trailing newline off the file (or the default) for convenience.
      if (raw !== null && raw !== undefined) value = trimNewline(raw);
      else if (p.valueFrom.default !== undefined) value = trimNewline(String(p.valueFrom.default));
      else if (phase === 'Succeeded') {
        phase = 'Error';
        message = `failed to read output parameter "${p.name}": ${p.valueFrom.path}: no such file or directory`;
      }
    } else if (p.valueFrom?.default !== undefined) {
      value = String(p.valueFrom.default);
    } else if (p.value !== undefined) {
      value = String(p.value);
    }
    const entry: { name: string; value?: string; valueFrom?: unknown; globalName?: string } = { name: p.name };
    if (value !== undefined) entry.value = value;
    if (p.valueFrom) entry.valueFrom = p.valueFrom;
    if (p.globalName) entry.globalName = p.globalName;
    params.push(entry);
    if (p.globalName && value !== undefined) ctx.globals.exportParameter(p.globalName, value);
  }
  if (params.length > 0) outputs.parameters = params;
  if (result.result !== undefined) outputs.result = result.result;
  if (result.exitCode !== undefined) outputs.exitCode = String(result.exitCode);
  if (tmpl?.outputs?.artifacts?.length) outputs.artifacts = tmpl.outputs.artifacts.map((a) => ({ name: a.name, path: a.path }));
  if (Object.keys(outputs).length > 0) node.outputs = outputs;
  for (const c of result.containers ?? []) {
    if (!tmpl?.containerSet) break;
    const childName = `${node.name}.${c.name}`;
    // Argo words a container node's failure "NAME: REASON (exit code N): TERMINATION-MESSAGE".
    const message = c.exitCode !== undefined && c.exitCode !== 0 ? `${c.name}: Error (exit code ${c.exitCode}): ` : c.message;
    const child = ctx.store.create(
      { name: childName, type: 'Container', phase: c.phase, boundaryID: node.id, templateName: node.templateName, message },
      { owner: node.id },
    );
    child.startedAt = rfc3339(c.startedAt);
    child.finishedAt = rfc3339(c.finishedAt);
    if (c.exitCode !== undefined) child.outputs = { exitCode: String(c.exitCode) };
  }
  // The containers form the pod's graph: roots under the pod, the others under their dependencies.
  for (const c of tmpl?.containerSet && result.containers ? tmpl.containerSet.containers ?? [] : []) {
    const deps = c.dependencies ?? [];
    for (const parent of deps.length > 0 ? deps.map((d) => `${node.name}.${d}`) : [node.name]) ctx.store.addChild(parent, `${node.name}.${c.name}`);
  }
  if (rt.daemonStopped) {
    phase = 'Succeeded';
    message = undefined;
  }
  ctx.store.setPhase(node.id, phase, message ?? '');
}

/** A steps/DAG node finished: its daemoned pods are no longer needed (Argo's killDaemonedChildren). */
export function stopDaemons(ctx: EngineContext, scope: NodeStatus): void {
  for (const id of ctx.store.daemons) {
    const node = ctx.store.get(id);
    if (!node || node.boundaryID !== scope.id || node.type !== 'Pod' || isFulfilled(node.phase)) continue;
    ctx.store.rt(node.id).daemonStopped = true;
    ctx.emit({ type: 'KillPod', nodeId: node.id, podName: podName(ctx.store.workflowName, node.name, node.templateName ?? ''), reason: 'daemon no longer needed' });
  }
}

/** podGC strategies that act as each pod finishes. */
export function podGc(ctx: EngineContext, node: NodeStatus): void {
  const strategy = ctx.spec.podGC?.strategy;
  if (!strategy) return;
  if (strategy === 'OnPodCompletion' || (strategy === 'OnPodSuccess' && node.phase === 'Succeeded')) {
    ctx.emit({ type: 'DeletePod', nodeId: node.id, podName: podName(ctx.store.workflowName, node.name, node.templateName ?? '') });
  }
}

function trimNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
