/** The expected node graphs of the richest Argo examples (run by rich-examples.test.ts). */
import { expect } from 'vitest';
import { exitCode, type Observed, type NodeExpectation } from './observed.js';

const S = (phase: NodeExpectation['phase'] = 'Succeeded', extra: Partial<NodeExpectation> = {}): NodeExpectation => ({ type: 'Steps', phase, ...extra });
const G = (phase: NodeExpectation['phase'] = 'Succeeded', extra: Partial<NodeExpectation> = {}): NodeExpectation => ({ type: 'StepGroup', phase, ...extra });
const P = (phase: NodeExpectation['phase'] = 'Succeeded', extra: Partial<NodeExpectation> = {}): NodeExpectation => ({ type: 'Pod', phase, ...extra });
const D = (phase: NodeExpectation['phase'] = 'Succeeded', extra: Partial<NodeExpectation> = {}): NodeExpectation => ({ type: 'DAG', phase, ...extra });
const TG = (phase: NodeExpectation['phase'] = 'Succeeded', extra: Partial<NodeExpectation> = {}): NodeExpectation => ({ type: 'TaskGroup', phase, ...extra });
const skipped = (when: string): NodeExpectation => ({ type: 'Skipped', phase: 'Skipped', message: `when '${when}' evaluated false` });
const omitted: NodeExpectation = { type: 'Skipped', phase: 'Omitted', message: 'omitted: depends condition not met' };

export interface RichExample {
  file: string;
  check: (o: Observed) => void;
}

