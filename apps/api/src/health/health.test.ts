/** Liveness, readiness (503 naming what is down), OpenAPI, and the error shapes (400, 404, 413, 503). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, workflowDoc, type TestApi } from '../test-support.js';

describe('with PostgreSQL and Redis up', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('health', { env: { SLIPWAY_BODY_LIMIT: '2kb' } });
  });

  afterAll(async () => {
    await api.close();
  });

  it('healthz and readyz answer 200', async () => {
    expect(await api.request('/healthz', { token: null })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.request('/readyz', { token: null })).toMatchObject({ status: 200, body: { status: 'ok', postgres: 'ok', redis: 'ok' } });
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const json = await api.request('/api/docs-json', { token: null });
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/workflows/{namespace}', '/api/v1/workflows/{namespace}/{name}/retry', '/api/v1/workflow-templates/{namespace}/{name}/revisions/{from}/diff/{to}', '/api/v1/tokens']) {
      expect(Object.keys(json.body.paths)).toContain(path);
    }
    const ui = await api.request('/api/docs', { token: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('answers 413 for a body over SLIPWAY_BODY_LIMIT', async () => {
    const doc = workflowDoc('big');
    (doc.metadata as Record<string, unknown>).annotations = { blob: 'x'.repeat(4000) };
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: doc } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 8, reason: 'ResourceExhausted', message: 'request body is larger than the limit of 2048 bytes (SLIPWAY_BODY_LIMIT)' });
  });

  it('answers 400 with the position for malformed JSON, and names fields and path parameters', async () => {
    const res = await api.request('/api/v1/tokens', { raw: '{\n  "name": "x",\n  "role": }', contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^body: invalid JSON at 3:\d+/);
    const name = await api.request('/api/v1/workflows/Bad_Namespace');
    expect(name.status).toBe(400);
    expect(name.body.message).toContain('namespace: must be a lowercase DNS-1123 name');
    const empty = await api.request('/api/v1/workflows/default', { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('body: workflow is required');
  });

  it('answers 404 in the same shape for unknown routes', async () => {
    const res = await api.request('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 5, reason: 'NotFound' });
  });
});

describe('with Redis unreachable', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('health_noredis', { redisUrl: 'redis://127.0.0.1:6398' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('readyz answers 503 naming Redis; healthz stays 200', async () => {
    const res = await api.request('/readyz', { token: null });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 14, reason: 'Unavailable', postgres: 'ok' });
    expect(res.body.message).toMatch(/^not ready: redis: /);
    expect((await api.request('/healthz', { token: null })).status).toBe(200);
  });
});

describe('with PostgreSQL unreachable', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('health_nopg', { databaseUrl: 'postgresql://postgres@127.0.0.1:5433/slipway' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers 503 {code, message} without a stack trace, and readyz names PostgreSQL', async () => {
    const res = await api.request('/api/v1/workflows/default', { json: { workflow: workflowDoc('x') } });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe(14);
    expect(res.body.message).toMatch(/^database unavailable \(PostgreSQL\): /);
    expect(res.text).not.toContain('    at ');
    const list = await api.request('/api/v1/workflows/default');
    expect(list.status).toBe(503);
    const ready = await api.request('/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect(ready.body.message).toMatch(/^not ready: postgres: /);
    expect(ready.body.redis).toBe('ok');
  });
});
