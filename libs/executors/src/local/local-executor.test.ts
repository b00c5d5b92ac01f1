/** Core behaviour, sandboxed (bwrap) and unsandboxed alike. Real processes, no mocks. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { podRequest, shPod, testExecutor } from './testing.js';
import { LocalExecutor } from './local-executor.js';

describe.each([
  ['bwrap', 'resident'],
  ['none', 'resident'],
  ['none', 'node'],
] as const)('LocalExecutor (sandbox: %s, spawner: %s)', (sandbox, spawner) => {
  let t: ReturnType<typeof testExecutor>;
  beforeAll(() => {
    t = testExecutor({ sandbox, spawner });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test('reports the sandbox mode and the spawner it runs with', () => {
    expect(t.executor.sandboxMode).toBe(sandbox);
    expect(t.executor.spawnerKind).toBe(spawner);
  });

  test('exit 0 is Succeeded, exit N is Failed with Argo wording and the code', async () => {
    const ok = shPod('exit 0');
    const [okResult, failed] = await Promise.all([t.run(ok), t.run(shPod('exit 3'))]);
    expect(okResult).toMatchObject({ phase: 'Succeeded', exitCode: 0 });
    expect(okResult.message).toBeUndefined();
    expect(okResult.finishedAt).toBeGreaterThanOrEqual(okResult.startedAt);
    expect(t.sink.started.get(ok.nodeId)).toBeGreaterThanOrEqual(okResult.startedAt);
    expect(failed).toMatchObject({ phase: 'Failed', exitCode: 3, message: 'main: Error (exit code 3)' });
  });

  test('a process killed by a signal is Failed with 128+signal', async () => {
    const result = await t.run(shPod('kill -9 $$'));
    expect(result).toMatchObject({ phase: 'Failed', exitCode: 137, message: 'main: Error (exit code 137)' });
  });

  test('a command that cannot start is Error with a clear message', async () => {
    const result = await t.run(podRequest({ image: 'busybox', command: ['no-such-command-xyz'] }));
    expect(result.phase).toBe('Error');
    expect(result.message).toMatch(/container "main" could not start: .*no-such-command-xyz.*no such file or directory/i);
  });

  test('result is stdout only, with one trailing newline trimmed, and only when asked', async () => {
    const [two, none, notAsked] = await Promise.all([
      t.run(shPod('echo out; echo err >&2; printf "last\\n\\n"')),
      t.run(shPod('printf "no newline"')),
      t.run(shPod('echo hidden', { captureResult: false })),
    ]);
    expect(two.result).toBe('out\nlast\n');
    expect(none.result).toBe('no newline');
    expect(notAsked.result).toBeUndefined();
  });

  test('result keeps the last 256 KiB of stdout', async () => {
    // 300 KiB of "a", then a marker: the head is cut, the tail kept.
    const result = await t.run(shPod('head -c 307200 /dev/zero | tr "\\0" a; echo END'));
    expect(result.result?.length).toBe(256 * 1024 - 1);
    expect(result.result?.endsWith('aEND')).toBe(true);
  });

  test('output parameters are read from files, null when missing', async () => {
    const req = shPod('printf hello > /tmp/p1.txt', {
      outputParameterPaths: [
        { name: 'p1', path: '/tmp/p1.txt' },
        { name: 'missing', path: '/tmp/not-there.txt' },
      ],
    });
    expect((await t.run(req)).outputParameters).toEqual({ p1: 'hello', missing: null });
  });

  test.each([
    ['sh', ['sh'], 'echo "from sh $0"', /^from sh .*script$/],
    ['sh -c', ['sh', '-c'], 'echo "from sh -c"', /^from sh -c$/],
    ['bash', ['bash'], 'echo "from bash ${BASH_VERSION%%.*}"', /^from bash \d+$/],
    ['python', ['python'], 'import sys\nprint("from python", sys.version_info[0])', /^from python 3$/],
  ])('script template with [%s] runs the staged source', async (_label, command, source, expected) => {
    const req = podRequest({ image: 'python:3.12', command }, { scriptSource: source });
    const result = await t.run(req);
    expect(result.phase).toBe('Succeeded');
    expect(result.result).toMatch(expected);
  });

  test('script args come before the script path, as Argo appends the path to args', async () => {
    const req = podRequest({ image: 'alpine', command: ['sh', '-c'], args: [] }, { scriptSource: 'echo staged' });
    expect((await t.run(req)).result).toBe('staged');
  });

  test('env values and request env reach the process; valueFrom is skipped with a log line', async () => {
    const req = podRequest(
      {
        image: 'busybox',
        command: ['sh', '-c', 'echo "$GREETING $FROM_ENGINE ${SECRET-unset}"'],
        env: [{ name: 'GREETING', value: 'hi' }, { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      },
      { env: { FROM_ENGINE: 'engine' } },
    );
    const result = await t.run(req);
    expect(result.result).toBe('hi engine unset');
    expect(t.sink.lines).toContainEqual({ container: 'main', stream: 'stderr', text: expect.stringMatching(/SECRET: valueFrom is not supported/) });
  });

  test('the host environment does not leak into containers', async () => {
    process.env.SLIPWAY_TEST_LEAK = 'leaked';
    try {
      const result = await t.run(shPod('echo "${SLIPWAY_TEST_LEAK-clean}"'));
      expect(result.result).toBe('clean');
    } finally {
      delete process.env.SLIPWAY_TEST_LEAK;
    }
  });

  test('workingDir: the per-pod directory by default, created when missing', async () => {
    const missing = sandbox === 'bwrap' ? '/srv-slipway-test/deep/dir' : `${t.workdir}/made/for/cwd`;
    const [byDefault, created, existing] = await Promise.all([
      t.run(shPod('pwd; touch here')),
      t.run(podRequest({ image: 'busybox', command: ['sh', '-c', 'pwd; touch made'], workingDir: missing })),
      t.run(podRequest({ image: 'busybox', command: ['pwd'], workingDir: '/usr/bin' })),
    ]);
    expect(byDefault.phase).toBe('Succeeded');
    expect(byDefault.result).toMatch(sandbox === 'bwrap' ? /^\/argo\/work$/ : /\/workflows\/[^/]+\/scratch\/[^/]+$/);
    expect(created).toMatchObject({ phase: 'Succeeded', result: missing });
    expect(existing.result).toBe('/usr/bin');
  });

  test('a pod never sees what an earlier pod left in its working directory or /tmp', async () => {
    // Sequential pods of one workflow: empty directories are reused (scratch-dirs.ts), used ones are not.
    // Unsandboxed, /tmp is the host's: only the working directory is the pod's own.
    const leave = shPod(sandbox === 'bwrap' ? 'pwd; ls -A; ls -A /tmp; touch left-here /tmp/left-in-tmp' : 'pwd; ls -A; touch left-here');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await t.run({ ...leave, nodeId: `${leave.nodeId}-${i}`, podName: `${leave.podName}-${i}` }));
    for (const r of results) expect(r).toMatchObject({ phase: 'Succeeded' });
    for (const r of results) expect(r.result?.split('\n').slice(1).join('')).toBe('');
    expect(new Set(results.map((r) => r.result?.split('\n')[0])).size).toBe(sandbox === 'bwrap' ? 1 : 4);
    const quiet = shPod('pwd');
    const dirs = [];
    for (let i = 0; i < 4; i++) dirs.push((await t.run({ ...quiet, nodeId: `${quiet.nodeId}-q${i}`, podName: `${quiet.podName}-q${i}` })).result);
    if (sandbox === 'none') expect(new Set(dirs).size).toBeLessThan(4);
  });

  test('raw input artifacts are written before the container starts, with their mode', async () => {
    const path = sandbox === 'bwrap' ? '/tmp/in/data.txt' : `${t.workdir}/in/data.txt`;
    const req = shPod(`cat ${path}; stat -c %a ${path}`, {
      inputArtifacts: [{ name: 'data', path, raw: 'raw content\n', mode: 0o600 }],
    });
    expect((await t.run(req)).result).toBe('raw content\n600');
  });

  test('logs go to <workdir>/logs/<uid>/<pod>/<container>.log and to sink.log, line by line', async () => {
    const req = shPod('printf "one\\ntw"; sleep 0.05; printf "o\\nthree"; echo oops >&2');
    await t.run(req);
    const log = readFileSync(`${t.workdir}/logs/${req.workflow.uid}/${req.podName}/main.log`, 'utf8');
    expect(log).toContain('one\ntwo\nthree');
    expect(log).toContain('oops\n');
    const mine = t.sink.lines.filter((l) => l.container === 'main' && ['one', 'two', 'three', 'oops'].includes(l.text));
    expect(mine).toEqual([
      { container: 'main', stream: 'stdout', text: 'one' },
      { container: 'main', stream: 'stdout', text: 'two' },
      { container: 'main', stream: 'stderr', text: 'oops' },
      { container: 'main', stream: 'stdout', text: 'three' },
    ]);
  });

  test('output that never ends a line reaches sink.log in bounded pieces', async () => {
    const req = shPod('head -c 200000 /dev/zero | tr "\\0" b', { captureResult: false });
    await t.run(req);
    const pieces = t.sink.lines.filter((l) => l.text.startsWith('bbbb'));
    expect(pieces.map((p) => p.text.length)).toEqual([65536, 65536, 65536, 200000 - 3 * 65536]);
  });

  test('start is idempotent per node: one process; a finished node re-reports its result', async () => {
    const req = shPod('sleep 0.2; echo ran');
    t.executor.start(req, t.sink);
    t.executor.start(req, t.sink);
    const first = await t.sink.result(req.nodeId);
    expect(t.sink.finished.filter((r) => r.nodeId === req.nodeId)).toHaveLength(1);
    expect(readFileSync(`${t.workdir}/logs/${req.workflow.uid}/${req.podName}/main.log`, 'utf8')).toBe('ran\n');
    t.executor.start(req, t.sink);
    const again = t.sink.finished.filter((r) => r.nodeId === req.nodeId);
    expect(again).toHaveLength(2);
    expect(again[1]).toEqual(first);
  });

  test('kill takes down the whole process tree quickly; the result is Failed with the reason', async () => {
    const marker = `${Date.now() % 1000}.${process.pid}`;
    const req = shPod(`sleep 3${marker} & sleep 4${marker} & (sleep 5${marker}; echo never) & wait`);
    t.executor.start(req, t.sink);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = Date.now();
    await t.executor.kill(req.nodeId, 'Step exceeded its deadline');
    expect(Date.now() - before).toBeLessThan(1000);
    const result = await t.sink.result(req.nodeId);
    expect(result).toMatchObject({ phase: 'Failed', message: 'Step exceeded its deadline' });
    const leftovers = readProcCmdlines().filter((c) => c.includes(marker));
    expect(leftovers).toEqual([]);
  });

  test('kill of an unknown or finished node is a no-op', async () => {
    await t.executor.kill('nobody', 'why');
    const req = shPod('true');
    await t.run(req);
    await t.executor.kill(req.nodeId, 'late');
    expect(t.sink.finished.filter((r) => r.nodeId === req.nodeId)).toHaveLength(1);
  });

  test('resource templates and unreachable git input artifacts are Error', async () => {
    const resource = podRequest({ image: 'x' }, { template: { name: 'r', resource: { action: 'create', manifest: 'kind: X' } } });
    const git = shPod('true', { inputArtifacts: [{ name: 'src', path: '/tmp/src', git: { repo: 'file:///nonexistent/r.git' } }] });
    const [r, g] = await Promise.all([t.run(resource), t.run(git)]);
    expect(r).toMatchObject({ phase: 'Error', message: 'resource templates need the Kubernetes executor (set SLIPWAY_EXECUTOR=kubernetes)' });
    expect(g).toMatchObject({ phase: 'Error' });
    expect(g.message).toMatch(/^input artifact "src": git checkout of file:\/\/\/nonexistent\/r.git: /);
  });

  test('a container with no command and no shim for its image is Error naming both', async () => {
    const result = await t.run(podRequest({ image: 'nginx:1.19' }));
    expect(result).toMatchObject({
      phase: 'Error',
      message: 'container "main": image "nginx:1.19" has no command and no local entrypoint shim; give the template a command',
    });
    expect(t.sink.started.has(result.nodeId)).toBe(false);
  });

  test('releaseWorkflow removes the workflow directory but keeps logs', async () => {
    const req = shPod('echo kept', { workflow: { name: 'rel', namespace: 'default', uid: `rel-${sandbox}` } });
    await t.run(req);
    expect(statSync(`${t.workdir}/workflows/${req.workflow.uid}`).isDirectory()).toBe(true);
    await t.executor.releaseWorkflow(req.workflow.uid);
    expect(existsSync(`${t.workdir}/workflows/${req.workflow.uid}`)).toBe(false);
    expect(readFileSync(`${t.workdir}/logs/${req.workflow.uid}/${req.podName}/main.log`, 'utf8')).toBe('kept\n');
  });

  test.each(['sync', 'process'] as const)('with removeFiles: %s, releaseWorkflow removes the same files (the CLI uses process)', async (removeFiles) => {
    const cli = testExecutor({ sandbox, spawner, removeFiles });
    try {
      const req = shPod('echo kept; mkdir -p a/b && touch a/b/c', { workflow: { name: 'rel', namespace: 'default', uid: `rel-${removeFiles}-${sandbox}` } });
      await cli.run(req);
      expect(statSync(`${cli.workdir}/workflows/${req.workflow.uid}`).isDirectory()).toBe(true);
      await cli.executor.releaseWorkflow(req.workflow.uid);
      expect(existsSync(`${cli.workdir}/workflows/${req.workflow.uid}`)).toBe(false);
      expect(readFileSync(`${cli.workdir}/logs/${req.workflow.uid}/${req.podName}/main.log`, 'utf8')).toBe('kept\n');
    } finally {
      await cli.dispose();
    }
  });

  test('a removal by process still removes everything when rm cannot run, and close() waits for a removal under way', async () => {
    const cli = testExecutor({ sandbox, spawner, removeFiles: 'process' });
    try {
      const req = shPod('mkdir -p deep/er && touch deep/er/file', { workflow: { name: 'rel', namespace: 'default', uid: `rel-norm-${sandbox}` } });
      await cli.run(req);
      const files = `${cli.workdir}/workflows/${req.workflow.uid}`;
      // Another executor on the same directory, whose processes find no rm on their PATH.
      const path = process.env.PATH;
      process.env.PATH = '/nonexistent';
      let norm: LocalExecutor;
      try {
        norm = new LocalExecutor({ workdir: cli.workdir, sandbox, spawner, removeFiles: 'process', warn: () => undefined });
      } finally {
        process.env.PATH = path;
      }
      await norm.releaseWorkflow(req.workflow.uid);
      await norm.close();
      expect(existsSync(files)).toBe(false);

      const second = shPod('mkdir -p x/y && touch x/y/z', { workflow: { name: 'rel', namespace: 'default', uid: `rel-close-${sandbox}` } });
      await cli.run(second);
      const more = `${cli.workdir}/workflows/${second.workflow.uid}`;
      expect(existsSync(more)).toBe(true);
      void cli.executor.releaseWorkflow(second.workflow.uid);
      await cli.executor.close();
      expect(existsSync(more)).toBe(false);
    } finally {
      await cli.dispose();
    }
  });
});

function readProcCmdlines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // gone
    }
  }
  return out;
}
