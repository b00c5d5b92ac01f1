/** Rules for a document's apiVersion and metadata (names and labels, as Kubernetes checks them). */
import { API_VERSION, type Kind, type ObjectMeta } from '../model/spec.js';
import type { LintContext } from './context.js';
import { hasTag } from './tags.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
/** Slipway's per-workflow executor choice (label or annotation), read by the worker. */
export const EXECUTOR_KEY = 'workflows.slipway.dev/executor';
const EXECUTORS = ['kubernetes', 'local'];
const LABEL_VALUE_RULE = "must be 63 characters or less, and begin and end with an alphanumeric character ([a-z0-9A-Z]) with dashes (-), underscores (_), dots (.) and alphanumerics between";

/** `apiVersion` as found in the typed document (a value of the wrong type was already reported). */
export function checkApiVersion(ctx: LintContext, apiVersion: string | undefined, raw: unknown): void {
  if (raw === undefined || raw === null) ctx.report.error([], `apiVersion is required (${API_VERSION})`);
  else if (typeof raw === 'string' && apiVersion !== API_VERSION) {
    ctx.report.error(['apiVersion'], `apiVersion must be ${API_VERSION}, got "${apiVersion}"`);
  }
}

export function checkMetadata(ctx: LintContext, kind: Kind, meta: ObjectMeta | undefined): void {
  const m = meta ?? {};
  const at = meta ? ['metadata'] : [];
  const hint = misplacedNameHint(m);
  if (kind === 'Workflow') {
    if (!m.name && !m.generateName) ctx.report.error(at, `name or generateName is required${hint}`);
  } else if (!m.name) {
    ctx.report.error(at, `name is required${hint}`);
  }
  const maxLength = kind === 'CronWorkflow' ? 52 : 63;
  if (m.name && !hasTag(m.name)) {
    if (m.name.length > maxLength) ctx.report.error(['metadata', 'name'], `name must be at most ${maxLength} characters (is ${m.name.length})`);
    if (!DNS_SUBDOMAIN.test(m.name)) ctx.report.error(['metadata', 'name'], `name "${m.name}" must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character`);
  }
  if (m.generateName && !hasTag(m.generateName) && !DNS_SUBDOMAIN.test(`${m.generateName}a`)) {
    ctx.report.error(['metadata', 'generateName'], `generateName "${m.generateName}" must consist of lower case alphanumeric characters, '-' or '.', and start with an alphanumeric character`);
  }
  for (const [key, value] of Object.entries(m.labels ?? {})) {
    const path = ['metadata', 'labels', key];
    const keyError = labelKeyError(key);
    if (keyError) ctx.report.error(path, `invalid label key "${key}": ${keyError}`);
    if (typeof value === 'string' && !hasTag(value) && value !== '' && (value.length > 63 || !LABEL_NAME.test(value))) {
      ctx.report.error(path, `invalid label value "${value}": it ${LABEL_VALUE_RULE}`);
    }
  }
  for (const field of ['labels', 'annotations'] as const) {
    const value = m[field]?.[EXECUTOR_KEY];
    if (typeof value === 'string' && !hasTag(value) && !EXECUTORS.includes(value)) {
      ctx.report.error(['metadata', field, EXECUTOR_KEY], `"${value}" is not an executor (use ${EXECUTORS.join(' or ')})`);
    }
  }
}

/** Explain the usual cause of a missing name: the line sits inside labels or an annotation's text. */
function misplacedNameHint(m: ObjectMeta): string {
  const nested = ['name', 'generateName'].find((k) => m.labels?.[k] !== undefined);
  if (nested) return ` ("${nested}" is indented under metadata.labels)`;
  for (const [key, value] of Object.entries(m.annotations ?? {})) {
    const line = typeof value === 'string' ? /^\s*(name|generateName):/m.exec(value) : null;
    if (line) return ` (a "${line[1]}:" line is part of the text of annotation "${key}")`;
  }
  return '';
}

function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return 'the prefix must be a DNS subdomain';
  if (name === '' || name.length > 63 || !LABEL_NAME.test(name)) return `the name part ${LABEL_VALUE_RULE}`;
  return undefined;
}
