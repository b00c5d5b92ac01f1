/**
 * Go reference-time layouts (`"2006-01-02T15:04:05Z07:00"`) for formatting and parsing, as used by
 * sprig `date`, expr-lang `date()`/`.Format()`, and Argo's strftime variables. Times are JS Dates
 * (millisecond precision); the default zone is UTC, others go through Intl.
 */

type Std =
  | 'January' | 'Jan' | '1' | '01' | 'Monday' | 'Mon' | '2' | '_2' | '02' | '__2' | '002'
  | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST'
  | 'Z070000' | 'Z07:00:00' | 'Z0700' | 'Z07:00' | 'Z07' | '-070000' | '-07:00:00' | '-0700' | '-07:00' | '-07';

type Chunk = { kind: 'lit'; text: string } | { kind: 'std'; std: Std } | { kind: 'frac'; sep: string; digits: number; trim: boolean };

const TZ_FORMS = ['070000', '07:00:00', '0700', '07:00', '07'] as const;
const ZERO_X: Std[] = ['01', '02', '03', '04', '05', '06'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Split a layout into literal text and reference-time elements (Go's nextStdChunk). */
function chunk(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = '';
  const push = (c: Chunk, length: number, at: number): number => {
    if (lit) out.push({ kind: 'lit', text: lit });
    lit = '';
    out.push(c);
    return at + length - 1;
  };
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    const c = layout[i];
    const std = (s: Std): Chunk => ({ kind: 'std', std: s });
    if (rest.startsWith('January')) i = push(std('January'), 7, i);
    else if (rest.startsWith('Jan') && !isLower(rest[3])) i = push(std('Jan'), 3, i);
    else if (rest.startsWith('Monday')) i = push(std('Monday'), 6, i);
    else if (rest.startsWith('Mon') && !isLower(rest[3])) i = push(std('Mon'), 3, i);
    else if (rest.startsWith('MST')) i = push(std('MST'), 3, i);
    else if (c === '0' && rest[1] >= '1' && rest[1] <= '6') i = push(std(ZERO_X[Number(rest[1]) - 1]), 2, i);
    else if (rest.startsWith('002')) i = push(std('002'), 3, i);
    else if (rest.startsWith('15')) i = push(std('15'), 2, i);
    else if (c === '1') i = push(std('1'), 1, i);
    else if (rest.startsWith('2006')) i = push(std('2006'), 4, i);
    else if (c === '2') i = push(std('2'), 1, i);
    else if (rest.startsWith('_2') && !rest.startsWith('_2006')) i = push(std('_2'), 2, i);
    else if (rest.startsWith('__2')) i = push(std('__2'), 3, i);
    else if (c === '3' || c === '4' || c === '5') i = push(std(c), 1, i);
    else if (rest.startsWith('PM')) i = push(std('PM'), 2, i);
    else if (rest.startsWith('pm')) i = push(std('pm'), 2, i);
    else if ((c === '-' || c === 'Z') && TZ_FORMS.some((f) => rest.startsWith(c + f))) {
      const form = TZ_FORMS.find((f) => rest.startsWith(c + f)) ?? '07';
      i = push(std(`${c}${form}` as Std), form.length + 1, i);
    } else if ((c === '.' || c === ',') && (rest[1] === '0' || rest[1] === '9')) {
      let j = 1;
      while (rest[j] === rest[1]) j++;
      if (!isDigit(rest[j])) i = push({ kind: 'frac', sep: c, digits: j - 1, trim: rest[1] === '9' }, j, i);
      else lit += c;
    } else lit += c;
  }
  if (lit) out.push({ kind: 'lit', text: lit });
  return out;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
  offset: number;
  abbr: string;
}

function fieldsIn(date: Date, zone: string): Fields {
  const ms = date.getUTCMilliseconds();
  if (zone === 'UTC' || zone === '') {
    return {
      year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(),
      minute: date.getUTCMinutes(), second: date.getUTCSeconds(), ms, weekday: date.getUTCDay(), offset: 0, abbr: 'UTC',
    };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short',
  }).formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '0';
  const f = {
    year: Number(get('year')), month: Number(get('month')), day: Number(get('day')), hour: Number(get('hour')),
    minute: Number(get('minute')), second: Number(get('second')),
  };
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const offset = Math.round((asUtc - (date.getTime() - ms)) / 1000);
  const weekday = new Date(Date.UTC(f.year, f.month - 1, f.day)).getUTCDay();
  return { ...f, ms, weekday, offset, abbr: get('timeZoneName') };
}

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

