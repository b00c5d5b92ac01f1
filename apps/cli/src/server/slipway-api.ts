/** The REST endpoints the CLI calls, typed: Argo Server's paths and bodies plus Slipway's tokens and revisions. */
import type { CronWorkflow, Workflow, WorkflowTemplate } from '@slipway/workflow';
import { seg, type ApiClient } from './api-client.js';

export interface ListMeta {
  continue?: string;
}

export interface WorkflowList {
  metadata?: ListMeta;
  items?: Workflow[] | null;
}

export interface WatchEvent {
  /** ADDED, MODIFIED, DELETED (or BOOKMARK, ERROR from some servers). */
  type: string;
  object?: Workflow;
}

export interface LogEntry {
  content: string;
  podName?: string;
}

export type WorkflowAction = 'retry' | 'resubmit' | 'stop' | 'terminate' | 'suspend' | 'resume' | 'set';

export type SubmitKind = 'WorkflowTemplate' | 'ClusterWorkflowTemplate' | 'CronWorkflow';

export interface RevisionInfo {
  revision: number;
  createdAt?: string;
  createdBy?: string | null;
  current?: boolean;
}

export type TokenRole = 'admin' | 'developer' | 'viewer';

export interface TokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  namespaces: string[];
  createdBy?: string | null;
  createdAt?: string;
  revokedAt?: string | null;
  lastUsedAt?: string | null;
}

export interface LogQuery {
  podName?: string;
  container: string;
  follow: boolean;
  grep?: string;
}

/** One namespace's view of the server. */
export class SlipwayApi {
  constructor(
    readonly http: ApiClient,
    readonly namespace: string,
  ) {}

  /** The same server, another namespace. */
  in(namespace: string): SlipwayApi {
    return namespace === this.namespace ? this : new SlipwayApi(this.http, namespace);
  }

  private get ns(): string {
    return seg(this.namespace);
  }

  // Workflows

  createWorkflow(workflow: Workflow): Promise<Workflow> {
    return this.http.request('POST', `/api/v1/workflows/${this.ns}`, { body: { workflow } });
  }

  submitFrom(kind: SubmitKind, name: string, parameters: string[]): Promise<Workflow> {
    const submitOptions = parameters.length > 0 ? { parameters } : {};
    return this.http.request('POST', `/api/v1/workflows/${this.ns}/submit`, { body: { resourceKind: kind, resourceName: name, submitOptions } });
  }

  listWorkflows(query: { labelSelector?: string; limit?: number; continue?: string }): Promise<WorkflowList> {
    return this.http.request('GET', `/api/v1/workflows/${this.ns}`, {
      query: { 'listOptions.labelSelector': query.labelSelector, 'listOptions.limit': query.limit, 'listOptions.continue': query.continue },
    });
  }

  getWorkflow(name: string): Promise<Workflow> {
    return this.http.request('GET', `/api/v1/workflows/${this.ns}/${seg(name)}`);
  }

  async deleteWorkflow(name: string): Promise<void> {
    await this.http.request('DELETE', `/api/v1/workflows/${this.ns}/${seg(name)}`);
  }

  workflowAction(name: string, action: WorkflowAction, body: Record<string, unknown> = {}): Promise<Workflow> {
    return this.http.request('PUT', `/api/v1/workflows/${this.ns}/${seg(name)}/${action}`, { body });
  }

  workflowLogs(name: string, q: LogQuery, signal?: AbortSignal): AsyncGenerator<LogEntry> {
    return this.http.stream(
      `/api/v1/workflows/${this.ns}/${seg(name)}/log`,
      { podName: q.podName, 'logOptions.container': q.container, 'logOptions.follow': q.follow ? 'true' : undefined, grep: q.grep },
      signal,
    );
  }

  watchWorkflow(name: string, signal?: AbortSignal): AsyncGenerator<WatchEvent> {
    return this.http.stream(`/api/v1/workflow-events/${this.ns}`, { 'listOptions.fieldSelector': `metadata.name=${name}` }, signal);
  }

