export { lintDocuments, type LintOptions } from './lint.js';
export { toTypedObject, type TypedDocument } from './typed.js';
export { cronScheduleError, isTimeZone } from './cron-schedule.js';
export { ARGO_TYPES } from './schema/argo-types.js';
export type { ObjectSchema, TypeExpr } from './schema/type-expr.js';
export { EXECUTOR_KEY } from './metadata.js';
