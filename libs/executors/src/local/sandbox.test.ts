/** The bwrap mount layout: private paths, volumes by lifetime, writable output paths, isolation. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { PodRequest, ResolvedVolume } from '@slipway/engine';
import type { Container } from '@slipway/workflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BWRAP_MISSING_WARNING, LocalExecutor } from './local-executor.js';
import { podRequest, RecordingSink, shPod, testExecutor } from './testing.js';

const emptyDir = (name: string): ResolvedVolume => ({ name, lifetime: 'pod', source: { name, emptyDir: {} } });
const claim = (name: string): ResolvedVolume => ({
  name,
  lifetime: 'workflow',
  source: { name, persistentVolumeClaim: { claimName: name } },
});
const workflow = (uid: string): PodRequest['workflow'] => ({ name: uid, namespace: 'default', uid });

/** A containerSet pod: containers with dependencies, template-level mounts merged into each. */
function containerSet(containers: Container[], overrides: Partial<PodRequest> = {}): PodRequest {
  return podRequest(containers[0], {
    template: { name: 'set', containerSet: { containers } },
    containers,
    ...overrides,
  });
}

describe('bwrap sandbox layout', () => {
  let t: ReturnType<typeof testExecutor>;
  beforeAll(() => {
    t = testExecutor({ sandbox: 'bwrap' });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test('output parameters outside /tmp and mounts are writable and read back: /mnt/out/x, /output', async () => {
    const req = shPod('echo -n nested > /mnt/out/hello.txt && echo -n top > /output', {
      outputParameterPaths: [
        { name: 'nested', path: '/mnt/out/hello.txt' },
        { name: 'top', path: '/output' },
        { name: 'missing', path: '/mnt/out/none.txt' },
      ],
    });
    const result = await t.run(req);
    expect(result).toMatchObject({ phase: 'Succeeded', outputParameters: { nested: 'nested', top: 'top', missing: null } });
  });

  test('top-level output files work across the containers of a pod (init, sidecar, main)', async () => {
    const req = shPod('cat /init-wrote; echo -n main > /output', {
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo from-init > /init-wrote'] }],
      sidecars: [{ name: 'side', image: 'busybox', command: ['sleep', '5'] }],
      outputParameterPaths: [{ name: 'out', path: '/output' }],
      outputArtifactPaths: [{ name: 'init', path: '/init-wrote' }],
    });
    expect(await t.run(req)).toMatchObject({ phase: 'Succeeded', result: 'from-init', outputParameters: { out: 'main' } });
  });

  test('parallel pods writing the same paths each see only their own files', async () => {
    const pod = (who: string) =>
      // (a checkout under /tmp is bound read-only into the sandbox, so only look for our own file)
      shPod(`echo ${who} > /tmp/x; echo ${who} > /mnt/out/x; sleep 0.2; cat /tmp/x /mnt/out/x; ls /tmp | grep -x x`, {
        outputParameterPaths: [
          { name: 'tmp', path: '/tmp/x' },
          { name: 'out', path: '/mnt/out/x' },
        ],
      });
    const [a, b] = await Promise.all([t.run(pod('alpha')), t.run(pod('beta'))]);
    expect(a).toMatchObject({ result: 'alpha\nalpha\nx', outputParameters: { tmp: 'alpha\n', out: 'alpha\n' } });
    expect(b).toMatchObject({ result: 'beta\nbeta\nx', outputParameters: { tmp: 'beta\n', out: 'beta\n' } });
  });

  test('the host root is read-only and the executor state is hidden', async () => {
    const result = await t.run(shPod(`touch /usr/slipway-test 2>&1; ls -A ${t.workdir} | wc -l`));
    expect(result.result).toMatch(/Read-only file system\n0$/);
  });

  test('an executor workdir outside /tmp is hidden from pods', async () => {
    const outside = testExecutor({ sandbox: 'bwrap', workdir: mkdtempSync('/var/tmp/slipway-local-') });
    try {
      const req = shPod(`echo secret > /tmp/s; ls -A ${outside.workdir} | wc -l; ls /var/tmp >/dev/null && echo var-ok`);
      expect(await outside.run(req)).toMatchObject({ phase: 'Succeeded', result: '0\nvar-ok' });
    } finally {
      await outside.dispose();
      rmSync(outside.workdir, { recursive: true, force: true });
    }
  });

  test('emptyDir is shared by the containers of a pod, fresh for the next pod', async () => {
    const containers: Container[] = [
      { name: 'writer', image: 'busybox', command: ['sh', '-c', 'echo "seen:[$(ls /workspace)]"; echo shared > /workspace/f'] },
      { name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /workspace/f'], dependencies: ['writer'] },
    ];
    const mounts = { volumes: [emptyDir('workspace')], extraVolumeMounts: [{ name: 'workspace', mountPath: '/workspace' }] };
    const first = containerSet(containers, mounts);
    const second = containerSet(containers, mounts);
    expect(await t.run(first)).toMatchObject({ phase: 'Succeeded', result: 'shared' });
    expect(await t.run(second)).toMatchObject({ phase: 'Succeeded', result: 'shared' });
    for (const req of [first, second]) {
      // Each pod's writer looked before writing: the directory started empty.
      expect(readFileSync(`${t.workdir}/logs/${req.workflow.uid}/${req.podName}/writer.log`, 'utf8')).toBe('seen:[]\n');
    }
  });

  test('a workflow claim is shared by the pods of one workflow and not across workflows', async () => {
    const mount = (script: string, uid: string) =>
      podRequest(
        { image: 'busybox', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/mnt/data' }] },
        { workflow: workflow(uid), volumes: [claim('data')] },
      );
    expect((await t.run(mount('echo one > /mnt/data/f', 'wf-a'))).phase).toBe('Succeeded');
    const [same, other] = await Promise.all([
      t.run(mount('cat /mnt/data/f', 'wf-a')),
      t.run(mount('cat /mnt/data/f 2>/dev/null || echo absent', 'wf-b')),
    ]);
    expect(same.result).toBe('one');
    expect(other.result).toBe('absent');
    expect(readFileSync(`${t.workdir}/workflows/wf-a/volumes/data/f`, 'utf8')).toBe('one\n');
  });

  test('mounts at existing and new paths, subPath, readOnly and hostPath', async () => {
    const host = mkdtempSync(`${tmpdir()}/slipway-hostpath-`);
    try {
      const req = podRequest(
        {
          image: 'busybox',
          command: ['sh', '-c', 'echo w > /work/w; echo c > /root/.cache/new-dir/c; echo h > /host/h; touch /ro/x 2>/dev/null || echo ro-ok; ls /usr/bin | grep -c "^sh$"'],
          volumeMounts: [
            { name: 'data', mountPath: '/work' },
            { name: 'data', mountPath: '/root/.cache/new-dir', subPath: 'cache' },
            { name: 'host', mountPath: '/host' },
            { name: 'data', mountPath: '/ro', readOnly: true },
          ],
        },
        { volumes: [claim('data'), { name: 'host', lifetime: 'pod', source: { name: 'host', hostPath: { path: host } } }] },
      );
      const result = await t.run(req);
      expect(result).toMatchObject({ phase: 'Succeeded', result: 'ro-ok\n1' });
      expect(readFileSync(`${t.workdir}/workflows/wf-uid-1/volumes/data/cache/c`, 'utf8')).toBe('c\n');
      expect(readFileSync(`${host}/h`, 'utf8')).toBe('h\n');
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });

  test('output artifacts (files and directories) are kept under artifacts/<nodeId>/<name>', async () => {
    const req = shPod('mkdir -p /out/dir && echo a > /out/dir/a && echo f > /tmp/f.txt && echo r > /result.txt', {
      outputArtifactPaths: [
        { name: 'dir', path: '/out/dir' },
        { name: 'file', path: '/tmp/f.txt' },
        { name: 'top', path: '/result.txt' },
      ],
    });
    await t.run(req);
    const kept = `${t.workdir}/workflows/${req.workflow.uid}/artifacts/${req.nodeId}`;
    expect(readFileSync(`${kept}/dir/a`, 'utf8')).toBe('a\n');
    expect(readFileSync(`${kept}/file`, 'utf8')).toBe('f\n');
    expect(readFileSync(`${kept}/top`, 'utf8')).toBe('r\n');
  });

  test('raw input artifacts at top-level paths are placed in the pod root', async () => {
    const req = shPod('cat /my-artifact', { inputArtifacts: [{ name: 'a', path: '/my-artifact', raw: 'hello' }] });
    expect((await t.run(req)).result).toBe('hello');
  });

  test('a sandbox that cannot be set up is an Error carrying bwrap\'s reason', async () => {
    const req = podRequest(
      { image: 'busybox', command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/etc/passwd/sub' }] },
      { volumes: [emptyDir('v')], env: {} },
    );
    const result = await t.run(req);
    expect(result.phase).toBe('Error');
    expect(result.message).toMatch(/^container "main": sandbox set-up failed: .*\/etc\/passwd\/sub/);
  });

  test('an unknown volume is an Error naming it', async () => {
    const req = podRequest({ image: 'busybox', command: ['true'], volumeMounts: [{ name: 'ghost', mountPath: '/g' }] });
    expect(await t.run(req)).toMatchObject({ phase: 'Error', message: 'container "main": volume "ghost" is not defined' });
  });
});

describe('without bubblewrap', () => {
  test('auto falls back to unsandboxed with one clear warning, and still runs pods', async () => {
    const warnings: string[] = [];
    const workdir = mkdtempSync(`${tmpdir()}/slipway-nobwrap-`);
    const executor = new LocalExecutor({ workdir, bwrapPath: '/nonexistent/bwrap', warn: (m) => warnings.push(m) });
    try {
      expect(executor.sandboxMode).toBe('none');
      expect(warnings).toEqual([BWRAP_MISSING_WARNING]);
      const sink = new RecordingSink();
      const req = shPod('echo unsandboxed');
      executor.start(req, sink);
      expect(await sink.result(req.nodeId)).toMatchObject({ phase: 'Succeeded', result: 'unsandboxed' });
      const log = `${executor.workdir}/logs/${req.workflow.uid}/${req.podName}/main.log`;
      for (let i = 0; i < 100 && statSync(log).size === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(statSync(log).size).toBeGreaterThan(0);
    } finally {
      await executor.close();
      rmSync(workdir, { recursive: true, force: true });
    }
  });

  test("sandbox: 'bwrap' without a working bwrap refuses to start", () => {
    expect(() => new LocalExecutor({ workdir: tmpdir(), sandbox: 'bwrap', bwrapPath: '/nonexistent/bwrap' })).toThrow(/does not work here/);
  });
});
