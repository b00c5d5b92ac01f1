/** Matching deliveries against WorkflowEventBindings: Argo's examples, Slipway's filters and injection safety. */
import { describe, expect, it } from 'vitest';
import { argoExampleText, bindingFromYaml, GITLAB_PUSH_BINDING } from '../testdata/bindings.js';
import { fixture, fixtureJson, githubDelivery, gitlabDelivery } from '../testdata/fixtures.js';
import { ZERO_SHA } from '../delivery/types.js';
import { planDelivery } from './delivery-plan.js';
import type { WorkflowEventBinding } from '@slipway/workflow';
import { decideBinding, isRejection, matchBindings, type BindingMatch, type BindingStart, type GenericEvent } from './match-bindings.js';

const pushBinding = bindingFromYaml(GITLAB_PUSH_BINDING);
const ctx = { hookName: 'shop-gitlab' };
const pushWith = (over: Record<string, unknown>) => gitlabDelivery('Push Hook', { ...fixtureJson('gitlab-push.json'), ...over });
/** The push binding with some `spec.slipway` fields replaced (the repo URL's safePattern is kept). */
const slipway = (patch: Record<string, unknown>, base: WorkflowEventBinding = pushBinding): WorkflowEventBinding => {
  const current = base.spec.slipway as Record<string, unknown>;
  const parameters = { ...(current.parameters as object), ...(patch.parameters as object) };
  return { ...base, spec: { ...base.spec, slipway: { ...current, hook: undefined, ...patch, parameters } } };
};
const starts = (m: BindingMatch | undefined): BindingStart => {
  if (!m || isRejection(m)) throw new Error(`expected a start, got ${m ? m.rejected : 'nothing'}`);
  return m;
};

describe('Argo examples', () => {
  const consumer = bindingFromYaml(argoExampleText('event-consumer-workfloweventbinding.yaml'), 'argo');
  const pathFilter = bindingFromYaml(argoExampleText('github-path-filter-workfloweventbinding.yaml'), 'argo');
  const generic = (payload: unknown): GenericEvent => ({ provider: 'generic', payload, headers: { 'content-type': 'application/json' } });

  it('event-consumer: payload.appellation becomes the parameter', () => {
    const [m] = matchBindings(generic({ appellation: 'Buttons' }), [consumer]);
    expect(m).toMatchObject({ parameters: [{ name: 'appellation', value: 'Buttons' }], cancelInProgress: false, alertRecipients: [] });
    expect(matchBindings(generic({ appellation: '' }), [consumer])).toEqual([]);
    // As in Argo: nil != "" is true, and json.Marshal(nil) is "null".
    expect(starts(matchBindings(generic({}), [consumer])[0]).parameters).toEqual([{ name: 'appellation', value: 'null' }]);
  });

  it('event-consumer: a value with a space fails the default safe pattern', () => {
    const [m] = matchBindings(generic({ appellation: 'Mr Buttons' }), [consumer]);
    expect(isRejection(m) && m.rejected).toContain('parameter "appellation": event value "Mr Buttons" does not match the default safe pattern');
  });

  const githubCtx = { discriminator: 'github-path-filter' };

  it('github-path-filter: let, any, ??, hasPrefix over the commits (Argo e2e payload: nothing under subpath/)', () => {
    const d = githubDelivery('push', fixture('argo-github-webhook-payload.json'));
    expect(decideBinding(d, pathFilter, githubCtx)).toMatchObject({ status: 'skipped', reason: 'binding github-path-filter: selector is false' });
  });

  it('github-path-filter: reduce/concat collects the files; the JSON list needs a safePattern', () => {
    const p = fixtureJson('argo-github-webhook-payload.json');
    const commits = p.commits as Record<string, unknown>[];
    p.commits = [{ ...commits[0], added: ['subpath/A/main.go'], modified: ['README.md'] }, { ...commits[0], removed: ['subpath/B/old.go'], added: [], modified: [] }];
    const d = githubDelivery('push', p);
    const [m] = matchBindings(d, [pathFilter], githubCtx);
    expect(isRejection(m) && m.cause).toBe('unsafe');
    expect(isRejection(m) && m.rejected).toContain('parameter "files": event value "[\\"subpath/A/main.go\\",\\"README.md\\",\\"subpath/B/old.go\\"]"');

    const allowed = { ...pathFilter, spec: { ...pathFilter.spec, slipway: { parameters: { files: { safePattern: String.raw`\[("[A-Za-z0-9._/-]+",?)*\]` } } } } };
    const ok = starts(matchBindings(d, [allowed], githubCtx)[0]);
    expect(ok.parameters).toEqual([{ name: 'files', value: '["subpath/A/main.go","README.md","subpath/B/old.go"]' }]);
  });

  it('github-path-filter: the discriminator and the x-github-event header are checked', () => {
    const p = fixtureJson('argo-github-webhook-payload.json');
    (p.commits as Record<string, unknown>[])[0].added = ['subpath/B/x'];
    expect(matchBindings(githubDelivery('push', p), [pathFilter], { discriminator: 'other' })).toEqual([]);
    expect(matchBindings(githubDelivery('push', p), [pathFilter], githubCtx)).toMatchObject([{ cause: 'unsafe' }]);
  });
});

