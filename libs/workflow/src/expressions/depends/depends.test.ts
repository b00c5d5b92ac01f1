import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../error.js';
import { dependsOperands, dependsToString, evaluateDepends, legacyDependenciesAst, legacyDependenciesToDepends, parseDepends } from './index.js';

type Phases = Record<string, string>;

/** A bare name means Succeeded || Skipped || Daemoned, as Argo expands it. */
function test(phases: Phases) {
  return (task: string, result: string | undefined): boolean => {
    const phase = phases[task];
    if (result === undefined) return ['Succeeded', 'Skipped', 'Daemoned'].includes(phase);
    return phase === result;
  };
}

describe('parseDepends', () => {
  it('reads the examples', () => {
    const srcs = [
      'A && (C.Succeeded || C.Failed)',
      'B.Failed && C',
      'producer.Succeeded || producer.Skipped',
      'should-execute-2.Succeeded || should-not-execute',
      'inner-B && inner-C',
      'producer-1 && producer-2 && producer-3',
      '!A.Failed',
      'task_1.AnySucceeded || t2.AllFailed',
    ];
    for (const src of srcs) expect(() => parseDepends(src)).not.toThrow();
    expect(dependsToString(parseDepends('A && (C.Succeeded || C.Failed)'))).toBe('A && (C.Succeeded || C.Failed)');
  });

  it('lists operands in order without repeats', () => {
    expect(dependsOperands(parseDepends('A && (C.Succeeded || C.Failed) && A && !C.Succeeded'))).toEqual([
      { task: 'A' },
      { task: 'C', result: 'Succeeded' },
      { task: 'C', result: 'Failed' },
    ]);
  });

  it('rejects unknown results and syntax errors with positions', () => {
    const err = (src: string): ExpressionError => {
      try {
        parseDepends(src);
      } catch (e) {
        return e as ExpressionError;
      }
      throw new Error('no error');
    };
    expect(err('A.Succeded').message).toBe("task result 'Succeded' for task 'A' is invalid (expected one of Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed) at column 3");
    expect(err('A &&').message).toBe('unexpected end of depends expression at column 5');
    expect(err('A B').message).toBe("unexpected token 'B' at column 3");
    expect(err('(A || B').message).toBe('unexpected end of depends expression at column 8');
    expect(err('A & B').message).toBe("unexpected character '&' in depends at column 3");
    expect(err('').message).toBe('unexpected end of depends expression at column 1');
  });
});

describe('evaluateDepends', () => {
  it('dag-enhanced-depends: B && C with C failed is false', () => {
    const phases = { A: 'Succeeded', B: 'Succeeded', C: 'Failed' };
    expect(evaluateDepends(parseDepends('B && C'), test(phases))).toBe(false);
    expect(evaluateDepends(parseDepends('A && (C.Succeeded || C.Failed)'), test(phases))).toBe(true);
    expect(evaluateDepends(parseDepends('B.Failed && C'), test(phases))).toBe(false);
    expect(evaluateDepends(parseDepends('!C.Succeeded'), test(phases))).toBe(true);
  });

  it('precedence: && binds tighter than ||', () => {
    const phases = { A: 'Failed', B: 'Succeeded', C: 'Succeeded' };
    expect(evaluateDepends(parseDepends('A || B && C'), test(phases))).toBe(true);
    expect(evaluateDepends(parseDepends('(A || B) && !C'), test(phases))).toBe(false);
  });

  it('short-circuits', () => {
    const asked: string[] = [];
    evaluateDepends(parseDepends('A || B'), (task) => (asked.push(task), true));
    expect(asked).toEqual(['A']);
  });

  it('legacy dependencies', () => {
    expect(legacyDependenciesToDepends(['A', 'B-1'])).toBe('A && B-1');
    expect(legacyDependenciesToDepends([])).toBe('');
  });

  it('a fan-in of 10,000 dependencies parses, evaluates and prints without deep recursion', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
    const ast = parseDepends(legacyDependenciesToDepends(names));
    const phases = Object.fromEntries(names.map((n) => [n, 'Succeeded']));
    expect(evaluateDepends(ast, test(phases))).toBe(true);
    expect(evaluateDepends(ast, test({ ...phases, t9999: 'Failed' }))).toBe(false);
    expect(dependsOperands(ast)).toHaveLength(10_000);
    expect(dependsToString(ast)).toBe(names.join(' && '));
  });
});

describe('legacy dependencies', () => {
  it('give the AST the parser gives their joined form, offsets included, or its error', () => {
    const lists = [['a'], ['a', 'b'], ['n12', 'x-y_z', 'Q9'], Array.from({ length: 300 }, (_, i) => `t${i}`), ['a.Succeeded', 'b'], ['a', 'b.Failed'], ['-bad'], ['a b']];
    for (const names of lists) {
      const parse = () => parseDepends(legacyDependenciesToDepends(names));
      let expected: unknown;
      try {
        expected = parse();
      } catch (err) {
        expect(() => legacyDependenciesAst(names)).toThrow((err as Error).message);
        continue;
      }
      expect(legacyDependenciesAst(names), names.join(',')).toEqual(expected);
    }
  });
});
