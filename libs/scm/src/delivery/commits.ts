/** Commit lists of push payloads (GitLab and GitHub share the shape). */
import { list, obj, str, strings } from './payload-reader.js';
import type { DeliveryCommit } from './types.js';

export function readCommits(value: unknown): DeliveryCommit[] {
  return list(value).flatMap((c) => {
    const id = str(c.id);
    if (!id) return [];
    const author = obj(c.author);
    return [
      {
        id,
        message: typeof c.message === 'string' ? c.message : '',
        timestamp: str(c.timestamp),
        url: str(c.url),
        author: author ? { name: str(author.name), email: str(author.email), username: str(author.username) } : undefined,
        added: strings(c.added),
        modified: strings(c.modified),
        removed: strings(c.removed),
      },
    ];
  });
}

/** Added, modified and removed paths of all commits, each once, in order of first appearance. */
export function changedPaths(commits: readonly DeliveryCommit[]): string[] {
  const seen = new Set<string>();
  for (const c of commits) for (const p of [...c.added, ...c.modified, ...c.removed]) seen.add(p);
  return [...seen];
}
