/**
 * Times and durations the way the `argo` CLI prints them (util/humanize on go-humanize's
 * CustomRelTime): `5m` in tables, `1 minute 5 seconds` and `Mon Jan 02 15:04:05 -0700 (2 hours ago)`
 * in `get`.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;
const LONG_TIME = 37 * YEAR;

/** go-humanize's RelTimeMagnitude: the first whose `below` exceeds the difference is used. */
interface Magnitude {
  below: number;
  format: string;
  divBy: number;
}

const SHORT: Magnitude[] = [
  { below: SECOND, format: '0s', divBy: SECOND },
  { below: 2 * SECOND, format: '1s %s', divBy: 1 },
  { below: MINUTE, format: '%ds %s', divBy: SECOND },
  { below: 2 * MINUTE, format: '1m %s', divBy: 1 },
  { below: HOUR, format: '%dm %s', divBy: MINUTE },
  { below: 2 * HOUR, format: '1h %s', divBy: 1 },
  { below: DAY, format: '%dh %s', divBy: HOUR },
  { below: 2 * DAY, format: '1d %s', divBy: 1 },
  { below: WEEK, format: '%dd %s', divBy: DAY },
];

const LONG: Magnitude[] = [
  { below: SECOND, format: '0 seconds', divBy: SECOND },
  { below: 2 * SECOND, format: '1 second %s', divBy: 1 },
  { below: MINUTE, format: '%d seconds %s', divBy: SECOND },
  { below: 2 * MINUTE, format: '1 minute %s', divBy: 1 },
  { below: HOUR, format: '%d minutes %s', divBy: MINUTE },
  { below: 2 * HOUR, format: '1 hour %s', divBy: 1 },
  { below: DAY, format: '%d hours %s', divBy: HOUR },
  { below: 2 * DAY, format: '1 day %s', divBy: 1 },
  { below: WEEK, format: '%d days %s', divBy: DAY },
  { below: 2 * WEEK, format: '1 week %s', divBy: 1 },
  { below: MONTH, format: '%d weeks %s', divBy: WEEK },
  { below: 2 * MONTH, format: '1 month %s', divBy: 1 },
  { below: YEAR, format: '%d months %s', divBy: MONTH },
  { below: 18 * MONTH, format: '1 year %s', divBy: 1 },
  { below: 2 * YEAR, format: '2 years %s', divBy: 1 },
  { below: LONG_TIME, format: '%d years %s', divBy: YEAR },
  { below: Number.MAX_SAFE_INTEGER, format: 'a long while %s', divBy: 1 },
];

/** go-humanize's default magnitudes, for "5 minutes ago". */
const AGO: Magnitude[] = [{ below: SECOND, format: 'now', divBy: SECOND }, ...LONG.slice(1)];

function relTime(from: number, to: number, before: string, after: string, magnitudes: Magnitude[]): string {
  let label = before;
  let diff = to - from;
  if (from > to) {
    label = after;
    diff = from - to;
  }
  const mag = magnitudes.find((m) => m.below > diff) ?? magnitudes[magnitudes.length - 1];
  const value = Math.trunc(diff / mag.divBy);
  return mag.format.replace('%d', String(value)).replace('%s', label).trim();
}

function time(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** `argo list`'s AGE/DURATION: `0s`, `12s`, `5m`, `3h`, `2d`; an unfinished span runs to `now`. */
export function shortDuration(start: string | undefined, finish: string | undefined, now: number): string {
  const s = time(start);
  let f = time(finish);
  if (s === undefined) return '0s';
  if (f === undefined) f = now;
  return relTime(s, f, '', '', SHORT);
}

/** Whole-unit duration, like Argo's `humanize.Duration`: `45 seconds`, `1 minute 5 seconds`, `2 hours 3 minutes`. */
export function longDuration(ms: number): string {
  const truncated = relTime(0, ms, '', '', LONG);
  if (ms < MINUTE) return truncated;
  if (ms < HOUR) return `${truncated} ${Math.trunc((ms % MINUTE) / SECOND)} seconds`;
  if (ms < DAY) return `${truncated} ${Math.trunc((ms % HOUR) / MINUTE)} minutes`;
  return `${truncated} ${Math.trunc((ms % DAY) / HOUR)} hours`;
}

/** `Mon Jan 02 15:04:05 -0700 (5 minutes ago)` in local time, like Argo's `humanize.Timestamp`. */
export function timestamp(iso: string, now: number): string {
  const t = time(iso);
  if (t === undefined) return iso;
  return `${goDate(new Date(t))} (${relTime(t, now, 'ago', 'from now', AGO)})`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's layout `Mon Jan 02 15:04:05 -0700`. */
function goDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${sign}${p(Math.floor(abs / 60))}${p(abs % 60)}`;
}
