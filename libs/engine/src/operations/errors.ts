/** A workflow operation (retry, resubmit) refused its input; the message says why. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
}
