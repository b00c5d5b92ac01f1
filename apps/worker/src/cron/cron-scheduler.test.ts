/** CronWorkflows against the real PostgreSQL and Redis, with an injected clock. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@slipway/testing';
import { createPrismaClient, CronWorkflowRepository, type PrismaClient } from '@slipway/persistence';
import type { CronWorkflow } from '@slipway/workflow';
import { WorkerHost } from '../worker-host.js';

let db: TestDatabase;
let prisma: PrismaClient;
let host: WorkerHost;

beforeAll(async () => {
  db = await createTestDatabase('cron');
  prisma = createPrismaClient(db.url);
  host = new WorkerHost({ db: prisma, redisUrl: TEST_REDIS_URL, prefix: testRedisPrefix('cron'), workdir: mkdtempSync(join(tmpdir(), 'slipway-cron-')), sandbox: 'auto', podConcurrency: 4, resyncSeconds: 60, cronSeconds: 0, log: () => {} });
  await host.start();
});

afterAll(async () => {
  await host?.stop();
  await prisma?.$disconnect();
  await db?.drop();
});

const cron = (name: string, extra: Partial<CronWorkflow['spec']> = {}, cmd = 'true'): CronWorkflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'CronWorkflow',
  metadata: { name, namespace: 'default' },
  spec: {
    schedules: ['* * * * *'],
    workflowSpec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox', command: ['sh', '-c', cmd] } }] },
    ...extra,
  },
});

async function phases(name: string): Promise<string[]> {
  const rows = await prisma.workflow.findMany({ where: { name: { startsWith: `${name}-` } }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => `${r.name}:${r.phase}`);
}

async function settle(name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await prisma.workflow.count({ where: { name: { startsWith: `${name}-` }, phase: { in: ['Pending', 'Running'] } } });
    if (open === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cron scheduling', () => {
  it('fires on schedule with Argo run names and the scheduled-time annotation, once per schedule', async () => {
    const repo = new CronWorkflowRepository(prisma);
    await repo.create('default', 'every-minute', cron('every-minute'));
    await prisma.cronWorkflow.updateMany({ where: { name: 'every-minute' }, data: { createdAt: new Date('2026-01-01T00:00:00Z') } });
    const at = new Date('2026-01-01T00:03:30Z');
    const r1 = await host.cronTick(at);
    const r2 = await host.cronTick(at);
    const unix = Date.parse('2026-01-01T00:03:00Z') / 1000;
    expect(r1.started).toEqual([`every-minute-${unix}`]);
    expect(r2.started).toEqual([]);
    await settle('every-minute');
    expect(await phases('every-minute')).toEqual([`every-minute-${unix}:Succeeded`]);
    const wf = await prisma.workflow.findFirst({ where: { name: `every-minute-${unix}` } });
    expect((wf!.annotations as Record<string, string>)['workflows.argoproj.io/scheduled-time']).toBe('2026-01-01T00:03:00Z');
    expect((wf!.labels as Record<string, string>)['workflows.argoproj.io/cron-workflow']).toBe('every-minute');
  });

  it('Forbid skips while a run is active; a suspended cron does not fire; history limits prune old runs', async () => {
    const repo = new CronWorkflowRepository(prisma);
    await repo.create('default', 'forbid', cron('forbid', { concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 }, 'sleep 2'));
    await prisma.cronWorkflow.updateMany({ where: { name: 'forbid' }, data: { createdAt: new Date('2026-01-01T00:00:00Z') } });
    const mine = (r: { started: string[] }) => r.started.filter((n) => n.startsWith('forbid-'));
    expect(mine(await host.cronTick(new Date('2026-01-01T00:01:10Z')))).toHaveLength(1);
    const second = await host.cronTick(new Date('2026-01-01T00:02:10Z'));
    expect(mine(second)).toEqual([]);
    expect(second.skipped[0]?.reason).toContain('Forbid');
    await settle('forbid');
    await repo.setSuspended('default', 'forbid', true);
    expect(mine(await host.cronTick(new Date('2026-01-01T00:03:10Z')))).toEqual([]);
    await repo.setSuspended('default', 'forbid', false);
    expect(mine(await host.cronTick(new Date('2026-01-01T00:04:10Z')))).toHaveLength(1);
    await settle('forbid');
    await host.cronTick(new Date('2026-01-01T00:05:10Z'));
    await settle('forbid');
    const left = await phases('forbid');
    expect(left.filter((p) => p.endsWith(':Succeeded')).length).toBeLessThanOrEqual(2);
  });
});