describe('GitLab push binding', () => {
  it('starts with safe parameters, a concurrency key and alert recipients', () => {
    const m = starts(matchBindings(gitlabDelivery('Push Hook', fixture('gitlab-push.json')), [pushBinding], ctx)[0]);
    expect(m.parameters).toEqual([
      { name: 'repo', value: 'https://gitlab.example.com/shop/orders.git' },
      { name: 'branch', value: 'main' },
      { name: 'revision', value: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' },
    ]);
    expect(m.concurrencyKey).toBe('shop/orders/refs/heads/main');
    expect(m.cancelInProgress).toBe(true);
    expect(m.alertRecipients).toEqual(['team-orders@example.com']);
  });

  it.each([
    'main;curl${IFS}x|sh',
    'main$(id)',
    'main`id`',
    "main'||true",
    'main\nrm -rf /',
    'main&&reboot',
    'main>x',
  ])('rejects the injection-unsafe branch %j with a reason naming parameter and value', (branch) => {
    const d = pushWith({ ref: `refs/heads/${branch}` });
    const [m] = matchBindings(d, [slipway({ branches: undefined })]);
    expect(isRejection(m)).toBe(true);
    if (!isRejection(m)) return;
    expect(m.cause).toBe('unsafe');
    expect(m.rejected).toContain('binding orders-push: parameter "branch": event value');
    expect(m.rejected).toContain(JSON.stringify(branch).slice(1, 5));
    const plan = planDelivery(d, [m]);
    expect(plan).toMatchObject({ start: [], outcome: 'rejected' });
    expect(plan.reason).toContain('parameter "branch"');
  });

  it('an unsafe value in one binding stops the whole delivery; a broken binding only itself', () => {
    const d = pushWith({ ref: 'refs/heads/main;id' });
    const other = bindingFromYaml(GITLAB_PUSH_BINDING.replace('orders-push', 'other').replace(/slipway:[\s\S]*$/, ''));
    const wide = slipway({ branches: ['**'] });
    const matches = matchBindings(d, [wide, { ...other, spec: { ...other.spec, submit: { ...other.spec.submit!, arguments: { parameters: [] } } } }]);
    expect(matches).toHaveLength(2);
    expect(planDelivery(d, matches)).toMatchObject({ start: [], outcome: 'rejected' });

    const broken = { ...other, spec: { ...other.spec, event: { selector: 'payload.nope.deeper' } } };
    const good = matchBindings(pushWith({}), [broken, pushBinding], ctx);
    expect(good.map((g) => isRejection(g))).toEqual([true, false]);
    const plan = planDelivery(pushWith({}), good);
    expect(plan.outcome).toBe('started');
    expect(plan.start.map((s) => s.binding.metadata.name)).toEqual(['orders-push']);
    expect(plan.reason).toMatch(/^binding other: failed to evaluate spec.event.selector/);
  });

  it('a per-parameter safePattern can allow more', () => {
    const d = pushWith({ ref: 'refs/heads/feature/Ärger mit Leerzeichen' });
    const b = slipway({ branches: ['**'], parameters: { branch: { safePattern: String.raw`[\p{L} /]+` } } });
    const m = starts(matchBindings(d, [b])[0]);
    expect(m.parameters[1]).toEqual({ name: 'branch', value: 'feature/Ärger mit Leerzeichen' });
    // …and the pattern must match the whole value, even written without anchors
    const [r] = matchBindings(pushWith({ ref: 'refs/heads/main;id' }), [b]);
    expect(isRejection(r) && r.rejected).toContain('does not match its safePattern');
  });

  it('branch filters (globs, release/*) and GitHub-style tag/branch separation', () => {
    starts(matchBindings(pushWith({ ref: 'refs/heads/release/1.2' }), [pushBinding], ctx)[0]);
    expect(decideBinding(pushWith({ ref: 'refs/heads/feature/x' }), pushBinding, ctx)).toMatchObject({
      status: 'skipped',
      reason: 'binding orders-push: branch feature/x does not match branches ["main","release/*"]',
    });
    expect(decideBinding(pushWith({ ref: 'refs/heads/release/1/2' }), pushBinding, ctx).status).toBe('skipped');
    const tagDelivery = gitlabDelivery('Tag Push Hook', fixture('gitlab-tag-push-annotated.json'));
    expect(decideBinding(tagDelivery, pushBinding, ctx)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('filters branches only') });
  });

  it('tag filters, and negated globs', () => {
    const tagBinding = bindingFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata: {name: release}
spec:
  event: {selector: 'metadata["x-gitlab-event"] == ["Tag Push Hook"]'}
  submit:
    workflowTemplateRef: {name: release}
    arguments:
      parameters:
        - {name: tag, valueFrom: {event: 'trimPrefix(payload.ref, "refs/tags/")'}}
        - {name: commit, valueFrom: {event: payload.checkout_sha}}
  slipway:
    tags: ["v*", "!v*-rc*"]
`);
    const tag = (name: string) => gitlabDelivery('Tag Push Hook', { ...fixtureJson('gitlab-tag-push-annotated.json'), ref: `refs/tags/${name}` });
    const m = starts(matchBindings(tag('v1.4.0'), [tagBinding])[0]);
    expect(m.parameters).toEqual([
      { name: 'tag', value: 'v1.4.0' },
      { name: 'commit', value: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' },
    ]);
    expect(matchBindings(tag('v1.5.0-rc1'), [tagBinding])).toEqual([]);
    expect(matchBindings(tag('nightly'), [tagBinding])).toEqual([]);
    expect(decideBinding(pushWith({}), tagBinding)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('filters tags only') });
  });

  it('path filters over the changed paths; an incomplete path list lets the delivery through', () => {
    const withPaths = (paths: string[]) => slipway({ paths });
    starts(matchBindings(pushWith({}), [withPaths(['src/**'])])[0]);
    starts(matchBindings(pushWith({}), [withPaths(['**/*.md', '!docs/**'])])[0]);
    expect(decideBinding(pushWith({}), withPaths(['deploy/**']))).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no changed path matches') });
    expect(decideBinding(pushWith({}), withPaths(['!pom.xml', '!README.md', '!docs/**', '!src/**'])).status).toBe('skipped');
    starts(matchBindings(pushWith({ total_commits_count: 40 }), [withPaths(['deploy/**'])])[0]);
  });

  it('the hook reference: only deliveries authenticated by that hook match', () => {
    expect(matchBindings(pushWith({}), [pushBinding], { hookName: 'other-hook' })).toEqual([]);
    expect(decideBinding(pushWith({}), pushBinding, {})).toMatchObject({ status: 'skipped', reason: expect.stringContaining('listens to hook shop-gitlab') });
  });

  it('deletions and other events start nothing', () => {
    const deleted = pushWith({ after: ZERO_SHA, checkout_sha: null });
    expect(matchBindings(deleted, [pushBinding], ctx)).toEqual([]);
    expect(planDelivery(deleted, [])).toEqual({ start: [], outcome: 'skipped', reason: 'branch main was deleted: starts nothing' });
    const pipeline = gitlabDelivery('Pipeline Hook', { object_kind: 'pipeline' });
    const catchAll = { ...pushBinding, spec: { ...pushBinding.spec, event: { selector: 'true' }, slipway: {} } };
    expect(matchBindings(pipeline, [catchAll])).toEqual([]);
    expect(planDelivery(pushWith({ ref: 'refs/heads/feature/x' }), [])).toMatchObject({ outcome: 'skipped', reason: 'no WorkflowEventBinding matched' });
  });

  it('the secret token is not visible to expressions', () => {
    const leak = slipway({}, { ...pushBinding, spec: { ...pushBinding.spec, event: { selector: 'metadata["x-gitlab-token"] == nil && metadata["x-gitlab-event-uuid"] == ["ev-uuid-1"]' } } });
    starts(matchBindings(pushWith({}), [leak])[0]);
  });

  it('expression errors and non-bool selectors reject with the binding named', () => {
    const sel = (selector: string) => ({ ...pushBinding, spec: { ...pushBinding.spec, event: { selector }, slipway: {} } });
    expect(decideBinding(pushWith({}), sel('payload.ref'))).toMatchObject({ status: 'rejected', rejected: 'binding orders-push: spec.event.selector must give a bool, got refs/heads/main' });
    expect(decideBinding(pushWith({}), sel('body.ref == "x"'))).toMatchObject({ rejected: expect.stringContaining('unknown name body') });
    const noValueFrom = { ...pushBinding, spec: { ...pushBinding.spec, slipway: {}, submit: { ...pushBinding.spec.submit!, arguments: { parameters: [{ name: 'x', value: 'y' }] } } } };
    expect(decideBinding(pushWith({}), noValueFrom)).toMatchObject({ rejected: 'binding orders-push: malformed workflow template parameter "x": valueFrom.event is not set' });
  });

  it('concurrency keys: expressions in {{…}}, nil is an error', () => {
    const keyed = (key: string) => slipway({ concurrency: { key, cancelInProgress: false } });
    const m = starts(matchBindings(pushWith({}), [keyed('{{ payload.project.id }}-{{ lower(payload.user_username) }}')])[0]);
    expect(m).toMatchObject({ concurrencyKey: '15-jdoe', cancelInProgress: false });
    expect(decideBinding(pushWith({}), keyed('{{payload.nope}}'))).toMatchObject({ rejected: 'binding orders-push: spec.slipway.concurrency.key: {{payload.nope}} is not set in this event' });
  });

  it('merge request events: branches filter the target branch', () => {
    const mrBinding = bindingFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata: {name: mr}
spec:
  event: {selector: 'payload.object_kind == "merge_request" && payload.object_attributes.action in ["open", "update"]'}
  submit:
    workflowTemplateRef: {name: verify}
    arguments:
      parameters:
        - {name: source, valueFrom: {event: payload.object_attributes.source_branch}}
        - {name: iid, valueFrom: {event: payload.object_attributes.iid}}
  slipway:
    branches: [main]
    concurrency: {key: "mr-{{payload.object_attributes.iid}}", cancelInProgress: true}
`);
    const d = gitlabDelivery('Merge Request Hook', fixture('gitlab-merge-request.json'));
    const m = starts(matchBindings(d, [mrBinding])[0]);
    expect(m.parameters).toEqual([
      { name: 'source', value: 'feature/export' },
      { name: 'iid', value: '7' },
    ]);
    expect(m.concurrencyKey).toBe('mr-7');
  });

  it('GitHub pull requests', () => {
    const prBinding = bindingFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata: {name: pr}
spec:
  event: {selector: 'metadata["x-github-event"] == ["pull_request"] && payload.action in ["opened", "synchronize"]'}
  submit:
    workflowTemplateRef: {name: verify}
    arguments:
      parameters:
        - {name: sha, valueFrom: {event: payload.pull_request.head.sha}}
  slipway:
    branches: [main]
`);
    const d = githubDelivery('pull_request', fixture('github-pull-request.json'));
    expect(starts(matchBindings(d, [prBinding])[0]).parameters).toEqual([{ name: 'sha', value: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c' }]);
  });

  it('generic events cannot pass git filters', () => {
    expect(decideBinding({ provider: 'generic', payload: fixtureJson('gitlab-push.json'), headers: {} }, pushBinding, ctx)).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('GitLab and GitHub deliveries only'),
    });
  });
});
