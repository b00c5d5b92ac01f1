export * from './tags.js';
