/**
 * CronWorkflows as the API stores them. Scheduling state (`lastScheduledTime`, `nextRunAt`)
 * belongs to the scheduler in the worker: a create, update or resume clears `nextRunAt`, which
 * tells the scheduler to compute it again from the (new) schedule.
 */
import type { CronWorkflow } from '@slipway/workflow';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../prisma-errors.js';

export interface CronWorkflowRecord {
  id: string;
  namespace: string;
  name: string;
  manifest: CronWorkflow;
  suspended: boolean;
  lastScheduledTime: Date | null;
  nextRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export class CronWorkflowExistsError extends Error {}
export class CronWorkflowNotFoundError extends Error {}

export class CronWorkflowRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(namespace: string, name: string, manifest: CronWorkflow): Promise<CronWorkflowRecord> {
    try {
      const row = await this.db.cronWorkflow.create({
        data: { namespace, name, manifest: json(manifest), suspended: manifest.spec.suspend === true, nextRunAt: null },
      });
      return toRecord(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new CronWorkflowExistsError(`cronworkflows.argoproj.io "${name}" already exists`);
      throw err;
    }
  }

  async get(namespace: string, name: string): Promise<CronWorkflowRecord | undefined> {
    const row = await this.db.cronWorkflow.findUnique({ where: { namespace_name: { namespace, name } } });
    return row ? toRecord(row) : undefined;
  }

  async list(namespace: string): Promise<CronWorkflowRecord[]> {
    const rows = await this.db.cronWorkflow.findMany({ where: { namespace }, orderBy: { name: 'asc' } });
    return rows.map(toRecord);
  }

  /** Replace the manifest (the schedule may have changed: `nextRunAt` is cleared). */
  async update(namespace: string, name: string, manifest: CronWorkflow): Promise<CronWorkflowRecord> {
    return this.change(namespace, name, { manifest: json(manifest), suspended: manifest.spec.suspend === true, nextRunAt: null });
  }

  async setSuspended(namespace: string, name: string, suspended: boolean): Promise<CronWorkflowRecord> {
    const current = await this.get(namespace, name);
    if (!current) throw notFound(name);
    const manifest: CronWorkflow = { ...current.manifest, spec: { ...current.manifest.spec, suspend: suspended } };
    return this.change(namespace, name, { manifest: json(manifest), suspended, ...(suspended ? {} : { nextRunAt: null }) });
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const res = await this.db.cronWorkflow.deleteMany({ where: { namespace, name } });
    return res.count > 0;
  }

  private async change(namespace: string, name: string, data: Prisma.CronWorkflowUpdateInput): Promise<CronWorkflowRecord> {
    const res = await this.db.cronWorkflow.updateMany({ where: { namespace, name }, data });
    if (res.count === 0) throw notFound(name);
    return (await this.get(namespace, name))!;
  }
}

function notFound(name: string): CronWorkflowNotFoundError {
  return new CronWorkflowNotFoundError(`cronworkflows.argoproj.io "${name}" not found`);
}

function toRecord(row: Omit<CronWorkflowRecord, 'manifest'> & { manifest: Prisma.JsonValue }): CronWorkflowRecord {
  return { ...row, manifest: row.manifest as unknown as CronWorkflow };
}

function json(manifest: CronWorkflow): Prisma.InputJsonValue {
  return manifest as unknown as Prisma.InputJsonValue;
}
