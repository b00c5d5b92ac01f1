export { parseExpr } from './parser.js';
export { evaluateExpr, freeNames } from './evaluate.js';
export type { ExprAst, ExprNode } from './ast.js';
export { argoExprEnv, argoJsonPath, expandDottedKeys, ARGO_EXPR_FUNCTIONS } from './argo-env.js';
export { SPRIG } from './sprig.js';
