/**
 * Argo custom metrics (`metrics.prometheus` on a template or the workflow spec): the definitions
 * that can never emit, reported at lint time (the worker reports the same ones at run time).
 * Names and label keys with `{{…}}` tags are only checked once substituted, by the worker.
 */
import type { LintContext, Path } from './context.js';
import { hasTag } from './tags.js';

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REALTIME_VALUES = new Set(['{{duration}}', '{{workflow.duration}}']);

interface PrometheusDef {
  name?: unknown;
  help?: unknown;
  labels?: { key?: unknown; value?: unknown }[];
  gauge?: { value?: unknown; realtime?: unknown; operation?: unknown };
  counter?: unknown;
  histogram?: { buckets?: unknown };
}

export function checkMetrics(ctx: LintContext, metrics: unknown, path: Path): void {
  const list = (metrics as { prometheus?: unknown } | undefined)?.prometheus;
  if (!Array.isArray(list)) return; // a wrong type was reported by the schema check
  (list as PrometheusDef[]).forEach((m, i) => {
    if (typeof m !== 'object' || m === null) return;
    const at: Path = [...path, 'prometheus', i];
    if (typeof m.name !== 'string' || m.name === '') ctx.report.error(at, 'name is required');
    else if (!hasTag(m.name) && !METRIC_NAME.test(m.name)) ctx.report.error([...at, 'name'], `"${m.name}" is not a valid metric name (letters, digits and _)`);
    if (typeof m.help !== 'string' || m.help.trim() === '') ctx.report.error(at, 'help is required');
    const kinds = (['gauge', 'counter', 'histogram'] as const).filter((k) => m[k] !== undefined && m[k] !== null);
    if (kinds.length !== 1) ctx.report.error(at, `exactly one of gauge, counter or histogram is required; found ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
    (m.labels ?? []).forEach((l, j) => {
      if (typeof l?.key === 'string' && !hasTag(l.key) && !METRIC_NAME.test(l.key)) ctx.report.error([...at, 'labels', j, 'key'], `"${l.key}" is not a valid label name (letters, digits and _)`);
    });
    if (m.histogram && (!Array.isArray(m.histogram.buckets) || m.histogram.buckets.length === 0)) ctx.report.error([...at, 'histogram'], 'buckets are required');
    const gauge = m.gauge;
    if (gauge?.realtime === true && typeof gauge.value === 'string' && !REALTIME_VALUES.has(gauge.value.replace(/\s+/g, ''))) {
      ctx.report.error([...at, 'gauge', 'value'], 'a realtime gauge may only use {{duration}} or {{workflow.duration}}');
    }
    if (gauge?.operation !== undefined && !['Set', 'Add', 'Sub'].includes(String(gauge.operation))) ctx.report.error([...at, 'gauge', 'operation'], 'must be Set, Add or Sub');
  });
}
