export { createApiApp } from './app.js';
export { updatesChannel, type ApiDeps, type Clock } from './deps.js';
export { hashToken, generateToken, BOOTSTRAP_ADMIN } from './auth/token-service.js';
export { loadExampleTemplates } from './examples.js';
