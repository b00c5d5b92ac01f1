/**
 * The `slipway` server verbs end to end: the real API (createApiApp) and a real worker against a
 * fresh PostgreSQL database and a Redis prefix of their own; the CLI talks to them over HTTP.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@slipway/api';
import { main } from '@slipway/cli';
import { loadConfig } from '@slipway/config';
import { createPrismaClient, type PrismaClient } from '@slipway/persistence';
import { redisConnection, SlipwayQueues } from '@slipway/queue';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@slipway/testing';
import { WorkerHost } from '@slipway/worker';
import type { Redis } from 'ioredis';

const ADMIN = 'cli-e2e-admin-token-0123456789';
const prefix = testRedisPrefix('cli-server');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-server-'));

let db: TestDatabase;
let prisma: PrismaClient;
let queues: SlipwayQueues;
let subscriber: Redis;
let app: INestApplication;
let worker: WorkerHost;
let server: string;

beforeAll(async () => {
  db = await createTestDatabase('cli_server');
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SLIPWAY_REDIS_PREFIX: prefix, SLIPWAY_ADMIN_TOKEN: ADMIN });
  prisma = createPrismaClient(db.url, 5);
  queues = new SlipwayQueues(redisConnection(TEST_REDIS_URL), prefix);
  subscriber = redisConnection(TEST_REDIS_URL, { forWorker: true });
  app = await createApiApp({ config, prisma, queues, subscriber, logger: false });
  await app.listen(0, '127.0.0.1');
  server = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  worker = new WorkerHost({ db: prisma, redisUrl: TEST_REDIS_URL, prefix, workdir: join(dir, 'work'), sandbox: 'auto', podConcurrency: 4, resyncSeconds: 60, log: () => {} });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await queues?.close().catch(() => undefined);
  queues?.connection.disconnect();
  subscriber?.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `slipway ARGS…` through the CLI's own entry point, with SLIPWAY_SERVER and SLIPWAY_TOKEN set. */
async function slipway(token: string, ...args: string[]): Promise<Run> {
  process.env.SLIPWAY_SERVER = server;
  process.env.SLIPWAY_TOKEN = token;
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stderrStream: new PassThrough() as unknown as NodeJS.WriteStream,
  });
  return { code, stdout, stderr };
}

const HELLO = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: cli-hello-
  labels: {team: cli}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: who, value: nobody}]
  templates:
  - name: main
    steps:
    - - name: greet
        template: say
        arguments: {parameters: [{name: msg, value: "hello {{workflow.parameters.who}}"}]}
  - name: say
    inputs: {parameters: [{name: msg}]}
    container: {image: busybox, command: [sh, -c, "echo '{{inputs.parameters.msg}}'"]}
`;

describe('slipway against the real API', () => {
  let developer = '';
  let name = '';

  it('token create issues a token that works for the role it names', async () => {
    const run = await slipway(ADMIN, 'token', 'create', 'cli-dev', '--role', 'developer', '--namespace', 'default');
    expect(run.code).toBe(0);
    developer = run.stdout.trim();
    expect(developer).toMatch(/^swp_[A-Za-z0-9_-]{20,}$/);
    expect(run.stderr).toMatch(/^token "cli-dev" \(id [0-9a-f-]{36}, role developer, namespaces default\): shown only now/);
    const tokens = await slipway(ADMIN, 'token', 'list');
    expect(tokens.stdout).toMatch(/^ID +NAME +ROLE +NAMESPACES +AGE +LAST USED +STATUS\n[0-9a-f-]{36} +cli-dev +developer +default +\d+s +never +active\n$/);
  });

  it('submit --wait lints, submits with -p, waits on the watch stream and exits 0 when it Succeeded', async () => {
    const file = join(dir, 'hello.yaml');
    writeFileSync(file, HELLO);
    const run = await slipway(developer, 'submit', file, '-p', 'who=slipway', '--wait');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    name = /^Name: +(cli-hello-\w+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(name).not.toBe('');
    expect(run.stdout).toMatch(/^Status: +Pending$/m);
    expect(run.stdout).toMatch(new RegExp(`\\n${name} Succeeded at \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\n$`));
  });

  it('list shows it in the table, selectable by label and phase', async () => {
    const run = await slipway(developer, 'list', '-l', 'team=cli', '--phase', 'Succeeded');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^NAME +STATUS +AGE +DURATION +MESSAGE\\n${name} +Succeeded +\\d+s +\\d+s\\n$`));
    expect((await slipway(developer, 'list', '--phase', 'Failed')).stdout).toBe('No workflows found\n');
  });

  it('get prints the summary and the node tree; logs prints the step’s output', async () => {
    const run = await slipway(developer, 'get', name);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Name: +${name}\\nNamespace: +default\\nStatus: +Succeeded\\n`));
    expect(run.stdout).toMatch(/^ {2}who: +slipway$/m);
    const pod = new RegExp(`^ └───✔ greet +say +(${name}-say-\\d+) +\\d+s$`, 'm').exec(run.stdout)?.[1];
    expect(pod).toBeDefined();
    expect(run.stdout).toMatch(new RegExp(`^ ✔ ${name} +main$`, 'm'));
    const logs = await slipway(developer, 'logs', name, 'greet');
    expect(logs).toEqual({ code: 0, stdout: `${pod}: hello slipway\n`, stderr: '' });
  });

  it('a viewer token may read but not submit, and a missing one gets the SLIPWAY_TOKEN hint', async () => {
    const viewer = (await slipway(ADMIN, 'token', 'create', 'cli-viewer', '--role', 'viewer')).stdout.trim();
    expect((await slipway(viewer, 'get', name, '-o', 'json')).code).toBe(0);
    const denied = await slipway(viewer, 'submit', '--from', 'workflowtemplate/anything');
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/^slipway submit: 403: token "cli-viewer" \(role viewer\) is not allowed to change workflows\nhint: /);
    const anonymous = await slipway('', 'list');
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^slipway list: 401: .*\nhint: set SLIPWAY_TOKEN/);
  });
});
