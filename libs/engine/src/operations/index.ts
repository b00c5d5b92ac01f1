export { OperationError } from './errors.js';
export { retryWorkflow, type RetryOptions, type RetryResult } from './retry-workflow.js';
export { resubmitWorkflow, RESUBMITTED_FROM_LABEL, type ResubmitIds, type ResubmitOptions } from './resubmit-workflow.js';
export { parseNodeFieldSelector, type NodeSelector } from './field-selector.js';
