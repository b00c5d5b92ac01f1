/**
 * Go `strconv.FormatFloat` for the verbs `e`, `f` and `g` (precision -1 = shortest round-trip
 * digits). JS numbers are float64, so the digits are the same as Go's; only the layout differs.
 */

/** Decimal digits and exponent of |v|: v = 0.d1d2d3… × 10^(exp+1), i.e. d1.d2d3… × 10^exp. */
function decompose(v: number, precision: number | undefined): { digits: string; exp: number } {
  const s = precision === undefined ? Math.abs(v).toExponential() : Math.abs(v).toExponential(precision);
  const [mantissa, e] = s.split('e');
  return { digits: mantissa.replace('.', ''), exp: Number(e) };
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

function sign(v: number): string {
  return v < 0 || Object.is(v, -0) ? '-' : '';
}

function expSuffix(exp: number, upper: boolean): string {
  const abs = Math.abs(exp);
  return `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** `%e` layout: d.ddd e±XX (at least two exponent digits). */
export function formatFloatE(v: number, prec: number, upper = false): string {
  const s = special(v);
  if (s !== undefined) return s;
  const { digits, exp } = decompose(v, prec < 0 ? undefined : prec);
  const frac = digits.slice(1);
  return `${sign(v)}${digits[0]}${frac ? `.${frac}` : ''}${expSuffix(v === 0 ? 0 : exp, upper)}`;
}

/** `%f` layout with a fixed number of decimals (or shortest when prec < 0). */
export function formatFloatF(v: number, prec: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  if (prec >= 0 && prec <= 100 && Math.abs(v) < 1e21) return sign(v) + Math.abs(v).toFixed(prec);
  const { digits, exp } = decompose(v, undefined);
  let intPart: string;
  let fracPart: string;
  if (exp >= 0) {
    intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits + '0'.repeat(exp + 1 - digits.length);
    fracPart = digits.slice(exp + 1);
  } else {
    intPart = '0';
    fracPart = '0'.repeat(-exp - 1) + digits;
  }
  if (prec >= 0) fracPart = fracPart.padEnd(prec, '0').slice(0, prec);
  return `${sign(v)}${intPart}${fracPart ? `.${fracPart}` : ''}`;
}

/**
 * `%g` layout. With prec < 0 (shortest digits) strconv uses the exponent form when the exponent
 * is < -4 or >= 6, which is what `fmt`'s `%v` prints: `fmt.Sprint(1e6)` is `1e+06`.
 */
export function formatFloatG(v: number, prec: number, upper = false): string {
  const s = special(v);
  if (s !== undefined) return s;
  if (v === 0) return sign(v) + '0';
  const shortest = prec < 0;
  const p = prec === 0 ? 1 : prec;
  const { digits, exp } = decompose(v, shortest ? undefined : p - 1);
  const trimmed = digits.replace(/0+$/, '') || '0';
  let eprec = shortest ? 6 : p;
  if (!shortest && eprec > trimmed.length && trimmed.length >= exp + 1) eprec = trimmed.length;
  if (exp < -4 || exp >= eprec) {
    const frac = trimmed.slice(1);
    return `${sign(v)}${trimmed[0]}${frac ? `.${frac}` : ''}${expSuffix(exp, upper)}`;
  }
  if (exp >= 0) {
    const intPart = trimmed.length > exp + 1 ? trimmed.slice(0, exp + 1) : trimmed + '0'.repeat(exp + 1 - trimmed.length);
    const frac = trimmed.slice(exp + 1);
    return `${sign(v)}${intPart}${frac ? `.${frac}` : ''}`;
  }
  return `${sign(v)}0.${'0'.repeat(-exp - 1)}${trimmed}`;
}
