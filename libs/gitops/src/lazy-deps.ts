/**
 * `yaml` and `simple-git`, loaded on first use: the package's entry is imported by the local
 * executor (for git artifacts and the shims' directory) in every `slipway run`, which then need
 * neither unless a step has a git artifact (together about 90 modules of start-up otherwise).
 * Both resolve to their CommonJS builds for `import` and `require` alike.
 */
import { createRequire } from 'node:module';
import type * as SimpleGitModule from 'simple-git';
import type * as YamlModule from 'yaml';

const require = createRequire(import.meta.url);
let yaml: typeof YamlModule | undefined;
let simpleGit: typeof SimpleGitModule | undefined;

export function yamlLib(): typeof YamlModule {
  yaml ??= require('yaml') as typeof YamlModule;
  return yaml;
}

export function simpleGitLib(): typeof SimpleGitModule {
  simpleGit ??= require('simple-git') as typeof SimpleGitModule;
  return simpleGit;
}
