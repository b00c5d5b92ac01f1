import { describe, expect, it } from 'vitest';
import { HELLO, lintText as lint } from './test-support.js';

function workflow(templates: string): string {
  return `
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: hello
          templates:${templates}${HELLO}
      `;
}

describe('durations', () => {
  it('checks timeout, suspend.duration and backoff durations, skipping {{…}} values', () => {
    expect(
      lint(
        workflow(`
          - name: slow
            inputs: {parameters: [{name: max, value: 5m}]}
            timeout: 10 minutes
            retryStrategy:
              backoff: {duration: "1x", maxDuration: "{{inputs.parameters.max}}", cap: "2m"}
            container: {image: busybox}
          - name: wait
            suspend: {duration: "tomorrow"}
          - name: whole
            timeout: "30"
            container: {image: busybox}`),
      ),
    ).toEqual([
      'f1.yaml:9:5: spec.templates[0].timeout: invalid duration "10 minutes" (expected e.g. "30s", "5m", "1h30m")',
      'f1.yaml:11:17: spec.templates[0].retryStrategy.backoff.duration: invalid duration "1x" (expected e.g. "30s", "5m", "1h30m")',
      'f1.yaml:14:15: spec.templates[1].suspend.duration: invalid duration "tomorrow" (expected e.g. "30s", "5m", "1h30m")',
      'f1.yaml:16:5: spec.templates[2].timeout: "30" needs a unit, e.g. "30s"',
    ]);
  });

  it('checks activeDeadlineSeconds', () => {
    expect(
      lint(
        workflow(`
          - name: slow
            activeDeadlineSeconds: 1h
            container: {image: busybox}`),
      ),
    ).toEqual([
      'f1.yaml:8:5: spec.templates[0].activeDeadlineSeconds: activeDeadlineSeconds must be a non-negative number of seconds or a {{…}} variable, got "1h"',
    ]);
  });
});

describe('retry strategy', () => {
  it('checks retryPolicy and limit', () => {
    expect(
      lint(
        workflow(`
          - name: flaky
            retryStrategy: {limit: "3", retryPolicy: Sometimes}
            container: {image: busybox}`),
      ),
    ).toEqual([
      'f1.yaml:8:33: spec.templates[0].retryStrategy.retryPolicy: "Sometimes" is not a retry policy (Always, OnFailure, OnError, OnTransientError)',
    ]);
  });
});

describe('loops and continueOn', () => {
  it('allows one of withItems, withParam, withSequence, and count or end', () => {
    expect(
      lint(
        workflow(`
          - name: main
            steps:
            - - name: two-loops
                template: hello
                withItems: [a, b]
                withParam: '["c"]'
              - name: count-and-end
                template: hello
                withSequence: {count: "3", end: 5}
              - name: bad-count
                template: hello
                withSequence: {count: three}`).replace('entrypoint: hello', 'entrypoint: main'),
      ),
    ).toEqual([
      'f1.yaml:12:9: spec.templates[0].steps[0][0].withParam: only one of withItems, withParam and withSequence can be set (found withItems and withParam)',
      'f1.yaml:15:36: spec.templates[0].steps[0][1].withSequence.end: withSequence takes either count or end, not both',
      'f1.yaml:18:24: spec.templates[0].steps[0][2].withSequence.count: expected an integer, got "three"',
    ]);
  });

  it('reports unknown continueOn keys', () => {
    expect(
      lint(
        workflow(`
          - name: main
            steps:
            - - name: a
                template: hello
                continueOn: {failed: true, errors: true}`).replace('entrypoint: hello', 'entrypoint: main'),
      ),
    ).toEqual(['f1.yaml:11:36: spec.templates[0].steps[0][0].continueOn.errors: unknown field "errors" in ContinueOn (did you mean "error"?)']);
  });

  it('reports duplicate step names across groups', () => {
    expect(
      lint(
        workflow(`
          - name: main
            steps:
            - - name: a
                template: hello
            - - name: a
                template: hello`).replace('entrypoint: hello', 'entrypoint: main'),
      ),
    ).toEqual(['f1.yaml:11:9: spec.templates[0].steps[1][0].name: duplicate step name "a" (first defined at line 9)']);
  });
});
