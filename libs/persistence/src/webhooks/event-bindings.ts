/** WorkflowEventBindings as the API stores them (Argo's resource plus `spec.slipway`). */
import type { WorkflowEventBinding } from '@slipway/workflow';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../prisma-errors.js';

type Db = PrismaClient | Prisma.TransactionClient;

export interface EventBindingRecord {
  id: string;
  namespace: string;
  name: string;
  manifest: WorkflowEventBinding;
  createdAt: Date;
  updatedAt: Date;
}

export class EventBindingExistsError extends Error {}
export class EventBindingNotFoundError extends Error {}

export class EventBindingRepository {
  constructor(private readonly db: Db) {}

  async create(namespace: string, name: string, manifest: WorkflowEventBinding): Promise<EventBindingRecord> {
    try {
      const row = await this.db.workflowEventBinding.create({ data: { namespace, name, manifest: json(withIdentity(manifest, namespace, name)) } });
      return toRecord(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new EventBindingExistsError(`workfloweventbindings.argoproj.io "${name}" already exists`);
      throw err;
    }
  }

  async get(namespace: string, name: string): Promise<EventBindingRecord | undefined> {
    const row = await this.db.workflowEventBinding.findUnique({ where: { namespace_name: { namespace, name } } });
    return row ? toRecord(row) : undefined;
  }

  /** The namespace's bindings, by name (what a delivery is matched against). */
  async list(namespace: string): Promise<EventBindingRecord[]> {
    const rows = await this.db.workflowEventBinding.findMany({ where: { namespace }, orderBy: { name: 'asc' } });
    return rows.map(toRecord);
  }

  async update(namespace: string, name: string, manifest: WorkflowEventBinding): Promise<EventBindingRecord> {
    const res = await this.db.workflowEventBinding.updateMany({ where: { namespace, name }, data: { manifest: json(withIdentity(manifest, namespace, name)) } });
    if (res.count === 0) throw new EventBindingNotFoundError(`workfloweventbindings.argoproj.io "${name}" not found`);
    return (await this.get(namespace, name))!;
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const res = await this.db.workflowEventBinding.deleteMany({ where: { namespace, name } });
    return res.count > 0;
  }
}

/** The stored manifest always names its own namespace and name. */
function withIdentity(manifest: WorkflowEventBinding, namespace: string, name: string): WorkflowEventBinding {
  return { ...manifest, metadata: { ...manifest.metadata, namespace, name } };
}

function json(value: WorkflowEventBinding): Prisma.InputJsonValue {
  return value as unknown as Prisma.InputJsonValue;
}

function toRecord(row: Omit<EventBindingRecord, 'manifest'> & { manifest: Prisma.JsonValue }): EventBindingRecord {
  return { ...row, manifest: row.manifest as unknown as WorkflowEventBinding };
}
