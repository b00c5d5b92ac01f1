export * from './instantiate.js';
