/** The expr-lang expressions that appear in Argo's examples, with the values Argo produces. */
import { describe, expect, it } from 'vitest';
import { goJsonMarshal } from '../go-format/json.js';
import { argoExprEnv, evaluateExpr } from './index.js';

describe('expression-reusing-verbose-snippets.yaml', () => {
  const weather = '{"weekWeather": "eyJ0ZW1wcyI6IFszNCwgMjcsIDE1LCA1NywgNDZdfQo="}';
  const weekTemps = `
                map([
                    jsonpath(sprig.b64dec(jsonpath(workflow.parameters.weather, '$.weekWeather')), '$.temps')
                  ], {
                    toJson({
                      avg: sprig.add(#[0], #[1], #[2], #[3], #[4]) / 5,
                      min: sprig.min(#[0], #[1], #[2], #[3], #[4]),
                      max: sprig.max(#[0], #[1], #[2], #[3], #[4])
                    })
                })[0]
              `;

  it('computes avg 35.8, min 15, max 57', () => {
    const json = evaluateExpr(weekTemps, argoExprEnv({ 'workflow.parameters.weather': weather }));
    expect(json).toBe('{"avg":35.8,"max":57,"min":15}');
    const env = argoExprEnv({ 'inputs.parameters.week-temps': json });
    expect(evaluateExpr("jsonpath(inputs.parameters['week-temps'], '$.avg')", env)).toBe(35.8);
    expect(evaluateExpr("jsonpath(inputs.parameters['week-temps'], '$.min')", env)).toBe(15);
    expect(evaluateExpr("jsonpath(inputs.parameters['week-temps'], '$.max')", env)).toBe(57);
  });
});

describe('expression-destructure-json*.yaml', () => {
  it('reads scalar fields', () => {
    const env = argoExprEnv({ 'workflow.parameters.config': '{"a": "1", "b": "2", "c": "3"}' });
    expect(evaluateExpr("jsonpath(workflow.parameters.config, '$.a')", env)).toBe('1');
    expect(evaluateExpr("jsonpath(workflow.parameters.config, '$.b')", env)).toBe('2');
    expect(evaluateExpr("jsonpath(workflow.parameters.config, '$.c')", env)).toBe('3');
  });

  it('filters, slices and wildcards', () => {
    const env = argoExprEnv({
      'workflow.parameters.config': '{"employees": [{"name": "Baris", "age":43},{"name": "Mo", "age": 42}, {"name": "Jai", "age" :44}]}',
    });
    const q = (path: string): string => goJsonMarshal(evaluateExpr(`jsonpath(workflow.parameters.config, '${path}')`, env));
    expect(q('$.employees[?(@.name=="Baris")].age')).toBe('[43]');
    expect(q('$.employees[?(@.age>42 && @.age<44)].age')).toBe('[43]');
    expect(q('$.employees[0:1]')).toBe('[{"age":43,"name":"Baris"}]');
    expect(q('$.employees[*].name')).toBe('["Baris","Mo","Jai"]');
  });
});

describe('expression-tag-template-workflow.yaml', () => {
  it('withParam, item and the output message', () => {
    const env = argoExprEnv({});
    expect(evaluateExpr('toJson(filter([1, 3], {# > 1}))', env)).toBe('[3]');
    expect(evaluateExpr('item', argoExprEnv({ item: '3' }))).toBe('3');
    const tpl = argoExprEnv({ 'inputs.parameters.foo': '3', 'workflow.creationTimestamp': '2024-05-06T07:08:09Z' });
    expect(evaluateExpr('asInt(inputs.parameters.foo) * 10', tpl)).toBe(30);
    expect(evaluateExpr("sprig.date('2006', workflow.creationTimestamp)", tpl)).toBe('2024');
  });
});

