/**
 * A validator for CronWorkflow schedules, accepting what Argo's parser (robfig/cron v3
 * `ParseStandard`) accepts: five fields (minute hour day-of-month month day-of-week) with `*`,
 * `?`, values, ranges `a-b`, steps `/n` and lists; month and weekday names; the descriptors
 * `@yearly @annually @monthly @weekly @daily @midnight @hourly`, `@every <duration>`; and an
 * optional `TZ=…`/`CRON_TZ=…` prefix. Returns the reason a schedule is invalid, or undefined.
 */
import { parseDuration } from '../duration/duration.js';

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule.trim();
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(spec);
  if (tz) {
    if (!isTimeZone(tz[1])) return `unknown time zone "${tz[1]}"`;
    spec = spec.slice(tz[0].length).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith('@every ')) {
      const d = spec.slice('@every '.length).trim();
      try {
        parseDuration(d);
        if (/^[-+]?\d+(\.\d+)?$/.test(d)) return `@every needs a duration with a unit, got "${d}"`;
        return undefined;
      } catch {
        return `invalid duration "${d}" after @every`;
      }
    }
    return `unknown descriptor "${spec}"`;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const err = fieldError(fields[i], FIELDS[i]);
    if (err) return err;
  }
  return undefined;
}

function fieldError(field: string, spec: FieldSpec): string | undefined {
  for (const part of field.split(',')) {
    const err = partError(part, spec);
    if (err) return `${spec.name} "${field}": ${err}`;
  }
  return undefined;
}

function partError(part: string, spec: FieldSpec): string | undefined {
  const [range, step, ...extra] = part.split('/');
  if (extra.length > 0) return 'too many slashes';
  if (step !== undefined && !/^\d+$/.test(step)) return `invalid step "${step}"`;
  if (step !== undefined && Number(step) === 0) return 'step must be positive';
  if (range === '*' || range === '?') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return `invalid range "${range}"`;
  const values: number[] = [];
  for (const b of bounds) {
    const v = value(b, spec);
    if (v === undefined) return `invalid value "${b}"`;
    if (v < spec.min || v > spec.max) return `${b} is out of range ${spec.min}-${spec.max}`;
    values.push(v);
  }
  if (values.length === 2 && values[0] > values[1]) return `range ${range} is backwards`;
  return undefined;
}

function value(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i < 0) return undefined;
  return spec.names === MONTHS ? i + 1 : i;
}

/** True when the runtime knows this IANA time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
