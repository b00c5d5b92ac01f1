export * from './metrics.js';
export * from './metrics-server.js';
export * from './workflow-counts.js';
export * from './workflow-observer.js';
export * from './parse-metrics.js';
export * from './custom-metrics-recorder.js';