describe('conditionals.yaml (expr forms)', () => {
  const env = argoExprEnv({
    'inputs.parameters.should-print': 'true',
    'workflow.parameters.json': '[{"name":"should-print","value":"true"}]',
  });
  it('brackets a dashed name', () => {
    expect(evaluateExpr(` inputs.parameters["should-print"] == 'true'`, env)).toBe(true);
  });
  it('reads workflow.parameters.json with jsonpath', () => {
    expect(evaluateExpr("jsonpath(workflow.parameters.json, '$[0].value') == 'true'", env)).toBe(true);
  });
  it('an unbracketed dash is subtraction of an unknown name', () => {
    expect(() => evaluateExpr('inputs.parameters.should-print', env)).toThrow('unknown name print');
  });
});

describe('conditional-parameters / conditional-artifacts / fibonacci', () => {
  it('picks the branch by the flip result', () => {
    const env = argoExprEnv({
      'steps.flip-coin.outputs.result': 'tails',
      'steps.heads.outputs.result': 'heads-out',
      'steps.tails.outputs.result': 'tails-out',
    });
    const src = "steps['flip-coin'].outputs.result == 'heads' ? steps.heads.outputs.result : steps.tails.outputs.result";
    expect(evaluateExpr(src, env)).toBe('tails-out');
  });

  it('nested ternaries without spaces before ?', () => {
    const src = "asInt(inputs.parameters.num) == 1? 1: asInt(inputs.parameters.num) == 2? 1: steps['fibonacci-helper'].outputs.parameters.result";
    const env = (num: string): Record<string, unknown> =>
      argoExprEnv({ 'inputs.parameters.num': num, 'steps.fibonacci-helper.outputs.parameters.result': '13' });
    expect(evaluateExpr(src, env('1'))).toBe(1);
    expect(evaluateExpr(src, env('2'))).toBe(1);
    expect(evaluateExpr(src, env('7'))).toBe('13');
  });
});

describe('hooks, retry, labels, data, http', () => {
  it('life-cycle hook expressions', () => {
    const env = argoExprEnv({ 'workflow.status': 'Running', 'steps.step-1.status': 'Succeeded', 'steps.step2.status': 'Running' });
    expect(evaluateExpr('workflow.status == "Running"', env)).toBe(true);
    expect(evaluateExpr('steps["step-1"].status == "Succeeded"', env)).toBe(true);
    expect(evaluateExpr('steps.step2.status == "Succeeded"', env)).toBe(false);
  });

  it('retry-conditional after substitution of safe-to-retry', () => {
    const src = `asInt(lastRetry.exitCode) > 1 &&
          lastRetry.status != "Error" &&
          asInt(lastRetry.duration) < 120 &&
          (true == true || lastRetry.message matches 'imminent node shutdown|pod deleted')`;
    const env = (exitCode: string): Record<string, unknown> =>
      argoExprEnv({ lastRetry: { exitCode, status: 'Failed', duration: '3', message: '' } });
    expect(evaluateExpr(src, env('2'))).toBe(true);
    expect(evaluateExpr(src, env('1'))).toBe(false);
  });

  it('label-value-from-workflow and data-transformations', () => {
    expect(evaluateExpr('workflow.parameters.foo', argoExprEnv({ 'workflow.parameters.foo': 'bar' }))).toBe('bar');
    const data = ['a/main.log', 'b/other.log', 'c/main.log'];
    expect(evaluateExpr('filter(data, {# endsWith "main.log"})', argoExprEnv({ data }))).toEqual(['a/main.log', 'c/main.log']);
  });

  it('http successCondition and k8s successCondition', () => {
    const env = argoExprEnv({ response: { statusCode: 201, body: 'I love google', headers: { Server: ['cloudflare'] } } });
    expect(evaluateExpr('response.statusCode == 201', env)).toBe(true);
    expect(evaluateExpr('response.body contains "google"', env)).toBe(true);
    expect(evaluateExpr('response.headers["Server"][0] == "cloudflare"', env)).toBe(true);
    expect(evaluateExpr('status.succeeded > 9', argoExprEnv({ status: { succeeded: 10 } }))).toBe(true);
  });
});

