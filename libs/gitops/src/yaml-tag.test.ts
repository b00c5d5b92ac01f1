import { describe, expect, test } from 'vitest';
import { setImageTag, TagEditError } from './yaml-tag.js';

const kustomization = `# deployed by Slipway
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml   # the app
images:
  - name: registry.example.com/team/other
    newTag: "7"
  - name: registry.example.com/team/app
    newTag: 1a2b3c   # bumped by CI

    # trailing comment
`;

describe('setImageTag', () => {
  test('kustomize: replaces only the matching newTag, keeping comments and layout byte for byte', () => {
    const { text, changed } = setImageTag(kustomization, 'kustomization.yaml', { mode: 'kustomize', image: 'registry.example.com/team/app', tag: 'd4e5f6' });
    expect(changed).toBe(true);
    expect(text).toBe(kustomization.replace('newTag: 1a2b3c', 'newTag: d4e5f6'));
  });

  test('kustomize: keeps the quoting style and quotes values that would not read back as strings', () => {
    const quoted = setImageTag(kustomization, 'k.yaml', { mode: 'kustomize', image: 'registry.example.com/team/other', tag: '8' });
    expect(quoted.text).toContain('newTag: "8"');
    const plain = setImageTag(kustomization, 'k.yaml', { mode: 'kustomize', image: 'registry.example.com/team/app', tag: '1.10' });
    expect(plain.text).toContain('newTag: "1.10"   # bumped by CI');
  });

  test('kustomize: an entry without newTag gets one; an unchanged tag is no change', () => {
    const noTag = 'images:\n- name: app # mine\n';
    expect(setImageTag(noTag, 'k.yaml', { mode: 'kustomize', image: 'app', tag: 'v2' }).text).toBe('images:\n  - name: app # mine\n    newTag: v2\n');
    expect(setImageTag(kustomization, 'k.yaml', { mode: 'kustomize', image: 'registry.example.com/team/app', tag: '1a2b3c' }).changed).toBe(false);
  });

  test('helm: a values key path (default image.tag)', () => {
    const values = 'replicaCount: 2\nimage:\n  repository: app  # repo\n  tag: \'old\'\n';
    expect(setImageTag(values, 'values.yaml', { mode: 'helm', image: 'app', tag: 'new' }).text).toBe(values.replace("'old'", "'new'"));
    const nested = 'api:\n  image:\n    tag: old\n';
    expect(setImageTag(nested, 'values.yaml', { mode: 'helm', image: 'app', tag: 'n', key: 'api.image.tag' }).text).toBe('api:\n  image:\n    tag: n\n');
  });

  test('key: a dotted path with list indices', () => {
    const deploy = 'spec:\n  containers:\n    - name: app\n      image: app:old\n';
    expect(setImageTag(deploy, 'd.yaml', { mode: 'key', image: 'app', tag: 'app:new', key: 'spec.containers.0.image' }).text).toBe(deploy.replace('app:old', '"app:new"'));
  });

  test('errors name the file and the key', () => {
    expect(() => setImageTag(kustomization, 'overlays/prod/kustomization.yaml', { mode: 'kustomize', image: 'nope', tag: 'x' })).toThrow(
      'overlays/prod/kustomization.yaml: key images[name=nope].newTag not found',
    );
    expect(() => setImageTag('image:\n  repository: x\n', 'values.yaml', { mode: 'helm', image: 'x', tag: 'y' })).toThrow('values.yaml: key "image.tag" not found');
    expect(() => setImageTag('a: 1\n', 'v.yaml', { mode: 'key', image: 'x', tag: 'y', key: 'b.c' })).toThrow(TagEditError);
    expect(() => setImageTag('a: [1\n', 'v.yaml', { mode: 'key', image: 'x', tag: 'y', key: 'a' })).toThrow('v.yaml: not valid YAML');
  });
});