function formatZone(offset: number, form: string, allowZ: boolean): string {
  if (allowZ && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  const ss = pad(abs % 60, 2);
  switch (form) {
    case '070000': return `${sign}${hh}${mm}${ss}`;
    case '07:00:00': return `${sign}${hh}:${mm}:${ss}`;
    case '0700': return `${sign}${hh}${mm}`;
    case '07:00': return `${sign}${hh}:${mm}`;
    default: return `${sign}${hh}`;
  }
}

/** Go `t.In(zone).Format(layout)`; `zone` is an IANA name, default UTC. */
export function formatGoTime(date: Date, layout: string, zone = 'UTC'): string {
  const f = fieldsIn(date, zone);
  const yday = Math.round((Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000) + 1;
  let out = '';
  for (const c of chunk(layout)) {
    if (c.kind === 'lit') {
      out += c.text;
      continue;
    }
    if (c.kind === 'frac') {
      const digits = pad(f.ms * 1_000_000, 9).slice(0, c.digits);
      const shown = c.trim ? digits.replace(/0+$/, '') : digits;
      if (shown) out += c.sep + shown;
      continue;
    }
    const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
    switch (c.std) {
      case 'January': out += MONTHS[f.month - 1]; break;
      case 'Jan': out += MONTHS[f.month - 1].slice(0, 3); break;
      case '1': out += String(f.month); break;
      case '01': out += pad(f.month, 2); break;
      case 'Monday': out += DAYS[f.weekday]; break;
      case 'Mon': out += DAYS[f.weekday].slice(0, 3); break;
      case '2': out += String(f.day); break;
      case '_2': out += pad(f.day, 2, ' '); break;
      case '02': out += pad(f.day, 2); break;
      case '__2': out += pad(yday, 3, ' '); break;
      case '002': out += pad(yday, 3); break;
      case '15': out += pad(f.hour, 2); break;
      case '3': out += String(h12); break;
      case '03': out += pad(h12, 2); break;
      case '4': out += String(f.minute); break;
      case '04': out += pad(f.minute, 2); break;
      case '5': out += String(f.second); break;
      case '05': out += pad(f.second, 2); break;
      case '2006': out += pad(f.year, 4); break;
      case '06': out += pad(f.year % 100, 2); break;
      case 'PM': out += f.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += f.hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': out += /^[A-Z]{3,5}$/.test(f.abbr) ? f.abbr : formatZone(f.offset, '0700', false); break;
      case 'Z070000': case 'Z07:00:00': case 'Z0700': case 'Z07:00': case 'Z07':
      case '-070000': case '-07:00:00': case '-0700': case '-07:00': case '-07':
        out += formatZone(f.offset, c.std.slice(1), c.std.startsWith('Z'));
    }
  }
  return out;
}

/**
 * Go `time.Parse(layout, value)` (zone-less values are UTC). Returns undefined when the value
 * does not match the layout.
 */
export function parseGoTime(value: string, layout: string): Date | undefined {
  const chunks = chunk(layout);
  let rest = value;
  let year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0, offset = 0, pm: boolean | undefined;
  const num = (min: number, max: number): number | undefined => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const word = (names: string[], len?: number): number | undefined => {
    const idx = names.findIndex((n) => rest.toLowerCase().startsWith((len ? n.slice(0, len) : n).toLowerCase()));
    if (idx < 0) return undefined;
    rest = rest.slice(len ?? names[idx].length);
    return idx;
  };
  const fraction = (): void => {
    const m = /^[.,](\d+)/.exec(rest);
    if (m) {
      ms = Math.floor(Number(`0.${m[1]}`) * 1000 + 1e-9);
      rest = rest.slice(m[0].length);
    }
  };
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k];
    let v: number | undefined = 0;
    if (c.kind === 'lit') {
      if (!rest.startsWith(c.text)) return undefined;
      rest = rest.slice(c.text.length);
      continue;
    }
    if (c.kind === 'frac') {
      fraction();
      continue;
    }
    switch (c.std) {
      case 'January': v = month = (word(MONTHS) ?? -1) + 1; break;
      case 'Jan': v = month = (word(MONTHS, 3) ?? -1) + 1; break;
      case 'Monday': v = word(DAYS); break;
      case 'Mon': v = word(DAYS, 3); break;
      case '1': case '01': v = month = num(c.std.length, 2) ?? -1; break;
      case '2': case '02': v = day = num(c.std.length, 2) ?? -1; break;
      case '_2': if (rest.startsWith(' ')) rest = rest.slice(1); v = day = num(1, 2) ?? -1; break;
      case '__2': case '002': v = num(3, 3); break;
      case '15': v = hour = num(1, 2) ?? -1; break;
      case '3': case '03': v = hour = num(c.std.length, 2) ?? -1; break;
      case '4': case '04': v = minute = num(c.std.length, 2) ?? -1; break;
      case '5': case '05':
        v = second = num(c.std.length, 2) ?? -1;
        if (chunks[k + 1]?.kind !== 'frac') fraction();
        break;
      case '2006': v = year = num(4, 4) ?? -1; break;
      case '06': { const y = num(2, 2); v = y; if (y !== undefined) year = y >= 69 ? 1900 + y : 2000 + y; break; }
      case 'PM': case 'pm': { const w = word(['AM', 'PM']); v = w; pm = w === 1; break; }
      case 'MST': { const m = /^(UTC|GMT|Z|[A-Z]{3,5})/.exec(rest); v = m ? 0 : undefined; if (m) rest = rest.slice(m[0].length); break; }
      case 'Z070000': case 'Z07:00:00': case 'Z0700': case 'Z07:00': case 'Z07':
      case '-070000': case '-07:00:00': case '-0700': case '-07:00': case '-07': {
        if (c.std.startsWith('Z') && rest.startsWith('Z')) {
          rest = rest.slice(1);
          break;
        }
        const m = /^([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?/.exec(rest);
        if (!m) return undefined;
        rest = rest.slice(m[0].length);
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
      }
    }
    if (v === undefined || v < 0) return undefined;
  }
  if (rest !== '') return undefined;
  if (pm === true && hour < 12) hour += 12;
  if (pm === false && hour === 12) hour = 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 1000;
  const date = new Date(t);
  if (year < 100) date.setUTCFullYear(year);
  return date;
}

/** The strftime characters Argo exposes as `workflow.creationTimestamp.<char>` (util/strftime). */
export const STRFTIME_CHARS: Readonly<Record<string, string>> = {
  B: 'January', b: 'Jan', m: '01', A: 'Monday', a: 'Mon', d: '02', H: '15', I: '03', M: '04',
  S: '05', Y: '2006', y: '06', p: 'PM', Z: 'MST', z: '-0700', L: '.000',
};

/**
 * `workflow.creationTimestamp.<char>` in UTC, e.g. `strftimeChar('Y', t)` = `2024`. Only Argo's
 * characters exist (see STRFTIME_CHARS: no `j`, `e` or `U`); any other character yields
 * undefined, because Argo defines no such variable and leaves the tag unresolved.
 */
export function strftimeChar(char: string, date: Date): string | undefined {
  if (!Object.hasOwn(STRFTIME_CHARS, char)) return undefined;
  return formatGoTime(date, STRFTIME_CHARS[char]);
}
