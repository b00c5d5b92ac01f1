export { loadPaths, type LoadResult } from './load-paths.js';
