export {
  parseDepends,
  dependsOperands,
  evaluateDepends,
  legacyDependenciesToDepends,
  legacyDependenciesAst,
  dependsToString,
  TASK_RESULTS,
  type DependsAst,
  type TaskResult,
} from './depends.js';
