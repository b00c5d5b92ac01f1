import { afterEach, describe, expect, test } from 'vitest';
import { createBareRepo, serveGitHttp, type BareRepo } from './testing/index.js';
import { changeHash, updateImageTag, type UpdateImageTagOptions } from './update-tag.js';

const KUSTOMIZATION = `resources:
  - deployment.yaml
images:
  - name: registry.example.com/app  # the app
    newTag: old
`;

const repos: BareRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.dispose();
});

function gitopsRepo(files: Record<string, string> = { 'apps/demo/kustomization.yaml': KUSTOMIZATION }): BareRepo {
  const repo = createBareRepo(files, { name: 'gitops' });
  repos.push(repo);
  return repo;
}

const base = (repo: BareRepo, overrides: Partial<UpdateImageTagOptions> = {}): UpdateImageTagOptions => ({
  repoUrl: repo.url,
  branch: 'main',
  file: 'apps/demo/kustomization.yaml',
  image: 'registry.example.com/app',
  tag: 'abc123',
  mode: 'kustomize',
  author: { name: 'Slipway', email: 'slipway@example.com' },
  workflowUid: 'wf-uid-1',
  ...overrides,
});

describe('updateImageTag', () => {
  test('kustomize: one commit with the tag and the trailers, pushed to the branch', async () => {
    const repo = gitopsRepo();
    const before = repo.log();
    const result = await updateImageTag(base(repo, { digest: 'sha256:0123' }));
    expect(result).toMatchObject({ alreadyDone: false, attempts: 1 });
    expect(repo.log()).toEqual([result.commit, ...before]);
    expect(repo.read('main', 'apps/demo/kustomization.yaml')).toBe(KUSTOMIZATION.replace('newTag: old', 'newTag: abc123'));
    const message = repo.message(result.commit);
    expect(message).toContain('Set registry.example.com/app to abc123 in apps/demo/kustomization.yaml');
    expect(message).toContain('Image-Digest: sha256:0123\nSlipway-Workflow: wf-uid-1');
    expect(message).toContain(`Slipway-Change: ${changeHash('apps/demo/kustomization.yaml', 'registry.example.com/app', 'abc123')}`);
  });

  test('helm and key modes', async () => {
    const repo = gitopsRepo({ 'values.yaml': 'image:\n  repository: app\n  tag: "1"\n', 'cfg.yaml': 'deploy:\n  version: v1 # pinned\n' });
    await updateImageTag(base(repo, { file: 'values.yaml', mode: 'helm', image: 'app', tag: '2' }));
    await updateImageTag(base(repo, { file: 'cfg.yaml', mode: 'key', key: 'deploy.version', image: 'app', tag: 'v2' }));
    expect(repo.read('main', 'values.yaml')).toBe('image:\n  repository: app\n  tag: "2"\n');
    expect(repo.read('main', 'cfg.yaml')).toBe('deploy:\n  version: v2 # pinned\n');
  });

  test('idempotent: a retry finds its trailer on the branch and does nothing, even after later commits', async () => {
    const repo = gitopsRepo();
    const first = await updateImageTag(base(repo));
    repo.commit({ 'README.md': 'unrelated\n' }, 'someone else');
    const second = await updateImageTag(base(repo, { workflowUid: 'wf-uid-1-retry' }));
    expect(second).toEqual({ commit: first.commit, alreadyDone: true, attempts: 0 });
    expect(repo.log()).toHaveLength(3);
  });

  test('a file already at the tag is done without a commit', async () => {
    const repo = gitopsRepo();
    const result = await updateImageTag(base(repo, { tag: 'old' }));
    expect(result).toEqual({ commit: repo.log()[0], alreadyDone: true, attempts: 0 });
    expect(repo.log()).toHaveLength(1);
  });

  test('a commit pushed between clone and push: fetch, re-apply on top, push again', async () => {
    const repo = gitopsRepo();
    let concurrent = '';
    const result = await updateImageTag(
      base(repo, {
        beforePush: (attempt) => {
          // Another pipeline bumps a different line of the same file first.
          if (attempt === 1) concurrent = repo.commit({ 'apps/demo/kustomization.yaml': KUSTOMIZATION.replace('  - deployment.yaml', '  - deployment.yaml\n  - service.yaml') }, 'concurrent');
        },
      }),
    );
    expect(result).toMatchObject({ alreadyDone: false, attempts: 2 });
    const log = repo.log();
    expect(log.slice(0, 2)).toEqual([result.commit, concurrent]);
    const text = repo.read('main', 'apps/demo/kustomization.yaml');
    expect(text).toContain('  - service.yaml');
    expect(text).toContain('newTag: abc123');
  });

  test('gives up after maxAttempts rejections', async () => {
    const repo = gitopsRepo();
    let n = 0;
    await expect(
      updateImageTag(base(repo, { maxAttempts: 2, beforePush: () => void repo.commit({ [`f${n++}`]: 'x' }, 'race') })),
    ).rejects.toThrow(/rejected 2 times/);
  });

  test('a missing file or key is an error naming the file and key', async () => {
    const repo = gitopsRepo();
    await expect(updateImageTag(base(repo, { file: 'apps/nope/kustomization.yaml' }))).rejects.toThrow(
      `file "apps/nope/kustomization.yaml" not found on branch main of ${repo.url}`,
    );
    await expect(updateImageTag(base(repo, { mode: 'helm', key: 'image.tag' }))).rejects.toThrow('apps/demo/kustomization.yaml: key "image.tag" not found');
    await expect(updateImageTag(base(repo, { image: 'other' }))).rejects.toThrow('key images[name=other].newTag not found');
    expect(repo.log()).toHaveLength(1);
  });

  test('username/password over HTTP: the password never appears in errors', async () => {
    const repo = gitopsRepo();
    const server = await serveGitHttp(repo.path.replace(/\/[^/]+$/, ''), { username: 'ci', password: 's3cr3t-pa55' });
    try {
      const url = `${server.url}/gitops.git`;
      const ok = await updateImageTag(base(repo, { repoUrl: url, credentials: { username: 'ci', password: 's3cr3t-pa55' } }));
      expect(repo.log()[0]).toBe(ok.commit);
      const wrong = updateImageTag(base(repo, { repoUrl: url, tag: 'x', credentials: { username: 'ci', password: 'wrong-pa55word' } }));
      await expect(wrong).rejects.toThrow(url);
      await expect(wrong).rejects.not.toThrow('wrong-pa55word');
    } finally {
      await server.close();
    }
  });
});
