import { describe, expect, it } from 'vitest';
import { collectTags, MapScope, NIL, nestEntries, replaceInObject, replaceTags, UnresolvedError } from './tags.js';

const scope = new MapScope(
  new Map<string, string | typeof NIL>([
    ['inputs.parameters.msg', 'say "hi"\nthere'],
    ['steps.a.outputs.result', 'heads'],
    ['steps.skipped.outputs.parameters.p', NIL],
  ]),
);

describe('replaceTags', () => {
  it('replaces tags, trimming whitespace inside the braces, keeping values verbatim', () => {
    expect(replaceTags('{{ inputs.parameters.msg }}!', scope)).toBe('say "hi"\nthere!');
    expect(replaceTags('{{steps.a.outputs.result}} == heads', scope)).toBe('heads == heads');
  });

  it('leaves unknown tags verbatim unless they have a strict prefix', () => {
    expect(replaceTags('{{workflow.unknown}} {{item}}', scope)).toBe('{{workflow.unknown}} {{item}}');
    expect(() => replaceTags('{{steps.b.outputs.result}}', scope, { strictPrefixes: ['steps.'] })).toThrow(UnresolvedError);
    expect(() => replaceTags('{{item}}', scope, { strictPrefixes: ['item'] })).toThrow('failed to resolve {{item}}');
  });

  it('a present-but-empty value (skipped output without default) is an error', () => {
    expect(() => replaceTags('{{steps.skipped.outputs.parameters.p}}', scope)).toThrow(/has no value/);
  });

  it('evaluates {{=expr}} tags, which may contain braces, and writes non-strings as JSON', () => {
    const evaluateExpression = (e: string) => (e === 'toJson(filter([1, 3], {# > 1}))' ? [3] : e === 'x' ? 7 : 'str');
    expect(replaceTags('{{=toJson(filter([1, 3], {# > 1}))}}', scope, { evaluateExpression })).toBe('[3]');
    expect(replaceTags('n={{=x}} s={{= y }}', scope, { evaluateExpression })).toBe('n=7 s=str');
  });

  it('leaves a failing expression verbatim only when unresolved expressions are allowed', () => {
    const evaluateExpression = () => {
      throw new Error('unknown name inputs');
    };
    expect(replaceTags('{{=asInt(inputs.parameters.x)}}', scope, { evaluateExpression, allowUnresolvedExpressions: true })).toBe('{{=asInt(inputs.parameters.x)}}');
    expect(() => replaceTags('{{=asInt(inputs.parameters.x)}}', scope, { evaluateExpression })).toThrow(/failed to evaluate expression/);
  });
});

describe('objects and environments', () => {
  it('replaceInObject substitutes every string value, not keys, and returns a copy', () => {
    const input = { args: ['{{steps.a.outputs.result}}'], '{{k}}': { n: 1, s: '{{steps.a.outputs.result}}' } };
    const out = replaceInObject(input, scope);
    expect(out).toEqual({ args: ['heads'], '{{k}}': { n: 1, s: 'heads' } });
    expect(input.args[0]).toBe('{{steps.a.outputs.result}}');
  });

  it('collectTags lists every tag', () => {
    expect(collectTags({ a: ['{{x}} {{ y.z }}'], b: '{{=f({# > 1})}}' })).toEqual(['x', 'y.z', '=f({# > 1})']);
  });

  it('nestEntries builds the nested environment; a map wins over a value at the same path (Argo removeConflicts)', () => {
    expect(nestEntries([['inputs.parameters', '[...]'], ['inputs.parameters.x', '1'], ['workflow.name', 'w']])).toEqual({
      inputs: { parameters: { x: '1' } },
      workflow: { name: 'w' },
    });
  });

  it('MapScope layers over a parent and a dynamic resolver', () => {
    const child = new MapScope(new Map([['a', '1']]), scope, (t) => (t.startsWith('dyn.') ? t.slice(4) : undefined));
    expect(child.get('a')).toBe('1');
    expect(child.get('dyn.zz')).toBe('zz');
    expect(child.get('steps.a.outputs.result')).toBe('heads');
    expect([...child.entries()].map(([k]) => k)).toEqual(['a', 'inputs.parameters.msg', 'steps.a.outputs.result']);
  });
});
