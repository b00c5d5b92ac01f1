export {
  parseDepends,
  dependsOperands,
  evaluateDepends,
  legacyDependenciesToDepends,
  dependsToString,
  TASK_RESULTS,
  type DependsAst,
  type TaskResult,
} from './depends.js';
