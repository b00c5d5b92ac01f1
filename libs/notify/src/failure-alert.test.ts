/** Alert content: the failed steps with their log tails, the link, and HTML escaping. */
import { describe, expect, it } from 'vitest';
import { podName, type NodeStatus, type Workflow } from '@slipway/workflow';
import { buildFailureAlert } from './failure-alert.js';
import { failedNodes } from './failed-nodes.js';
import { alertContextOf, alertMessageId, parseRecipients, workflowLink } from './alert-context.js';

const WF = 'java-build-x7k2p';

function node(id: string, fields: Partial<NodeStatus>): NodeStatus {
  return { id, name: `${WF}.${id}`, displayName: id, type: 'Pod', phase: 'Succeeded', ...fields };
}

/** A steps workflow: checkout succeeded, compile failed (exit 1), test retried twice, exit handler ok. */
function failedWorkflow(): Workflow {
  const nodes: Record<string, NodeStatus> = {
    [WF]: { id: WF, name: WF, displayName: WF, type: 'Steps', phase: 'Failed', message: "child 'compile' failed", children: ['g0'] },
    g0: node('g0', { name: `${WF}[0]`, displayName: '[0]', type: 'StepGroup', phase: 'Failed', children: ['checkout', 'compile', 'test'] }),
    checkout: node('checkout', { templateName: 'checkout', finishedAt: '2026-11-26T10:00:05Z' }),
    compile: node('compile', {
      name: `${WF}[0].compile`,
      templateRef: { name: 'generic-java-compile', template: 'compile' },
      phase: 'Failed',
      message: 'Error (exit code 1)',
      outputs: { exitCode: '1' },
      finishedAt: '2026-11-26T10:00:10Z',
    }),
    test: node('test', { name: `${WF}[0].test`, type: 'Retry', phase: 'Failed', message: 'No more retries left', children: ['t0', 't1'] }),
    t0: node('t0', { name: `${WF}[0].test(0)`, displayName: 'test(0)', templateName: 'unit-test', phase: 'Failed', message: 'first try', outputs: { exitCode: '2' }, finishedAt: '2026-11-26T10:00:11Z' }),
    t1: node('t1', { name: `${WF}[0].test(1)`, displayName: 'test(1)', templateName: 'unit-test', phase: 'Error', message: 'pod deleted', finishedAt: '2026-11-26T10:00:12Z' }),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: WF, namespace: 'ci', uid: '6f1c2b9e-8f5a-4c31-9a77-0c3f2d1e4b5a' },
    spec: { entrypoint: 'main' },
    status: { phase: 'Failed', message: "child 'compile' failed", startedAt: '2026-11-26T10:00:00Z', finishedAt: '2026-11-26T10:00:20Z', nodes },
  };
}

const compilePod = podName(WF, `${WF}[0].compile`, 'compile');
const testPod = podName(WF, `${WF}[0].test(1)`, 'unit-test');

describe('failedNodes', () => {
  it('lists failed work nodes in finishing order, only the last attempt of a retried step', () => {
    const found = failedNodes(failedWorkflow());
    expect(found.map((f) => f.node.id)).toEqual(['compile', 't1']);
    expect(found[0]).toMatchObject({ template: 'generic-java-compile/compile', exitCode: '1', podName: compilePod });
    expect(found[1]).toMatchObject({ template: 'unit-test', podName: testPod, attempt: { index: 2, of: 2 } });
  });

  it('falls back to failed nodes with a message when no step failed', () => {
    const wf = failedWorkflow();
    wf.status!.nodes = { [WF]: wf.status!.nodes![WF], bad: node('bad', { type: 'DAG', phase: 'Error', message: 'invalid spec: no template "x"' }) };
    expect(failedNodes(wf).map((f) => f.node.id)).toEqual(['bad']);
  });
});

