/** The built `slipway` binary as a user runs it: exit codes, -o json, plain progress, Ctrl-C. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../../apps/cli/bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));

function slipway(args: string[], opts: { onStart?: (child: ReturnType<typeof spawn>) => void } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
    opts.onStart?.(child);
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const wf = (cmd: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: cli-
spec:
  entrypoint: main
${extra}  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c, "${cmd}"]
  - name: bye
    container:
      image: busybox
      command: [sh, -c, "echo bye {{workflow.status}} > /tmp/x; cat /tmp/x"]
`;

describe('slipway run', () => {
  it('exits 0 for Succeeded and prints the final Workflow in Argo\'s shape with -o json', async () => {
    const r = await slipway(['run', file('ok.yaml', wf('echo hello')), '-o', 'json', '--workdir', 'wd']);
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout) as { metadata: { name: string; uid: string }; status: { phase: string; nodes: Record<string, { name: string; phase: string; id: string }> } };
    expect(w.metadata.name).toMatch(/^cli-[a-z0-9]{5}$/);
    expect(w.status.phase).toBe('Succeeded');
    const root = w.status.nodes[w.metadata.name];
    expect(root).toMatchObject({ id: w.metadata.name, name: w.metadata.name, phase: 'Succeeded' });
    // not a TTY: one plain line per node phase change, then the outcome
    expect(r.stderr).toContain(`✔ ${w.metadata.name}  Succeeded`);
    expect(r.stderr).toMatch(new RegExp(`${w.metadata.name} Succeeded in \\d+s`));
    // the step's log stays on disk
    const logs = join(dir, 'wd', 'logs', w.metadata.uid);
    expect(existsSync(logs)).toBe(true);
    const pod = readdirSync(logs)[0];
    expect(readFileSync(join(logs, pod, 'main.log'), 'utf8')).toContain('hello');
  });

  it('writes all of a large -o json to a pipe whose reader is slow before it exits', async () => {
    const big = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: big-output
spec:
  entrypoint: main
  templates:
  - name: main
    script:
      image: busybox
      command: [sh]
      source: head -c 200000 /dev/zero | tr '\\0' a
`;
    const r = await slipway(['run', file('big.yaml', big), '-o', 'json', '--workdir', 'wd'], {
      onStart: (child) => {
        // Read nothing for a while: the pipe fills up and the rest of the output has to wait.
        child.stdout!.pause();
        setTimeout(() => child.stdout!.resume(), 500);
      },
    });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(200_000);
    const w = JSON.parse(r.stdout) as { status: { nodes: Record<string, { outputs?: { result?: string } }> } };
    expect(w.status.nodes['big-output'].outputs?.result).toBe('a'.repeat(200_000));
  });

  it('exits 1 for Failed and 2 for lint errors, naming the file, line and field', async () => {
    const failed = await slipway(['run', file('fail.yaml', wf('exit 3')), '-q']);
    expect(failed.code).toBe(1);
    const bad = await slipway(['run', file('bad.yaml', wf('true').replace('entrypoint: main', 'entrypoint: nope'))]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:6:3: spec\.entrypoint: .*nope/);
  });

  it('passes -p parameters and rejects malformed flags', async () => {
    const p = file('param.yaml', wf('echo {{workflow.parameters.who}}', '  arguments:\n    parameters:\n    - name: who\n      value: nobody\n'));
    const r = await slipway(['run', p, '-p', 'who=world', '-o', 'json', '-q']);
    expect(r.code).toBe(0);
    const bad = await slipway(['run', p, '-p', 'novalue']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must be NAME=VALUE');
  });

  it('--max-pods N runs at most N steps at once; every step still runs, in dependency order', async () => {
    const log = join(dir, 'max-pods.log');
    writeFileSync(log, '');
    const step = (n: string, deps = '') => `      - name: ${n}\n        template: step\n        arguments: {parameters: [{name: id, value: ${n}}]}\n${deps}`;
    const yaml = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: limited
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
${['a', 'b', 'c', 'd', 'e'].map((n) => step(n)).join('')}${step('last', '        dependencies: [a, b, c, d, e]\n')}
  - name: step
    inputs: {parameters: [{name: id}]}
    container:
      image: busybox
      command: [sh, -c, "echo +{{inputs.parameters.id}} >> ${log}; sleep 0.2; echo -{{inputs.parameters.id}} >> ${log}"]
`;
    const r = await slipway(['run', file('limited.yaml', yaml), '--max-pods', '2', '--sandbox', 'none', '-q', '-o', 'json']);
    expect(r.code).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    let now = 0;
    let most = 0;
    for (const line of lines) most = Math.max(most, (now += line.startsWith('+') ? 1 : -1));
    expect(most).toBe(2);
    expect(lines).toHaveLength(12);
    expect(lines.slice(-2)).toEqual(['+last', '-last']);
  });

  it('Ctrl-C stops the workflow cleanly: running steps are killed and the exit handler still runs', async () => {
    const p = file('long.yaml', wf('sleep 30', '  onExit: bye\n'));
    const started = Date.now();
    const r = await slipway(['run', p, '-o', 'json'], {
      onStart: (child) => {
        child.stderr!.on('data', (d: Buffer) => {
          if (d.toString().includes('Running')) child.kill('SIGINT');
        });
      },
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    const w = JSON.parse(r.stdout) as { status: { phase: string; message: string; nodes: Record<string, { name: string; phase: string }> } };
    expect(w.status.message).toBe("Stopped with strategy 'Stop'");
    const exit = Object.values(w.status.nodes).find((n) => n.name.endsWith('.onExit'));
    expect(exit?.phase).toBe('Succeeded');
  });
});

describe('slipway lint', () => {
  it('exits 0 for valid files and 1 with one line per error', async () => {
    expect((await slipway(['lint', file('good.yaml', wf('true'))])).code).toBe(0);
    const r = await slipway(['lint', file('dup.yaml', wf('true').replace('  entrypoint: main\n', '  entrypoint: main\n  entrypoint: main\n'))]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/dup\.yaml:7:3: spec: duplicate key "entrypoint" \(first defined at line 6\)/);
  });
});