export const EXAMPLES: RichExample[] = [
  {
    file: 'examples/steps.yaml',
    check: (o) => {
      o.expectNodes({
        W: S('Succeeded', { templateName: 'hello-hello-hello' }),
        'W[0]': G(),
        'W[0].hello1': P('Succeeded', { templateName: 'print-message' }),
        'W[1]': G(),
        'W[1].hello2a': P('Succeeded', { templateName: 'print-message' }),
        'W[1].hello2b': P('Succeeded', { templateName: 'print-message' }),
      });
      expect(o.children('W')).toEqual(['W[0]']);
      expect(o.children('W[0]')).toEqual(['W[0].hello1']);
      expect(o.children('W[0].hello1')).toEqual(['W[1]']);
      expect(o.children('W[1]')).toEqual(['W[1].hello2a', 'W[1].hello2b']);
      expect(o.outbound('W')).toEqual(['W[1].hello2a', 'W[1].hello2b']);
      for (const n of ['W[0]', 'W[0].hello1', 'W[1]', 'W[1].hello2a', 'W[1].hello2b']) expect(o.boundary(n), n).toBe('W');
      expect(o.boundary('W')).toBeUndefined();
      for (const m of ['hello1', 'hello2a', 'hello2b']) {
        const n = m === 'hello1' ? 'W[0].hello1' : `W[1].${m}`;
        expect(o.input(n, 'message')).toBe(m);
        expect(o.node(n).outputs?.exitCode).toBe('0');
        expect(o.log(n)).toBe(`${m}\n`);
      }
      expect(o.seconds('W[0].hello1', 'finishedAt')).toBeLessThanOrEqual(o.seconds('W[1].hello2a', 'startedAt'));
      expect(o.seconds('W[0].hello1', 'finishedAt')).toBeLessThanOrEqual(o.seconds('W[1].hello2b', 'startedAt'));
    },
  },
  {
    file: 'examples/dag-enhanced-depends.yaml',
    check: (o) => {
      o.expectNodes({
        W: D('Succeeded', { templateName: 'diamond' }),
        'W.A': P(),
        'W.B': P(),
        'W.C': P('Failed', { message: exitCode(1), templateName: 'fail' }),
        'W.should-execute-1': P(),
        'W.should-execute-2': P(),
        'W.should-not-execute': omitted,
        'W.should-execute-3': P(),
      });
      expect(o.children('W')).toEqual(['W.A']);
      expect(o.children('W.A')).toEqual(['W.B', 'W.C', 'W.should-execute-1']);
      expect(o.children('W.C')).toEqual(['W.should-execute-1', 'W.should-execute-2', 'W.should-not-execute']);
      expect(o.children('W.should-not-execute')).toEqual(['W.should-execute-3']);
      expect(o.outbound('W')).toEqual(['W.should-execute-1', 'W.should-execute-3']);
      expect(o.node('W.C').outputs?.exitCode).toBe('1');
      expect(o.message).toBeUndefined();
    },
  },
  {
    file: 'examples/dag-continue-on-fail.yaml',
    check: (o) => {
      o.expectNodes({
        W: D('Failed'),
        'W.A': P(),
        'W.B': P('Failed', { message: exitCode(1) }),
        'W.C': P(),
        'W.D': P(),
        'W.E': P('Failed', { message: exitCode(1) }),
        'W.F': P(),
        'W.G': omitted,
      });
      expect(o.outbound('W')).toEqual(['W.D', 'W.G']);
      expect(o.children('W.E')).toEqual(['W.G']);
      expect(o.children('W.F')).toEqual(['W.G']);
      expect(o.log('W.B')).toBe('intentional failure\n');
      expect(o.message).toBeUndefined();
    },
  },
  {
    file: 'examples/coinflip.yaml',
    check: (o) => {
      const flip = o.node('W[0].flip-coin').outputs?.result;
      expect(['heads', 'tails']).toContain(flip);
      const other = flip === 'heads' ? 'tails' : 'heads';
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].flip-coin': P('Succeeded', { templateName: 'flip-coin' }),
        'W[1]': G(),
        [`W[1].${flip}`]: P('Succeeded', { templateName: flip }),
        [`W[1].${other}`]: { ...skipped(`${flip} == ${other}`), templateName: other },
      });
      expect(o.childrenInOrder('W[1]')).toEqual(['W[1].heads', 'W[1].tails']);
      expect(o.outbound('W')).toEqual(['W[1].heads', 'W[1].tails']);
      expect(o.log(`W[1].${flip}`)).toBe(`it was ${flip}\n`);
    },
  },
  {
    file: 'examples/conditionals-complex.yaml',
    check: (o) => {
      const first = o.node('W[0].flip-coin').outputs?.result ?? '';
      const again = o.node('W[2].flip-again').outputs?.result ?? '';
      expect(['heads', 'tails']).toContain(first);
      expect(['heads', 'tails']).toContain(again);
      const flip = (r: string) => (r === 'heads' ? 'tails' : 'heads');
      // The `>-` folded scalar keeps the line breaks around its more-indented lines.
      const complex = `( ${first} == heads &&\n  ${again} == tails\n) || ( ${first} == tails &&\n  ${again} == tails )`;
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].flip-coin': P(),
        'W[1]': G(),
        [`W[1].${first}`]: P(),
        [`W[1].${flip(first)}`]: skipped(`${first} == ${flip(first)}`),
        'W[2]': G(),
        'W[2].flip-again': P('Succeeded', { templateName: 'flip-coin' }),
        'W[3]': G(),
        'W[3].complex-condition': again === 'tails' ? P() : skipped(complex),
        'W[3].heads-regex': again === 'heads' ? P() : skipped(`${again} =~ hea`),
        'W[3].tails-regex': again === 'tails' ? P() : skipped(`${again} =~ tai`),
      });
    },
  },
  {
    file: 'examples/parameter-aggregation.yaml',
    check: (o) => {
      const odd = (i: number) => `W[3].divide-by-2(${i}:evenness:odd,num:${i + 1})`;
      const even = (i: number) => `W[3].divide-by-2(${i}:evenness:even,num:${i + 1})`;
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].odd-or-even(0:1)': P(),
        'W[0].odd-or-even(1:2)': P(),
        'W[0].odd-or-even(2:3)': P(),
        'W[0].odd-or-even(3:4)': P(),
        'W[1]': G(),
        'W[1].print-nums': P(),
        'W[2]': G(),
        'W[2].print-evenness': P(),
        'W[3]': G(),
        [odd(0)]: skipped('odd == even'),
        [even(1)]: P('Succeeded', { templateName: 'divide-by-2' }),
        [odd(2)]: skipped('odd == even'),
        [even(3)]: P('Succeeded', { templateName: 'divide-by-2' }),
        'W[4]': G(),
        'W[4].print(0:1)': P(),
        'W[4].print(1:2)': P(),
      });
      // Output parameters lose one trailing newline (the executor's TrimSuffix).
      expect(o.output('W[0].odd-or-even(1:2)', 'num')).toBe('2');
      expect(o.output('W[0].odd-or-even(1:2)', 'evenness')).toBe('even');
      // Numbers are not lists or maps, so the aggregate stays a list of strings.
      expect(o.input('W[1].print-nums', 'message')).toBe('["1","2","3","4"]');
      expect(o.input('W[2].print-evenness', 'message')).toBe('["odd","even","odd","even"]');
      expect(o.input(even(1), 'num')).toBe('2');
      expect(o.node(even(1)).outputs?.result).toBe('1');
      expect(o.node(even(3)).outputs?.result).toBe('2');
      expect(o.input('W[4].print(0:1)', 'message')).toBe('1');
      expect(o.input('W[4].print(1:2)', 'message')).toBe('2');
      expect(o.childrenInOrder('W[3]')).toEqual([odd(0), even(1), odd(2), even(3)]);
      expect(o.outbound('W')).toEqual(['W[4].print(0:1)', 'W[4].print(1:2)']);
    },
  },
  {
    file: 'examples/parameter-aggregation-dag.yaml',
    check: (o) => {
      const odd = (i: number) => `W.divide-by-2(${i}:evenness:odd,num:${i + 1})`;
      const even = (i: number) => `W.divide-by-2(${i}:evenness:even,num:${i + 1})`;
      o.expectNodes({
        W: D(),
        'W.odd-or-even': TG('Succeeded', { templateName: 'odd-or-even' }),
        'W.odd-or-even(0:1)': P(),
        'W.odd-or-even(1:2)': P(),
        'W.odd-or-even(2:3)': P(),
        'W.odd-or-even(3:4)': P(),
        'W.print-nums': P(),
        'W.print-evenness': P(),
        'W.divide-by-2': TG(),
        [odd(0)]: skipped('odd == even'),
        [even(1)]: P(),
        [odd(2)]: skipped('odd == even'),
        [even(3)]: P(),
        'W.print': TG(),
        'W.print(0:1)': P(),
        'W.print(1:2)': P(),
      });
      expect(o.children('W')).toEqual(['W.odd-or-even']);
      expect(o.children('W.odd-or-even')).toEqual(['W.odd-or-even(0:1)', 'W.odd-or-even(1:2)', 'W.odd-or-even(2:3)', 'W.odd-or-even(3:4)']);
      expect(o.children('W.odd-or-even(2:3)')).toEqual(['W.divide-by-2', 'W.print-evenness', 'W.print-nums']);
      expect(o.childrenInOrder('W.divide-by-2')).toEqual([odd(0), even(1), odd(2), even(3)]);
      expect(o.input('W.print-nums', 'message')).toBe('["1","2","3","4"]');
      expect(o.input('W.print-evenness', 'message')).toBe('["odd","even","odd","even"]');
      // A container's stdout becomes its result because a later task references it.
      expect(o.node(even(1)).outputs?.result).toBe('1');
      expect(o.node(even(3)).outputs?.result).toBe('2');
      expect(o.input('W.print(1:2)', 'message')).toBe('2');
      expect(o.outbound('W')).toEqual(['W.print(0:1)', 'W.print(1:2)', 'W.print-evenness', 'W.print-nums']);
    },
  },
  {
    file: 'examples/loops-sequence.yaml',
    check: (o) => {
      const series: Record<string, string[]> = {
        'sequence-count': ['0', '1', '2', '3', '4'],
        'sequence-start-end': ['100', '101', '102', '103', '104', '105'],
        'sequence-param': ['200', '201', '202'],
        'sequence-negative': ['5', '4', '3', '2', '1', '0'],
        'sequence-format': ['testuser00', 'testuser01', 'testuser02', 'testuser03', 'testuser04'],
      };
      const expected: Record<string, NodeExpectation> = { W: S(), 'W[0]': G() };
      for (const [step, items] of Object.entries(series)) {
        items.forEach((item, i) => (expected[`W[0].${step}(${i}:${item})`] = P('Succeeded', { templateName: 'echo' })));
      }
      o.expectNodes(expected);
      for (const [step, items] of Object.entries(series)) {
        items.forEach((item, i) => expect(o.input(`W[0].${step}(${i}:${item})`, 'msg')).toBe(item));
      }
    },
  },
  {
    file: 'examples/loops-arbitrary-sequential-steps.yaml',
    check: (o) => {
      const failFast = 'template has failed or errored children and failFast enabled';
      const item = (i: number, code: number, msg: string) => `W[0].unit-step(${i}:exit_code:${code},message:${msg})`;
      o.expectNodes({
        W: S('Failed', { message: failFast }),
        'W[0]': G('Failed', { message: failFast }),
        [item(0, 0, 'succeeds 1')]: P(),
        [item(1, 0, 'succeeds 2')]: P(),
        [item(2, 0, 'succeeds 3')]: P(),
        [item(3, 1, 'will fail and stop here')]: P('Failed', { message: exitCode(1) }),
      });
      expect(o.message).toBe(failFast);
      // parallelism: 1 runs the items one after another.
      for (let i = 1; i < 4; i++) {
        const prev = [item(0, 0, 'succeeds 1'), item(1, 0, 'succeeds 2'), item(2, 0, 'succeeds 3')][i - 1];
        const next = [item(1, 0, 'succeeds 2'), item(2, 0, 'succeeds 3'), item(3, 1, 'will fail and stop here')][i - 1];
        expect(o.seconds(prev, 'finishedAt')).toBeLessThanOrEqual(o.seconds(next, 'startedAt'));
      }
      expect(o.log(item(3, 1, 'will fail and stop here'))).toBe('will fail and stop here\n');
    },
  },
  {
    file: 'examples/dag-targets.yaml',
    check: (o) => {
      o.expectNodes({ W: D(), 'W.A': P(), 'W.C': P(), 'W.E': P() });
      expect(o.children('W')).toEqual(['W.A']);
      expect(o.children('W.A')).toEqual(['W.C']);
      expect(o.children('W.C')).toEqual(['W.E']);
      expect(o.outbound('W')).toEqual(['W.E']);
      expect(o.log('W.E')).toBe('E\n');
    },
  },
  {
    file: 'examples/exit-handlers.yaml',
    check: (o) => {
      o.expectNodes({
        W: P('Failed', { message: exitCode(1), templateName: 'intentional-fail' }),
        'W.onExit': S('Succeeded', { displayName: `${o.name}.onExit`, templateName: 'exit-handler' }),
        'W.onExit[0]': G(),
        'W.onExit[0].notify': P('Succeeded', { templateName: 'send-email' }),
        'W.onExit[0].celebrate': skipped('Failed == Succeeded'),
        'W.onExit[0].cry': P(),
      });
      expect(o.node('W.onExit').nodeFlag).toEqual({ hooked: true });
      expect(o.boundary('W.onExit[0].notify')).toBe('W.onExit');
      expect(o.childrenInOrder('W.onExit[0]')).toEqual(['W.onExit[0].notify', 'W.onExit[0].celebrate', 'W.onExit[0].cry']);
      expect(o.phase).toBe('Failed');
      expect(o.message).toBe(exitCode(1));
      // {{workflow.failures}} is strconv.Quote'd JSON, so its quotes survive `sh -c "echo …"`.
      const failure = {
        displayName: o.name,
        message: exitCode(1),
        templateName: 'intentional-fail',
        phase: 'Failed',
        podName: o.name,
        finishedAt: o.node('W').finishedAt,
      };
      const log = o.log('W.onExit[0].notify');
      expect(log).toMatch(new RegExp(`^send e-mail: ${o.name} Failed \\d+\\.\\d{6}\\. Failed steps `));
      expect(log.slice(log.indexOf('Failed steps ') + 'Failed steps '.length)).toBe(`${JSON.stringify([failure])}\n`);
      expect(o.log('W.onExit[0].cry')).toBe('boohoo!\n');
    },
  },
  {
    file: 'examples/exit-handler-step-level.yaml',
    check: (o) => {
      const hook = (n: string): NodeExpectation => P('Succeeded', { displayName: `${n}.onExit`, templateName: 'exit' });
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].hello1': P(),
        'W[0].hello1.onExit': hook('hello1'),
        'W[1]': G(),
        'W[1].hello2a': P(),
        'W[1].hello2a.onExit': hook('hello2a'),
        'W[1].hello2b': P(),
        'W[1].hello2b.onExit': hook('hello2b'),
      });
      for (const n of ['W[0].hello1', 'W[1].hello2a', 'W[1].hello2b']) {
        expect(o.node(`${n}.onExit`).nodeFlag).toEqual({ hooked: true });
        expect(o.boundary(`${n}.onExit`)).toBe('W');
        expect(o.log(`${n}.onExit`)).toBe('step cleanup\n');
      }
      expect(o.children('W[0].hello1')).toEqual(['W[0].hello1.onExit', 'W[1]']);
      expect(o.children('W[1].hello2a')).toEqual(['W[1].hello2a.onExit']);
      expect(o.outbound('W')).toEqual(['W[1].hello2a', 'W[1].hello2b']);
      // A step is complete only once its exit hook is.
      expect(o.seconds('W[0].hello1.onExit', 'finishedAt')).toBeLessThanOrEqual(o.seconds('W[1].hello2a', 'startedAt'));
    },
  },
  {
    file: 'examples/exit-handler-with-param.yaml',
    check: (o) => {
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].step-1': P('Succeeded', { templateName: 'output' }),
        'W[0].step-1.onExit': P('Succeeded', { displayName: 'step-1.onExit', templateName: 'exit' }),
      });
      expect(o.output('W[0].step-1', 'result')).toBe('hello world');
      expect(o.input('W[0].step-1.onExit', 'message')).toBe('hello world');
      expect(o.node('W[0].step-1.onExit').outputs?.result).toBe('hello world');
      expect(o.log('W[0].step-1.onExit')).toBe('hello world\n');
    },
  },
  {
    file: 'examples/retry-conditional.yaml',
    check: (o) => {
      const attempts = o.names().filter((n) => n.startsWith('W[1].retry('));
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      expect(attempts.length).toBeLessThanOrEqual(11);
      const last = `W[1].retry(${attempts.length - 1})`;
      const lastCode = o.node(last).outputs?.exitCode;
      // Exit 1 ends it at once ("expression evaluated to false"); exit 2 retries, up to limit "10".
      const retryMessage = lastCode === '1' ? 'retryStrategy.expression evaluated to false' : 'No more retries left';
      const retryId = o.expectedId('W[1].retry');
      const expected: Record<string, NodeExpectation> = {
        W: S('Failed', { message: `child '${retryId}' failed` }),
        'W[0]': G(),
        'W[0].safe-to-retry': P(),
        'W[1]': G('Failed', { message: `child '${retryId}' failed` }),
        'W[1].retry': { type: 'Retry', phase: 'Failed', message: retryMessage, templateName: 'retry-script' },
      };
      attempts.forEach((_, i) => {
        const code = i === attempts.length - 1 ? Number(lastCode) : 2;
        expected[`W[1].retry(${i})`] = P('Failed', { message: exitCode(code), templateName: 'retry-script' });
      });
      o.expectNodes(expected);
      if (attempts.length === 11) expect(lastCode).toBe('2');
      expect(o.node('W[0].safe-to-retry').outputs?.result).toBe('true');
      expect(o.input('W[1].retry', 'safe-to-retry')).toBe('true');
      expect(o.children('W[1].retry')).toEqual(attempts.sort());
      for (const a of attempts) expect(o.node(a).nodeFlag).toEqual({ retried: true });
      // A finished Retry node carries its last attempt's outputs.
      expect(o.node('W[1].retry').outputs?.exitCode).toBe(lastCode);
      expect(o.message).toBe(`child '${retryId}' failed`);
    },
  },
  {
    file: 'examples/dag-disable-failFast.yaml',
    check: (o) => {
      o.expectNodes({
        W: D('Failed', { templateName: 'statis' }),
        'W.A': P(),
        'W.B': { type: 'Retry', phase: 'Succeeded' },
        'W.B(0)': P(),
        'W.C': { type: 'Retry', phase: 'Failed', message: 'No more retries left' },
        'W.C(0)': P('Failed', { message: exitCode(2) }),
        'W.C(1)': P('Failed', { message: exitCode(2) }),
        'W.C(2)': P('Failed', { message: exitCode(2) }),
        'W.C(3)': P('Failed', { message: exitCode(2) }),
        'W.D': P(),
        'W.E': P(),
      });
      expect(o.children('W.C')).toEqual(['W.C(0)', 'W.C(1)', 'W.C(2)', 'W.C(3)']);
      expect(o.children('W.B(0)')).toEqual(['W.D']);
      expect(o.outbound('W')).toEqual(['W.C(3)', 'W.E']);
      expect(o.node('W.C').outputs?.exitCode).toBe('2');
      // failFast: false lets B → D → E run on after C has failed.
      expect(o.seconds('W.E', 'startedAt')).toBeGreaterThanOrEqual(o.seconds('W.C', 'finishedAt'));
      expect(o.seconds('W.B(0)', 'finishedAt') - o.seconds('W.B(0)', 'startedAt')).toBeGreaterThanOrEqual(29);
      expect(o.message).toBeUndefined();
    },
  },
  {
    file: 'examples/continue-on-fail.yaml',
    check: (o) => {
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].A': P(),
        'W[1]': G(),
        'W[1].B': P(),
        'W[1].C': P('Failed', { message: exitCode(1) }),
        'W[2]': G(),
        'W[2].D': P(),
      });
      expect(o.children('W[1].C')).toEqual(['W[2]']);
      // spec.parallelism: 1 serialises B and C.
      const [b0, b1] = [o.seconds('W[1].B', 'startedAt'), o.seconds('W[1].B', 'finishedAt')];
      const [c0, c1] = [o.seconds('W[1].C', 'startedAt'), o.seconds('W[1].C', 'finishedAt')];
      expect(b1 <= c0 || c1 <= b0, 'B and C do not overlap').toBe(true);
    },
  },
  {
    file: 'examples/status-reference.yaml',
    check: (o) => {
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].flakey-container': P('Failed', { message: exitCode(1) }),
        'W[1]': G(),
        'W[1].failed': P(),
        'W[1].succeeded': skipped('Failed == Succeeded'),
      });
      expect(o.log('W[1].failed')).toBe('the flakey container failed\n');
    },
  },
  {
    file: 'examples/exit-code-output-variable.yaml',
    check: (o) => {
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].failing-container': P('Failed', { message: exitCode(123) }),
        'W[1]': G(),
        'W[1].echo-container': P(),
      });
      expect(o.node('W[0].failing-container').outputs?.exitCode).toBe('123');
      expect(o.input('W[1].echo-container', 'exitCode')).toBe('123');
      expect(o.log('W[1].echo-container')).toBe('Exit code was: 123\n');
    },
  },
  {
    file: 'examples/expression-tag-template-workflow.yaml',
    check: (o) => {
      o.expectNodes({ W: D(), 'W.task-0': TG('Succeeded', { templateName: 'pod-0' }), 'W.task-0(0:3)': P('Succeeded', { templateName: 'pod-0' }) });
      expect(o.input('W.task-0(0:3)', 'foo')).toBe('3');
      const year = new Date(o.wf.metadata.creationTimestamp!).getUTCFullYear();
      // argosay writes the block scalar's text plus a newline; one trailing newline is trimmed.
      expect(o.output('W.task-0(0:3)', 'output')).toBe(`hello 30 @ ${year}\n`);
    },
  },
  {
    file: 'examples/skipped-output-defaults/producer-output-default.yaml',
    check: (o) => {
      o.expectNodes({ W: D(), 'W.producer': { ...skipped('false'), templateName: 'produce' }, 'W.consumer': P() });
      expect(o.input('W.consumer', 'in')).toBe('hello-from-producer');
      expect(o.children('W.producer')).toEqual(['W.consumer']);
      expect(o.log('W.consumer')).toBe('consumer got: [hello-from-producer]\n');
    },
  },
  {
    file: 'examples/skipped-output-defaults/consumer-input-default.yaml',
    check: (o) => {
      o.expectNodes({ W: D(), 'W.producer': skipped('false'), 'W.consumer': P() });
      expect(o.input('W.consumer', 'in')).toBe('fallback-from-input');
      expect(o.log('W.consumer')).toBe('consumer got: [fallback-from-input]\n');
    },
  },
  {
    file: 'examples/skipped-output-defaults/expression-fallback.yaml',
    check: (o) => {
      o.expectNodes({ W: D(), 'W.producer': skipped('false') });
      expect(o.output('W', 'result')).toBe('expr-fallback');
      expect(o.outbound('W')).toEqual(['W.producer']);
    },
  },
  {
    file: 'examples/suspend-template.yaml',
    check: (o) => {
      o.expectNodes({
        W: S(),
        'W[0]': G(),
        'W[0].build': P(),
        'W[1]': G(),
        'W[1].approve': { type: 'Suspend', phase: 'Succeeded', templateName: 'approve' },
        'W[2]': G(),
        'W[2].delay': { type: 'Suspend', phase: 'Succeeded', templateName: 'delay' },
        'W[3]': G(),
        'W[3].release': P(),
      });
      expect(o.children('W[1].approve')).toEqual(['W[2]']);
      // duration: "20" resumes the delay step by itself after 20 s (timestamps have whole seconds).
      expect(o.seconds('W[2].delay', 'finishedAt') - o.seconds('W[2].delay', 'startedAt')).toBeGreaterThanOrEqual(19);
      expect(o.seconds('W[3].release', 'startedAt')).toBeGreaterThanOrEqual(o.seconds('W[2].delay', 'finishedAt'));
    },
  },
  {
    file: 'examples/workflow-template/dag.yaml',
    check: (o) => {
      const printRef = { name: 'workflow-template-print-message', template: 'print-message' };
      o.expectNodes({
        W: D('Succeeded', { templateName: 'diamond' }),
        'W.A': P(),
        'W.B': P(),
        'W.C': D(),
        'W.C.inner-A': P(),
        'W.C.inner-B': P('Succeeded', { templateName: 'print-message' }),
        'W.C.inner-C': P('Succeeded', { templateName: 'print-message' }),
        'W.C.inner-D': P(),
        'W.D': P(),
      });
      for (const n of ['W.A', 'W.B', 'W.D', 'W.C.inner-A', 'W.C.inner-D']) expect(o.node(n).templateRef, n).toEqual(printRef);
      expect(o.node('W.C').templateRef).toEqual({ name: 'workflow-template-inner-dag', template: 'inner-diamond' });
      // A plain `template:` inside the referenced WorkflowTemplate resolves in that template's scope.
      expect(o.node('W.C.inner-B').templateScope).toBe('namespaced/workflow-template-inner-dag');
      expect(o.node('W.A').templateScope).toBe(`local/${o.name}`);
      for (const n of ['W.C.inner-A', 'W.C.inner-B', 'W.C.inner-C', 'W.C.inner-D']) expect(o.boundary(n), n).toBe('W.C');
      expect(o.children('W.A')).toEqual(['W.B', 'W.C']);
      expect(o.children('W.C')).toEqual(['W.C.inner-A']);
      expect(o.children('W.C.inner-A')).toEqual(['W.C.inner-B', 'W.C.inner-C']);
      expect(o.children('W.C.inner-D')).toEqual(['W.D']);
      expect(o.children('W.B')).toEqual(['W.D']);
      expect(o.outbound('W.C')).toEqual(['W.C.inner-D']);
      expect(o.outbound('W')).toEqual(['W.D']);
      for (const n of ['A', 'B', 'D']) expect(o.log(`W.${n}`)).toBe(`${n}\n`);
      for (const n of ['inner-A', 'inner-B', 'inner-C', 'inner-D']) expect(o.log(`W.C.${n}`)).toBe(`${n}\n`);
      expect(o.seconds('W.C.inner-D', 'finishedAt')).toBeLessThanOrEqual(o.seconds('W.D', 'startedAt'));
    },
  },
  {
    file: 'examples/workflow-template/workflow-template-ref-with-entrypoint-arg-passing.yaml',
    check: (o) => {
      o.expectNodes({ W: P('Succeeded', { templateName: 'print-message' }) });
      expect(o.input('W', 'message')).toBe('hello world');
      expect(o.log('W')).toBe('hello world\n');
    },
  },
  {
    file: 'examples/step-level-timeout.yaml',
    check: (o) => {
      const deadline = 'Pod was active on the node longer than the specified deadline';
      const failed = `child '${o.expectedId('W[0].sleep1')}' failed`;
      o.expectNodes({
        W: S('Failed', { message: failed }),
        'W[0]': G('Failed', { message: failed }),
        'W[0].sleep1': P('Failed', { message: deadline }),
        'W[0].sleep2': P('Failed', { message: deadline }),
      });
      expect(o.input('W[0].sleep1', 'timeout')).toBe('10s');
      for (const n of ['W[0].sleep1', 'W[0].sleep2']) {
        const took = o.seconds(n, 'finishedAt') - o.seconds(n, 'startedAt');
        expect(took, n).toBeGreaterThanOrEqual(9);
        expect(took, n).toBeLessThan(20);
      }
      expect(o.message).toBe(failed);
    },
  },
  {
    file: 'examples/container-set-template/outputs-result-workflow.yaml',
    check: (o) => {
      o.expectNodes({
        W: D(),
        'W.a': P('Succeeded', { templateName: 'group' }),
        'W.a.main': { type: 'Container', phase: 'Succeeded', templateName: 'group' },
        'W.b': P('Succeeded', { templateName: 'verify' }),
      });
      expect(o.node('W.a').outputs?.result).toBe('hi');
      expect(o.boundary('W.a.main')).toBe('W.a');
      expect(o.children('W.a')).toEqual(['W.a.main']);
      expect(o.children('W.a.main')).toEqual(['W.b']);
      expect(o.input('W.b', 'x')).toBe('hi');
      expect(o.outbound('W')).toEqual(['W.b']);
    },
  },
  {
    // Not in the 25, but the same feature: a containerSet's containers form a graph of nodes.
    file: 'examples/container-set-template/graph-workflow.yaml',
    check: (o) => {
      const ctr: NodeExpectation = { type: 'Container', phase: 'Succeeded', templateName: 'main' };
      o.expectNodes({ W: P('Succeeded', { templateName: 'main' }), 'W.a': ctr, 'W.b': ctr, 'W.c': ctr, 'W.d': ctr });
      expect(o.children('W')).toEqual(['W.a']);
      expect(o.children('W.a')).toEqual(['W.b', 'W.c']);
      expect(o.children('W.b')).toEqual(['W.d']);
      expect(o.children('W.c')).toEqual(['W.d']);
      for (const n of ['W.a', 'W.b', 'W.c', 'W.d']) expect(o.boundary(n), n).toBe('W');
    },
  },
];

/** Rough seconds, so the slow ones start first. */