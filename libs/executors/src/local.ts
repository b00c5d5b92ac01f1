/**
 * `@slipway/executors/local`: the local executor without the Kubernetes one. The package's main
 * entry also loads @kubernetes/client-node (undici, ws, socks…), about 0.25 s of CPU at start-up
 * that `slipway run` never needs.
 */
export * from './port.js';
export { LocalExecutor, BWRAP_MISSING_WARNING, isBwrapUsable, type LocalExecutorOptions } from './local/local-executor.js';
export { chooseLauncher } from './local/spawner/resident-spawner.js';
export type { Launcher } from './local/spawner/launcher.js';
export { loadSecretsDir, describeSecrets, SecretsDirError } from './local/secrets-dir.js';
export type { SecretStore } from './local/git-artifacts.js';
