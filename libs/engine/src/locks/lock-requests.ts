/** Turning `synchronization` into lock requests, and holding nodes/workflows until they are granted. */
import type { Synchronization } from '@slipway/workflow';
import type { EngineContext } from '../context.js';
import type { LockRequest } from '../contract/actions.js';

export function lockRequests(ctx: EngineContext, sync: Synchronization | undefined): LockRequest[] {
  if (!sync) return [];
  const ns = ctx.workflow.metadata.namespace ?? 'default';
  const out: LockRequest[] = [];
  for (const m of [...(sync.mutex ? [sync.mutex] : []), ...(sync.mutexes ?? [])]) {
    const mns = m.namespace ?? ns;
    out.push({ key: `${mns}/Mutex/${m.name}`, kind: 'mutex' });
  }
  for (const s of [...(sync.semaphore ? [sync.semaphore] : []), ...(sync.semaphores ?? [])]) {
    const sns = s.namespace ?? ns;
    if (s.configMapKeyRef) {
      out.push({
        key: `${sns}/ConfigMap/${s.configMapKeyRef.name}/${s.configMapKeyRef.key}`,
        kind: 'semaphore',
        semaphore: { configMapName: s.configMapKeyRef.name, configMapKey: s.configMapKeyRef.key, namespace: sns },
      });
    } else if (s.database) {
      out.push({ key: `${sns}/Database/${s.database.key}`, kind: 'semaphore', semaphore: { databaseKey: s.database.key, namespace: sns } });
    }
  }
  return out;
}

export function nodeHolder(ctx: EngineContext, nodeId: string): string {
  return `${ctx.workflow.metadata.uid ?? ctx.store.workflowName}/${nodeId}`;
}

export function workflowHolder(ctx: EngineContext): string {
  return ctx.workflow.metadata.uid ?? ctx.store.workflowName;
}

export function waitingMessage(locks: LockRequest[]): string {
  return `Waiting for ${locks.map((l) => l.key).join(', ')} lock${locks.length === 1 ? '' : 's'}`;
}
