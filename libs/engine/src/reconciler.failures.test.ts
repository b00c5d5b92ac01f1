import { describe, expect, it } from 'vitest';
import { run } from './test-support.js';

describe('{{workflow.failures}} and {{workflow.duration}} in an exit handler', () => {
  it("are strconv.Quote'd json.Marshal output and Go's %f", () => {
    const r = run(
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: w
spec:
  entrypoint: fail
  onExit: report
  templates:
  - name: fail
    container: {image: alpine, command: [sh, -c, "exit 1"]}
  - name: report
    container: {image: alpine, command: [sh, -c], args: ["echo {{workflow.failures}} {{workflow.duration}}"]}
`,
      (pod) => (pod.containers[0].command?.includes('exit 1') ? { exitCode: 1, message: 'main: a <b> & c' } : {}),
    );
    const report = r.pods.find((p) => p.containers[0].args?.[0]?.startsWith('echo '));
    const [, failures, duration] = /^echo (.*) (\S+)$/.exec(report?.containers[0].args?.[0] ?? '') ?? [];
    const json = '[{"displayName":"w","message":"main: a \\u003cb\\u003e \\u0026 c","templateName":"fail","phase":"Failed","podName":"w","finishedAt":"2026-03-01T10:00:01Z"}]';
    expect(failures).toBe(JSON.stringify(json));
    expect(duration).toMatch(/^\d+\.\d{6}$/);
  });
});
