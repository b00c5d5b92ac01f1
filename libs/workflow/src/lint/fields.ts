/** Value rules for single fields: durations, retry strategies, integer-or-string fields. */
import { parseDuration } from '../duration/duration.js';
import type { Backoff, IntOrString, RetryStrategy } from '../model/spec.js';
import type { LintContext, Path } from './context.js';
import { exprSyntaxError } from './expr-check.js';
import { hasTag } from './tags.js';

const RETRY_POLICIES = new Set(['Always', 'OnFailure', 'OnError', 'OnTransientError']);
const INTEGER = /^\s*[-+]?\d+\s*$/;

/**
 * A Go duration (`30s`, `1h5m`); bare numbers mean seconds except where Argo refuses them
 * (`timeout`). Values with `{{…}}` are resolved at run time and not checked.
 */
export function checkDuration(ctx: LintContext, value: IntOrString | undefined, path: Path, bareNumber = true): void {
  if (value === undefined || (typeof value === 'string' && hasTag(value))) return;
  if (!bareNumber && (typeof value === 'number' || INTEGER.test(value))) {
    ctx.report.error(path, `"${value}" needs a unit, e.g. "${String(value).trim()}s"`);
    return;
  }
  try {
    parseDuration(value);
  } catch {
    ctx.report.error(path, `invalid duration "${value}" (expected e.g. "30s", "5m", "1h30m")`);
  }
}

/** An integer, an integer string, or a `{{…}}` value. */
export function checkIntString(ctx: LintContext, value: IntOrString | undefined, path: Path, what = 'an integer'): void {
  if (typeof value !== 'string' || hasTag(value)) return;
  if (!INTEGER.test(value)) ctx.report.error(path, `expected ${what}, got "${value}"`);
}

export function checkActiveDeadline(ctx: LintContext, value: IntOrString | undefined, path: Path): void {
  if (value === undefined) return;
  if (typeof value === 'number' ? value < 0 : !hasTag(value) && (!INTEGER.test(value) || Number(value) < 0)) {
    ctx.report.error(path, `activeDeadlineSeconds must be a non-negative number of seconds or a {{…}} variable, got "${value}"`);
  }
}

export function checkRetryStrategy(ctx: LintContext, rs: RetryStrategy | undefined, path: Path): void {
  if (!rs) return;
  if (rs.retryPolicy !== undefined && !hasTag(rs.retryPolicy) && !RETRY_POLICIES.has(rs.retryPolicy)) {
    ctx.report.error([...path, 'retryPolicy'], `"${rs.retryPolicy}" is not a retry policy (Always, OnFailure, OnError, OnTransientError)`);
  }
  checkIntString(ctx, rs.limit, [...path, 'limit']);
  if (rs.expression !== undefined) {
    const err = exprSyntaxError(rs.expression);
    if (err) ctx.report.error([...path, 'expression'], `invalid expression: ${err}`);
  }
  checkBackoff(ctx, rs.backoff, [...path, 'backoff']);
}

function checkBackoff(ctx: LintContext, b: Backoff | undefined, path: Path): void {
  if (!b) return;
  checkDuration(ctx, b.duration, [...path, 'duration']);
  checkDuration(ctx, b.maxDuration, [...path, 'maxDuration']);
  checkDuration(ctx, b.cap, [...path, 'cap']);
  checkIntString(ctx, b.factor, [...path, 'factor']);
}
