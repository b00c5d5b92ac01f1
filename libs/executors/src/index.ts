export * from './port.js';
export { LocalExecutor, BWRAP_MISSING_WARNING, isBwrapUsable, type LocalExecutorOptions } from './local/local-executor.js';
