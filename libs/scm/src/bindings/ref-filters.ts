/**
 * `branches`, `tags` and `paths` filters (globs, picomatch syntax; `!glob` excludes). Semantics
 * follow GitHub Actions' push filters: with only `branches`, tag pushes do not match; with only
 * `tags`, branch pushes do not match. Merge/pull requests are filtered on their target branch.
 */
import picomatch from 'picomatch';
import type { Delivery } from '../delivery/types.js';
import type { SlipwayBindingExtensions } from './extensions.js';

type Matcher = (value: string) => boolean;
const cache = new Map<string, Matcher>();

/** Matches when some positive glob matches (or there are none) and no `!glob` does. */
export function globListMatcher(globs: readonly string[]): Matcher {
  const key = JSON.stringify(globs);
  let m = cache.get(key);
  if (!m) {
    const positive = globs.filter((g) => !g.startsWith('!'));
    const negative = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
    const yes = positive.length ? picomatch(positive, { dot: true }) : () => true;
    const no = negative.length ? picomatch(negative, { dot: true }) : () => false;
    m = (value) => yes(value) && !no(value);
    cache.set(key, m);
  }
  return m;
}

/** Why the delivery's ref does not pass the filters, or undefined when it does. */
export function refFilterReason(d: Delivery, ext: SlipwayBindingExtensions): string | undefined {
  const { branches, tags } = ext;
  if (d.kind === 'merge_request' || d.kind === 'pull_request') {
    if (branches && !(d.targetBranch !== undefined && globListMatcher(branches)(d.targetBranch))) {
      return `target branch ${d.targetBranch ?? '?'} does not match branches ${JSON.stringify(branches)}`;
    }
    return undefined;
  }
  if (d.tag !== undefined) {
    if (tags) return globListMatcher(tags)(d.tag) ? undefined : `tag ${d.tag} does not match tags ${JSON.stringify(tags)}`;
    return branches ? `tag ${d.tag}: the binding filters branches only` : undefined;
  }
  if (branches) {
    return d.branch !== undefined && globListMatcher(branches)(d.branch) ? undefined : `branch ${d.branch ?? '?'} does not match branches ${JSON.stringify(branches)}`;
  }
  return tags ? `branch ${d.branch ?? '?'}: the binding filters tags only` : undefined;
}

/**
 * Why no changed path matches, or undefined when one does. When the payload cannot tell every
 * changed path (truncated commit list, new branch, forced push, merge requests) the filter lets
 * the delivery through: an unneeded build is better than a missed one.
 */
export function pathFilterReason(d: Delivery, ext: SlipwayBindingExtensions): string | undefined {
  if (!ext.paths || !d.changedPathsComplete) return undefined;
  const match = globListMatcher(ext.paths);
  return d.changedPaths.some(match) ? undefined : `no changed path matches paths ${JSON.stringify(ext.paths)}`;
}
