export { jsonPath } from './evaluate.js';
export { parsePath, type PathToken } from './parser.js';
