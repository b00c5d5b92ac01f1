export { WorkerHost, type WorkerOptions } from './worker-host.js';
export { startWorker } from './main.js';
export { killChannel, updatesChannel } from './reconcile/action-performer.js';
