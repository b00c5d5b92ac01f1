export { parseWhen, type WhenAst, type WhenNode, type WhenValue } from './parser.js';
export { evaluateWhen, evaluateWhenAst } from './evaluate.js';
