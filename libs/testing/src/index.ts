export * from './test-database.js';
export * from './smtp-sink.js';
