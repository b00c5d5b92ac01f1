export { ExpressionError } from './error.js';
export * from './govaluate/index.js';
export * from './exprlang/index.js';
export * from './depends/index.js';
export * from './jsonpath/index.js';
export * from './go-format/index.js';
export { goRegExp, goRegexMatch, GoRegexError } from './regex.js';
