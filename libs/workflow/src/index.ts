export * from './model/spec.js';
export * from './model/status.js';
export * from './naming/node-id.js';
export * from './duration/duration.js';
export * from './library/template-library.js';
export * from './expressions/index.js';
export * from './yaml/index.js';
export * from './lint/index.js';
