/**
 * The one error type thrown by every expression grammar (govaluate `when`, expr-lang, `depends`,
 * JSONPath, Go format strings). `offset` is a 0-based UTF-16 offset into `source` when the
 * problem has a position; the message already names the line/column for humans.
 */
export class ExpressionError extends Error {
  constructor(
    message: string,
    public readonly offset: number | undefined,
    public readonly source: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }

  /** Build an error whose message ends with `at column N` (or `at line L, column N`). */
  static at(description: string, offset: number | undefined, source: string): ExpressionError {
    if (offset === undefined) return new ExpressionError(description, undefined, source);
    return new ExpressionError(`${description} at ${describePosition(source, offset)}`, offset, source);
  }
}

/** `column 7`, or `line 2, column 3` when the source spans several lines (1-based). */
export function describePosition(source: string, offset: number): string {
  const before = source.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  const column = lines[lines.length - 1].length + 1;
  if (!source.includes('\n')) return `column ${column}`;
  return `line ${lines.length}, column ${column}`;
}

/** Wrap anything thrown by helper code (a sprig function, a JS callback) as an ExpressionError. */
export function asExpressionError(err: unknown, offset: number | undefined, source: string): ExpressionError {
  if (err instanceof ExpressionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return ExpressionError.at(message, offset, source);
}
