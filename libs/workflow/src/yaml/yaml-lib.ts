/**
 * The `yaml` package, loaded on first use (about 70 modules): the fast reader (fast/) does not
 * need it, so `slipway lint` and `run` of a plain file never load it. Node resolves `yaml` to its
 * CommonJS build for `import` and `require` alike, so this is the same module instance an
 * `import … from 'yaml'` elsewhere gets.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  lib ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return lib;
}
