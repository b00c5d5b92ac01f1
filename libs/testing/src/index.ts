export * from './test-database.js';
export * from './smtp-sink.js';
export * from './fake-scm-server.js';
export * from './fake-kube-server.js';
