/** What every part of the reconciler shares during one `reconcile` call. */
import type { TemplateLibrary, Workflow, WorkflowSpec } from '@slipway/workflow';
import type { Action } from './contract/actions.js';
import type { NodeStore } from './state/node-store.js';
import type { GlobalScope } from './scope/global-scope.js';

export interface EngineContext {
  readonly workflow: Workflow;
  /** The spec actually executed: the Workflow's own, merged over its workflowTemplateRef. */
  readonly spec: WorkflowSpec;
  readonly library: TemplateLibrary;
  readonly store: NodeStore;
  readonly globals: GlobalScope;
  /** Current time (epoch ms), an input of every call. */
  now(): number;
  emit(action: Action): void;
  /** Ask for `nodeId`'s controller to run again in this call (its child changed). */
  wake(nodeId: string): void;
  /** A controller has children waiting for capacity; retry it when capacity frees up. */
  blocked(nodeId: string): void;
  /** Stop/terminate requested: no new nodes start (exit handlers still run after Stop). */
  readonly shutdown: 'Stop' | 'Terminate' | undefined;
}
