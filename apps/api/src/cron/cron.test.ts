/** CronWorkflows through the API: CRUD, lint, suspend/resume (scheduling is the worker's). */
import { CronWorkflowRepository } from '@slipway/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Json, type TestApi } from '../test-support.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('cron');
});

afterAll(async () => {
  await api.close();
});

const base = '/api/v1/cron-workflows/default';

const cronYaml = (schedule: string) => `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "${schedule}"
  timezone: Europe/Paris
  concurrencyPolicy: Forbid
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        container:
          image: busybox
          command: [echo, tick]
`;

describe('CronWorkflows', () => {
  it('creates from YAML and reads it back with status', async () => {
    const res = await api.request(base, { raw: cronYaml('0 2 * * *') });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toMatchObject({ name: 'nightly', namespace: 'default' });
    expect(res.body.status).toMatchObject({ active: [], phase: 'Active' });
    const got = await api.request(`${base}/nightly`);
    expect(got.body.spec).toMatchObject({ schedule: '0 2 * * *', timezone: 'Europe/Paris', concurrencyPolicy: 'Forbid' });
    expect((await api.request(base)).body.items.map((c: Json) => c.metadata.name)).toEqual(['nightly']);
  });

  it('lints the schedule and time zone (400 with line:col); duplicate is 409', async () => {
    const bad = await api.request(base, { raw: cronYaml('61 * * * *').replace('nightly', 'broken') });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^6:\d+: spec.schedule: /);
    const lint = await api.request(`${base}/lint`, { raw: cronYaml('*/5 * * * *').replace('Europe/Paris', 'Mars/Olympus') });
    expect(lint.status).toBe(400);
    expect(lint.body.message).toContain('spec.timezone');
    expect((await api.request(base, { raw: cronYaml('0 3 * * *') })).status).toBe(409);
  });

  it('updates with PUT and clears the next run for the scheduler', async () => {
    const repo = new CronWorkflowRepository(api.prisma);
    await api.prisma.cronWorkflow.updateMany({ where: { name: 'nightly' }, data: { nextRunAt: new Date('2030-01-01T00:00:00Z') } });
    const res = await api.request(`${base}/nightly`, { method: 'PUT', raw: cronYaml('30 4 * * *') });
    expect(res.status).toBe(200);
    expect(res.body.spec.schedule).toBe('30 4 * * *');
    expect((await repo.get('default', 'nightly'))?.nextRunAt).toBeNull();
  });

  it('suspends and resumes', async () => {
    const suspended = await api.request(`${base}/nightly/suspend`, { method: 'PUT' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.spec.suspend).toBe(true);
    expect(suspended.body.status.phase).toBe('Stopped');
    expect((await new CronWorkflowRepository(api.prisma).get('default', 'nightly'))?.suspended).toBe(true);
    const resumed = await api.request(`${base}/nightly/resume`, { method: 'PUT' });
    expect(resumed.body.spec.suspend).toBe(false);
    expect((await new CronWorkflowRepository(api.prisma).get('default', 'nightly'))?.suspended).toBe(false);
    expect((await api.request(`${base}/ghost/suspend`, { method: 'PUT' })).status).toBe(404);
  });

  it('lists the workflows it started as status.active', async () => {
    const res = await api.request('/api/v1/workflows/default/submit', { json: { resourceKind: 'CronWorkflow', resourceName: 'nightly' } });
    expect(res.status).toBe(200);
    const got = await api.request(`${base}/nightly`);
    expect(got.body.status.active).toEqual([expect.objectContaining({ kind: 'Workflow', name: res.body.metadata.name, uid: res.body.metadata.uid })]);
  });

  it('deletes (then 404)', async () => {
    expect((await api.request(`${base}/nightly`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.request(`${base}/nightly`)).status).toBe(404);
  });
});
