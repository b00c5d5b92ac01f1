/** Reading and deleting workflows: list (labels, phase, pages), get (with nodes), delete. */
import { Inject, Injectable } from '@nestjs/common';
import type { SlipwayConfig } from '@slipway/config';
import { parseLabelSelector, WorkflowRepository, WorkflowStateStore, type LoadedState } from '@slipway/persistence';
import type { Workflow } from '@slipway/workflow';
import { invalid, notFound } from '../common/api-error.js';
import { labelMatcher } from '../common/labels.js';
import { Doorbell } from '../common/doorbell.js';
import { CONFIG, updatesChannel } from '../deps.js';

export interface WorkflowListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  phases: string[];
  limit?: number;
  continueToken?: string;
}

export interface WorkflowList {
  metadata: { continue?: string };
  items: Workflow[];
}

const PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Error']);
/** A phase no workflow has: the filters exclude each other. */
const NONE = '-';
const PHASE_LABEL = 'workflows.argoproj.io/phase';
const COMPLETED_LABEL = 'workflows.argoproj.io/completed';

@Injectable()
export class WorkflowQueryService {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly state: WorkflowStateStore,
    private readonly doorbell: Doorbell,
    @Inject(CONFIG) private readonly config: SlipwayConfig,
  ) {}

  async list(namespace: string, q: WorkflowListQuery): Promise<WorkflowList> {
    const fields = parseFieldSelector(q.fieldSelector);
    const { rest, phases: labelPhases } = phaseTermsFromLabels(q.labelSelector);
    for (const p of [...q.phases, ...(fields.phases ?? []), ...(labelPhases ?? [])]) {
      if (!PHASES.has(p) && p !== NONE) throw invalid(`phase: unknown workflow phase "${p}" (Pending, Running, Succeeded, Failed, Error)`);
    }
    const phases = intersect(intersect(q.phases, fields.phases), labelPhases);
    if (fields.name !== undefined) {
      const id = await this.workflows.idOf(namespace, fields.name);
      const loaded = id ? await this.state.load(id) : undefined;
      if (!loaded) return { metadata: {}, items: [] };
      const { nodes: _nodes, ...status } = loaded.workflow.status ?? {};
      const wf: Workflow = { ...loaded.workflow, status };
      const phaseOk = !phases || phases.includes(status.phase ?? 'Pending');
      return { metadata: {}, items: phaseOk && labelMatcher(rest)(wf.metadata.labels) ? [wf] : [] };
    }
    const page = await this.workflows.list({ namespace, labelSelector: rest, phases, limit: q.limit, continueToken: q.continueToken });
    return { metadata: page.continueToken ? { continue: page.continueToken } : {}, items: page.items };
  }

  /** The full workflow (status.nodes included), with its state version as resourceVersion. */
  async get(namespace: string, name: string): Promise<Workflow> {
    return withVersion(await this.load(namespace, name));
  }

  async load(namespace: string, name: string): Promise<LoadedState & { id: string }> {
    const id = await this.workflows.idOf(namespace, name);
    const loaded = id ? await this.state.load(id) : undefined;
    if (!id || !loaded) throw notFound(`workflows.argoproj.io "${name}" not found`);
    return { ...loaded, id };
  }

  async delete(namespace: string, name: string): Promise<void> {
    const id = await this.workflows.idOf(namespace, name);
    if (!id || !(await this.workflows.deleteById(id))) throw notFound(`workflows.argoproj.io "${name}" not found`);
    await this.doorbell.publish(updatesChannel(this.config.SLIPWAY_REDIS_PREFIX), { workflowId: id, namespace, name, deleted: true });
  }
}

export function withVersion(loaded: LoadedState): Workflow {
  const wf = loaded.workflow;
  return { ...wf, metadata: { ...wf.metadata, resourceVersion: String(loaded.version) } };
}

/** Argo's `listOptions.fieldSelector`: `metadata.name=X`, `status.phase=P` (also `==`, `!=` for phase). */
function parseFieldSelector(selector: string | undefined): { name?: string; phases?: string[] } {
  const out: { name?: string; phases?: string[] } = {};
  for (const term of (selector ?? '').split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw invalid(`listOptions.fieldSelector: cannot parse "${term}"`);
    const [, field, op, value] = m;
    if (field === 'metadata.name' && op !== '!=') out.name = value;
    else if (field === 'status.phase') {
      const chosen = op === '!=' ? [...PHASES].filter((p) => p !== value) : [value];
      out.phases = intersect(out.phases ?? [], chosen);
    } else if (field !== 'metadata.namespace') throw invalid(`listOptions.fieldSelector: unsupported field "${field}"`);
  }
  return out;
}

/**
 * `argo list --status`/`--completed` select by the phase labels Argo's controller maintains; here
 * the phase is a column, so those terms become a phase filter and the rest stays a label selector.
 */
function phaseTermsFromLabels(selector: string | undefined): { rest?: string; phases?: string[] } {
  if (!selector) return {};
  const keep: string[] = [];
  let phases: string[] | undefined;
  for (const part of selector.split(/,(?![^(]*\))/).map((p) => p.trim()).filter(Boolean)) {
    const [term] = parseLabelSelector(part);
    if (term && term.key === PHASE_LABEL && term.op === '=') phases = intersect(phases ?? [], [term.value]);
    else if (term && term.key === PHASE_LABEL && term.op === 'in') {
      phases = intersect(phases ?? [], term.values);
    } else if (term && term.key === COMPLETED_LABEL && (term.op === '=' || term.op === '!=')) {
      const completed = (term.value === 'true') === (term.op === '=');
      phases = intersect(phases ?? [], completed ? ['Succeeded', 'Failed', 'Error'] : ['Pending', 'Running']);
    } else keep.push(part);
  }
  return { rest: keep.length > 0 ? keep.join(',') : undefined, phases };
}

/** Intersection where an empty/undefined list means "no constraint". */
function intersect(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a || a.length === 0) return b && b.length > 0 ? b : a;
  if (!b || b.length === 0) return a;
  const both = a.filter((x) => b.includes(x));
  return both.length > 0 ? both : [NONE];
}
