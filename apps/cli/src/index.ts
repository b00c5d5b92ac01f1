export { main } from './main.js';
export { LocalRun, type LocalRunOptions } from './run/local-host.js';
