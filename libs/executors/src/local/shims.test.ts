/** Image shims: argv resolution (pure) and the argosay / cowsay / python stand-ins (real processes). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { containerArgv, parseImage } from './shims.js';
import { podRequest, testExecutor } from './testing.js';

describe('parseImage', () => {
  test.each([
    ['argoproj/argosay:v2', 'argoproj/argosay', 'v2'],
    ['docker.io/argoproj/argosay:v1', 'argoproj/argosay', 'v1'],
    ['python:3.12-slim', 'python', '3.12-slim'],
    ['docker.io/library/busybox', 'busybox', 'latest'],
    ['localhost:5000/team/tool:1.0@sha256:abc', 'team/tool', '1.0'],
    ['docker/whalesay', 'docker/whalesay', 'latest'],
  ])('%s', (image, repository, tag) => {
    expect(parseImage(image)).toEqual({ repository, tag });
  });
});

describe('containerArgv (Kubernetes command/args semantics)', () => {
  test('command replaces ENTRYPOINT and args replace CMD', () => {
    expect(containerArgv({ image: 'argoproj/argosay:v2', command: ['sh', '-c'], args: ['echo hi'] }, undefined)).toEqual({
      argv: ['sh', '-c', 'echo hi'],
    });
    expect(containerArgv({ image: 'argoproj/argosay:v2', args: ['echo', 'x'] }, undefined)).toEqual({ argv: ['/argosay', 'echo', 'x'] });
    expect(containerArgv({ image: 'argoproj/argosay:v2' }, undefined)).toEqual({ argv: ['/argosay'] });
    expect(containerArgv({ image: 'argoproj/argosay:v1' }, undefined)).toEqual({ argv: ['cowsay'] });
    expect(containerArgv({ image: 'docker/whalesay:latest', args: ['cowsay', 'hi'] }, undefined)).toEqual({ argv: ['cowsay', 'hi'] });
  });

  test('a script path is appended after args', () => {
    expect(containerArgv({ image: 'python:3', command: ['python'], args: ['-u'] }, '/argo/staging/script')).toEqual({
      argv: ['python', '-u', '/argo/staging/script'],
    });
  });

  test('no command and an unknown image is an error naming both', () => {
    expect(containerArgv({ name: 'web', image: 'nginx:1.19', args: ['-g', 'daemon off;'] }, undefined)).toEqual({
      error: 'container "web": image "nginx:1.19" has no command and no local entrypoint shim; give the template a command',
    });
  });
});

describe.each(['bwrap', 'none'] as const)('image shims (sandbox: %s)', (sandbox) => {
  let t: ReturnType<typeof testExecutor>;
  beforeAll(() => {
    t = testExecutor({ sandbox });
  });
  afterAll(async () => {
    await t.dispose();
  });
  const argosay = (args?: string[], command?: string[]) =>
    t.run(podRequest({ image: 'argoproj/argosay:v2', ...(args ? { args } : {}), ...(command ? { command } : {}) }));

  test('argosay: no args, echo, echo MSG, and 4+ words print as the image does', async () => {
    const [none, echo, msg, many] = await Promise.all([
      argosay(),
      argosay(['echo']),
      argosay(['echo', 'hello world']),
      argosay(['echo', 'a', 'b', 'c']),
    ]);
    expect(none).toMatchObject({ phase: 'Succeeded', result: 'hello argo' });
    expect(echo.result).toBe('hello argo');
    expect(msg.result).toBe('hello world');
    expect(many).toMatchObject({ phase: 'Succeeded', result: '' });
  });

  test('argosay: echo MSG FILE writes the file (parents made) and prints nothing', async () => {
    const file = sandbox === 'bwrap' ? '/tmp/deep/out.txt' : `${t.workdir}/deep/out.txt`;
    const req = podRequest({ image: 'argoproj/argosay:v2', args: ['echo', 'to file', file] }, {
      outputParameterPaths: [{ name: 'out', path: file }],
    });
    const result = await t.run(req);
    expect(result).toMatchObject({ phase: 'Succeeded', result: '', outputParameters: { out: 'to file\n' } });
  });

  test('argosay: cat, assert_contains, exit N, sleep, unknown verb', async () => {
    const file = sandbox === 'bwrap' ? '/tmp/f.txt' : `${t.workdir}/f-${Date.now()}.txt`;
    const pre = `argosay echo "needle here" ${file} && `;
    const sh = (script: string) => t.run(podRequest({ image: 'argoproj/argosay:v2', command: ['sh', '-c', pre + script] }));
    const [cat, found, notFound, noFile, exit, sleep, unknown] = await Promise.all([
      sh(`argosay cat ${file}`),
      sh(`argosay assert_contains ${file} needle`),
      sh(`argosay assert_contains ${file} absent`),
      argosay(['assert_contains', '/no/such/file', 'x']),
      argosay(['exit', '42']),
      argosay(['sleep', '0.1']),
      argosay(['frobnicate']),
    ]);
    expect(cat).toMatchObject({ phase: 'Succeeded', result: 'needle here' });
    expect(found).toMatchObject({ phase: 'Succeeded', result: 'needle here' });
    expect(notFound).toMatchObject({ phase: 'Failed', exitCode: 1 });
    expect(noFile).toMatchObject({ phase: 'Failed', exitCode: 2 });
    expect(exit).toMatchObject({ phase: 'Failed', exitCode: 42, message: 'main: Error (exit code 42)' });
    expect(sleep.phase).toBe('Succeeded');
    expect(sleep.finishedAt - sleep.startedAt).toBeGreaterThanOrEqual(100);
    expect(unknown).toMatchObject({ phase: 'Failed', exitCode: 1, result: '' });
  });

  test('argosay is on PATH and at /argosay for commands that name it', async () => {
    const result = await argosay(undefined, ['sh', '-c', 'argosay echo via-path']);
    expect(result.result).toBe('via-path');
  });

  test('cowsay (argosay:v1 default, whalesay) prints the text; python runs python3', async () => {
    const [v1, whale, python] = await Promise.all([
      t.run(podRequest({ image: 'argoproj/argosay:v1', command: ['sh', '-c', 'cowsay hello'] })),
      t.run(podRequest({ image: 'docker/whalesay', args: ['cowsay', 'moo'] })),
      t.run(podRequest({ image: 'python:alpine', command: ['python', '-c', 'import sys; print(sys.version_info[0])'] })),
    ]);
    expect(v1.result).toContain('< hello >');
    expect(whale.result).toContain('< moo >');
    expect(python.result).toBe('3');
  });
});