  // WorkflowTemplates (namespaced) and ClusterWorkflowTemplates (cluster = true)

  private templateBase(cluster: boolean): string {
    return cluster ? '/api/v1/cluster-workflow-templates' : `/api/v1/workflow-templates/${this.ns}`;
  }

  createTemplate(template: WorkflowTemplate, cluster: boolean): Promise<WorkflowTemplate> {
    return this.http.request('POST', this.templateBase(cluster), { body: { template } });
  }

  updateTemplate(template: WorkflowTemplate, cluster: boolean): Promise<WorkflowTemplate> {
    return this.http.request('PUT', `${this.templateBase(cluster)}/${seg(template.metadata.name ?? '')}`, { body: { template } });
  }

  lintTemplate(template: WorkflowTemplate, cluster: boolean): Promise<WorkflowTemplate> {
    return this.http.request('POST', `${this.templateBase(cluster)}/lint`, { body: { template } });
  }

  getTemplate(name: string, cluster: boolean): Promise<WorkflowTemplate> {
    return this.http.request('GET', `${this.templateBase(cluster)}/${seg(name)}`);
  }

  listTemplates(cluster: boolean, labelSelector?: string): Promise<{ items?: WorkflowTemplate[] | null }> {
    return this.http.request('GET', this.templateBase(cluster), { query: { 'listOptions.labelSelector': labelSelector } });
  }

  async deleteTemplate(name: string, cluster: boolean): Promise<void> {
    await this.http.request('DELETE', `${this.templateBase(cluster)}/${seg(name)}`);
  }

  templateRevisions(name: string, cluster: boolean): Promise<{ items?: RevisionInfo[] | null }> {
    return this.http.request('GET', `${this.templateBase(cluster)}/${seg(name)}/revisions`);
  }

  rollbackTemplate(name: string, revision: number, cluster: boolean): Promise<WorkflowTemplate> {
    return this.http.request('POST', `${this.templateBase(cluster)}/${seg(name)}/rollback`, { body: { revision } });
  }

  // CronWorkflows

  createCron(cronWorkflow: CronWorkflow): Promise<CronWorkflow> {
    return this.http.request('POST', `/api/v1/cron-workflows/${this.ns}`, { body: { cronWorkflow } });
  }

  updateCron(cronWorkflow: CronWorkflow): Promise<CronWorkflow> {
    return this.http.request('PUT', `/api/v1/cron-workflows/${this.ns}/${seg(cronWorkflow.metadata.name ?? '')}`, { body: { cronWorkflow } });
  }

  listCrons(): Promise<{ items?: CronWorkflow[] | null }> {
    return this.http.request('GET', `/api/v1/cron-workflows/${this.ns}`);
  }

  getCron(name: string): Promise<CronWorkflow> {
    return this.http.request('GET', `/api/v1/cron-workflows/${this.ns}/${seg(name)}`);
  }

  setCronSuspended(name: string, suspended: boolean): Promise<CronWorkflow> {
    return this.http.request('PUT', `/api/v1/cron-workflows/${this.ns}/${seg(name)}/${suspended ? 'suspend' : 'resume'}`, { body: {} });
  }

  async deleteCron(name: string): Promise<void> {
    await this.http.request('DELETE', `/api/v1/cron-workflows/${this.ns}/${seg(name)}`);
  }

  // Tokens (server-wide)

  createToken(input: { name: string; role: TokenRole; namespaces: string[] }): Promise<TokenRecord & { token: string }> {
    return this.http.request('POST', '/api/v1/tokens', { body: input });
  }

  listTokens(): Promise<{ items?: TokenRecord[] | null }> {
    return this.http.request('GET', '/api/v1/tokens');
  }

  async revokeToken(id: string): Promise<void> {
    await this.http.request('DELETE', `/api/v1/tokens/${seg(id)}`);
  }
}