describe('skipped-output-defaults/expression-fallback.yaml', () => {
  const src = "tasks.producer.outputs.parameters.msg ?? 'expr-fallback'";
  it('falls back when the output is nil or its branch is absent', () => {
    expect(evaluateExpr(src, argoExprEnv({ 'tasks.producer.outputs.parameters.msg': null }))).toBe('expr-fallback');
    expect(evaluateExpr(src, argoExprEnv({ 'tasks.producer.status': 'Skipped' }))).toBe('expr-fallback');
  });
  it('keeps an empty string', () => {
    expect(evaluateExpr(src, argoExprEnv({ 'tasks.producer.outputs.parameters.msg': '' }))).toBe('');
  });
});

describe('cron-when.yaml', () => {
  const src = ' cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 360 ';
  const now = new Date('2024-01-01T12:00:00Z');
  it('runs the first time and after six minutes', () => {
    expect(evaluateExpr(src, argoExprEnv({ 'cronworkflow.lastScheduledTime': null, now }))).toBe(true);
    expect(evaluateExpr(src, argoExprEnv({ 'cronworkflow.lastScheduledTime': new Date('2024-01-01T11:50:00Z'), now: () => now }))).toBe(true);
    expect(evaluateExpr(src, argoExprEnv({ 'cronworkflow.lastScheduledTime': new Date('2024-01-01T11:58:00Z'), now }))).toBe(false);
  });
  it('needs a clock', () => {
    expect(() => evaluateExpr('now()', argoExprEnv({}))).toThrow('now() needs a clock');
  });
});

describe('workflow-event-binding/github-path-filter', () => {
  const selector = `
      metadata["x-github-event"] == ["push"]

      // The discriminator is the last subpath of URL path
      && discriminator == "github-path-filter"

      // for each of these file paths
      && any([ "subpath/A/", "subpath/B/" ], {
          let prefix = #;

          // loop over every commit
          any(payload.commits ?? [], {
            let commit = #;

            // loop over each file action in the commit
            any(["added", "removed", "modified"], {
              let file_action = #;

              // Loop over each of the files in the file action
              any(commit[file_action] ?? [], {
                let filepath = #;

                // return true if the given file is in our subpath
                hasPrefix(filepath, prefix)
              })
            })
          })
        })
`;
  const files = `
              // Use the reduce function to collect all files affeccted by commits in this push
              reduce(
                payload.commits ?? [],
                {
                  let commit = #;
                  concat(#acc, commit["added"], commit["removed"], commit["modified"])
                },
                []
              )
`;
  const commits = [
    { added: ['subpath/A/new.txt'], removed: [], modified: ['README.md'] },
    { added: [], removed: ['docs/x.md'], modified: ['subpath/C/y'] },
  ];
  const env = (payload: unknown, event = 'push'): Record<string, unknown> =>
    argoExprEnv({ metadata: { 'x-github-event': [event] }, discriminator: 'github-path-filter', payload });

  it('selects pushes touching subpath/A or subpath/B', () => {
    expect(evaluateExpr(selector, env({ commits }))).toBe(true);
    expect(evaluateExpr(selector, env({ commits: [commits[1]] }))).toBe(false);
    expect(evaluateExpr(selector, env({}))).toBe(false);
    expect(evaluateExpr(selector, env({ commits }, 'pull_request'))).toBe(false);
  });

  it('collects the files of all commits', () => {
    expect(evaluateExpr(files, env({ commits }))).toEqual(['subpath/A/new.txt', 'README.md', 'docs/x.md', 'subpath/C/y']);
    expect(evaluateExpr(files, env({}))).toEqual([]);
  });

  it('event-consumer binding', () => {
    const e = argoExprEnv({ payload: { appellation: 'Mr Wolf' } });
    expect(evaluateExpr('payload.appellation != ""', e)).toBe(true);
    expect(evaluateExpr('payload.appellation', e)).toBe('Mr Wolf');
  });
});
