/** main.ts decides "is this a server verb?" from usage.ts without loading the verbs: the lists must agree. */
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_VERBS } from './index.js';
import { isServerVerb, SERVER_USAGE, SERVER_VERBS } from './usage.js';

describe('server verb names', () => {
  it('are exactly the implemented verbs', () => {
    expect([...SERVER_VERBS].sort()).toEqual([...IMPLEMENTED_VERBS].sort());
  });

  it('each appears in the usage text, and local verbs are not server verbs', () => {
    for (const verb of SERVER_VERBS) expect(SERVER_USAGE).toMatch(new RegExp(`\\b${verb} `));
    for (const verb of ['run', 'lint', 'help', undefined]) expect(isServerVerb(verb)).toBe(false);
  });
});
