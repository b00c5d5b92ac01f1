export * from './contract/actions.js';
export * from './contract/events.js';