describe('buildFailureAlert', () => {
  const compileLog = Array.from({ length: 100 }, (_, i) => `[INFO] line ${i + 1}`).concat(['Main.java:3: error: ";" expected']);

  it('describes the workflow, its origin, each failed step with the end of its log, and links to it', async () => {
    const asked: string[] = [];
    const alert = await buildFailureAlert({
      workflow: failedWorkflow(),
      repo: 'acme/shop',
      branch: 'feature/login',
      commit: '0a1b2c3d4e5f',
      pusher: 'Jane Doe',
      link: workflowLink('https://slipway.example.com/', 'ci', WF),
      logTail: (pod) => {
        asked.push(pod);
        if (pod === compilePod) return Promise.resolve(compileLog);
        return Promise.reject(new Error('log store unreachable'));
      },
    });
    expect(asked.sort()).toEqual([compilePod, testPod].sort());
    expect(alert.subject).toBe(`[Slipway] Failed: ci/${WF} (acme/shop, feature/login)`);
    const { text } = alert;
    for (const expected of [
      `Workflow ci/${WF} ended Failed.`,
      "Message: child 'compile' failed",
      'Repository: acme/shop',
      'Branch:     feature/login',
      'Commit:     0a1b2c3d4e5f',
      'Pushed by:  Jane Doe',
      'Failed steps (2):',
      '* compile — Failed (exit code 1)',
      'Template: generic-java-compile/compile',
      'Message:  Error (exit code 1)',
      `Last 30 lines of the log (pod ${compilePod}):`,
      '  | Main.java:3: error: ";" expected',
      '* test(1) — Error',
      'Attempt:  2 of 2',
      'Log unavailable: log store unreachable',
      `Open the workflow: https://slipway.example.com/workflows/ci/${WF}`,
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain('  | [INFO] line 72');
    expect(text).not.toContain('[INFO] line 71\n');
    expect(text.match(/^ {2}\| /gm)).toHaveLength(30);
    expect(alert.html).toContain(`<a href="https://slipway.example.com/workflows/ci/${WF}">`);
    expect(alert.html).toContain('Main.java:3: error: &quot;;&quot; expected');
  });

  it('escapes everything that reaches the HTML body and keeps headers on one line', async () => {
    const wf = failedWorkflow();
    wf.status!.nodes!.compile.displayName = '<img src=x onerror=alert(1)>';
    wf.status!.nodes!.compile.message = 'exit <1> & "quoted"';
    const alert = await buildFailureAlert({
      workflow: wf,
      branch: "main'\r\nBcc: victim@example.com",
      pusher: '<script>alert("pwned")</script>',
      link: 'javascript:alert(1)',
      logTail: () => Promise.resolve(['<b>bold</b> & \x1b[31mred\x1b[0m', '</pre><script>x()</script>']),
    });
    expect(alert.subject).not.toMatch(/[\r\n]/);
    expect(alert.html).not.toContain('<script>');
    expect(alert.html).not.toContain('<img');
    expect(alert.html).not.toContain('href="javascript');
    expect(alert.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(alert.html).toContain('exit &lt;1&gt; &amp; &quot;quoted&quot;');
    expect(alert.html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; red');
    expect(alert.html).toContain('&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;');
    expect(alert.html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(alert.text).toContain('  | <b>bold</b> & red');
  });

  it('says when a failed pod wrote no log', async () => {
    const alert = await buildFailureAlert({ workflow: failedWorkflow(), link: 'http://localhost:2746', logTail: () => Promise.resolve([]) });
    expect(alert.text).toContain(`(the pod ${compilePod} wrote no log)`);
    expect(alert.subject).toBe(`[Slipway] Failed: ci/${WF}`);
  });
});

describe('alert context', () => {
  it('reads recipients and push details from annotations, deduplicated and validated', () => {
    const wf = failedWorkflow();
    wf.metadata.annotations = {
      'slipway.dev/alert-recipients': 'dev@acme.io; Ops Team <ops@acme.io>, DEV@acme.io, not-an-address',
      'slipway.dev/repo': 'acme/shop',
      'slipway.dev/branch': 'main',
    };
    const ctx = alertContextOf(wf, ['lead@acme.io']);
    expect(ctx).toMatchObject({ recipients: ['dev@acme.io', 'Ops Team <ops@acme.io>', 'lead@acme.io'], invalidRecipients: ['not-an-address'], repo: 'acme/shop', branch: 'main' });
    expect(ctx.commit).toBeUndefined();
    expect(parseRecipients(undefined, '').recipients).toEqual([]);
  });

  it('derives the Message-ID from the workflow uid', () => {
    expect(alertMessageId('6f1c2b9e-8f5a-4c31-9a77-0c3f2d1e4b5a')).toBe('<alert-6f1c2b9e-8f5a-4c31-9a77-0c3f2d1e4b5a@slipway>');
  });
});
