export * from './jobs.js';
export * from './connection.js';
export * from './producers.js';
