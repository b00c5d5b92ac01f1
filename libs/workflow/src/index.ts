export * from './model/spec.js';
export * from './model/status.js';
