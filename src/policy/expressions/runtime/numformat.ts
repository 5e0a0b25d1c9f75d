// .NET numeric formatting with the invariant culture: standard formats (C, D, E, F, G, N, P, R, X)
// and custom formats ("0.00", "#,##0", "(###) ###-####", sections), for int/long/double/decimal.

import { DotNetException, argNull, formatError } from '../errors.ts';
import { Decimal } from './decimal.ts';

/** value = 0.DIGITS × 10^exp ; digits has no leading zeros; '' means zero. */
interface Repr {
  neg: boolean;
  digits: string;
  exp: number;
}

export type NumKind = 'int' | 'long' | 'double' | 'float' | 'decimal' | 'uint' | 'ulong' | 'short' | 'ushort' | 'byte' | 'sbyte';

function reprFromString(s: string): Repr {
  // s: [-]digits[.digits] or [-]d[.ddd]e[+-]x
  let neg = false;
  if (s[0] === '-') {
    neg = true;
    s = s.slice(1);
  }
  let exp10 = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exp10 = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  let intPart = dot >= 0 ? s.slice(0, dot) : s;
  const frac = dot >= 0 ? s.slice(dot + 1) : '';
  let digits = intPart + frac;
  let exp = intPart.length + exp10;
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return { neg, digits: '', exp: 0 };
  digits = digits.slice(lead);
  exp -= lead;
  intPart = '';
  return { neg, digits, exp };
}

/** Rounds the digit string to `keep` digits, half away from zero (how .NET rounds its digit buffer). */
function roundDigits(r: Repr, keep: number): Repr {
  if (keep < 0) return { neg: r.neg, digits: '', exp: 0 };
  if (r.digits.length <= keep) return r;
  let d = r.digits.slice(0, keep);
  let exp = r.exp;
  if (r.digits.charCodeAt(keep) >= 53) {
    // increment
    let i = d.length - 1;
    const arr = d.split('');
    while (i >= 0 && arr[i] === '9') {
      arr[i] = '0';
      i--;
    }
    if (i < 0) {
      arr.unshift('1');
      exp++;
    } else arr[i] = String.fromCharCode(arr[i].charCodeAt(0) + 1);
    d = arr.join('');
  }
  d = d.replace(/0+$/, '');
  if (d === '') return { neg: r.neg, digits: '', exp: 0 };
  return { neg: r.neg, digits: d, exp };
}

/** Shortest round-trip digits of a double (.NET Core 3.0+ ToString()). */
function shortestDouble(x: number): Repr {
  return reprFromString(x.toExponential());
}

function shortestFloat(x: number): Repr {
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return reprFromString(Number(s).toExponential());
  }
  return reprFromString(x.toExponential());
}

function reprOf(v: number | bigint | Decimal, kind: NumKind): Repr {
  if (typeof v === 'bigint') return reprFromString(v.toString());
  if (v instanceof Decimal) return reprFromString(v.toString());
  if (kind === 'double') return shortestDouble(v);
  if (kind === 'float') return shortestFloat(v);
  return reprFromString(String(v));
}

/** Exact digits of a double rounded to `fd` fractional digits (IEEE-correct like .NET Core 3.0+). */
function doubleFixed(x: number, fd: number): Repr {
  const ax = Math.abs(x);
  if (ax < 1e21 && fd <= 100) {
    const r = reprFromString(ax.toFixed(fd));
    return { ...r, neg: x < 0 || Object.is(x, -0) };
  }
  const r = reprFromString(BigInt(Math.trunc(ax)).toString());
  return { ...r, neg: x < 0 };
}

function doubleSignificant(x: number, p: number): Repr {
  const r = reprFromString(Math.abs(x).toExponential(Math.min(Math.max(p - 1, 0), 100)));
  return { ...r, neg: x < 0 };
}

const isIntegral = (k: NumKind): boolean => k !== 'double' && k !== 'float' && k !== 'decimal';

function bitsOf(kind: NumKind): number {
  switch (kind) {
    case 'byte':
    case 'sbyte':
      return 8;
    case 'short':
    case 'ushort':
      return 16;
    case 'int':
    case 'uint':
      return 32;
    default:
      return 64;
  }
}

function group(intDigits: string): string {
  let out = '';
  for (let i = 0; i < intDigits.length; i++) {
    if (i > 0 && (intDigits.length - i) % 3 === 0) out += ',';
    out += intDigits[i];
  }
  return out;
}

/** Fixed notation with `fd` fractional digits from an already rounded repr. */
function fixedString(r: Repr, fd: number, grouping: boolean): string {
  let intDigits: string;
  let frac: string;
  if (r.digits === '') {
    intDigits = '0';
    frac = '0'.repeat(fd);
  } else if (r.exp <= 0) {
    intDigits = '0';
    frac = ('0'.repeat(-r.exp) + r.digits).padEnd(fd, '0').slice(0, fd);
  } else {
    intDigits = r.digits.slice(0, r.exp).padEnd(r.exp, '0');
    frac = r.digits.slice(r.exp).padEnd(fd, '0').slice(0, fd);
  }
  if (grouping) intDigits = group(intDigits);
  return fd > 0 ? `${intDigits}.${frac}` : intDigits;
}

function roundedFixed(v: number | bigint | Decimal, kind: NumKind, fd: number): Repr {
  if (typeof v === 'number' && (kind === 'double' || kind === 'float')) {
    if (kind === 'float') {
      const r = shortestFloat(v);
      return roundDigits(r, r.exp + fd);
    }
    return doubleFixed(v, fd);
  }
  const r = reprOf(v, kind);
  return roundDigits(r, r.exp + fd);
}

function expString(r: Repr, precision: number, upper: boolean, minExpDigits: number, trimZeros: boolean): string {
  let mant = r.digits === '' ? '0' : r.digits;
  const e = r.digits === '' ? 0 : r.exp - 1;
  if (!trimZeros) mant = mant.padEnd(precision + 1, '0');
  else mant = mant.replace(/0+$/, '') || '0';
  const head = mant[0] + (mant.length > 1 ? '.' + mant.slice(1) : '');
  const es = String(Math.abs(e)).padStart(minExpDigits, '0');
  return `${head}${upper ? 'E' : 'e'}${e < 0 ? '-' : '+'}${es}`;
}

function special(v: number): string | null {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return null;
}

/** Formats a number like `x.ToString(format)` in the invariant culture. */
export function formatNumber(v: number | bigint | Decimal, kind: NumKind, format?: string | null): string {
  if (typeof v === 'number' && (kind === 'double' || kind === 'float')) {
    const sp = special(v);
    if (sp) return sp;
  }
  const fmt = format ?? '';
  if (fmt === '') return defaultString(v, kind);
  const m = /^([A-Za-z])(\d{0,9})$/.exec(fmt);
  if (!m) return customFormat(v, kind, fmt);
  const ch = m[1];
  const up = ch.toUpperCase();
  const prec = m[2] === '' ? undefined : Number(m[2]);
  switch (up) {
    case 'D': {
      if (!isIntegral(kind)) throw formatError('Format specifier was invalid.');
      const r = reprOf(v, kind);
      const digits = (r.digits === '' ? '0' : r.digits.padEnd(r.exp, '0')).padStart(prec ?? 0, '0');
      return (r.neg ? '-' : '') + digits;
    }
    case 'X': {
      if (!isIntegral(kind)) throw formatError('Format specifier was invalid.');
      let b = BigInt(v as number | bigint);
      if (b < 0n) b = BigInt.asUintN(bitsOf(kind), b);
      let s = b.toString(16);
      s = ch === 'X' ? s.toUpperCase() : s;
      return s.padStart(prec ?? 0, '0');
    }
    case 'F':
    case 'N': {
      const fd = prec ?? 2;
      const r = roundedFixed(v, kind, fd);
      const s = fixedString(r, fd, up === 'N');
      // .NET Core 3.0+ keeps the sign of a negative double that rounds to zero
      const dbl = typeof v === 'number' && (kind === 'double' || kind === 'float');
      return (r.neg && (r.digits !== '' || dbl) ? '-' : '') + s;
    }
    case 'P': {
      const fd = prec ?? 2;
      const scaled = scale100(v, kind);
      const r = roundedFixed(scaled.v, scaled.kind, fd);
      const s = fixedString(r, fd, true);
      return (r.neg && r.digits !== '' ? '-' : '') + s + ' %';
    }
    case 'C': {
      const fd = prec ?? 2;
      const r = roundedFixed(v, kind, fd);
      const s = '¤' + fixedString(r, fd, true);
      return r.neg && r.digits !== '' ? `(${s})` : s;
    }
    case 'E': {
      const p = prec ?? 6;
      const r = typeof v === 'number' && (kind === 'double' || kind === 'float') ? doubleSignificant(v, p + 1) : roundDigits(reprOf(v, kind), p + 1);
      return (r.neg && r.digits !== '' ? '-' : '') + expString(r, p, ch === 'E', 3, false);
    }
    case 'G': {
      if (prec === undefined || prec === 0) {
        if (kind === 'decimal' || isIntegral(kind)) return defaultString(v, kind);
        return generalString(reprOf(v, kind), 15, ch === 'G', true);
      }
      const r = typeof v === 'number' && (kind === 'double' || kind === 'float') ? doubleSignificant(v, prec) : roundDigits(reprOf(v, kind), prec);
      return generalString(r, prec, ch === 'G', false);
    }
    case 'R': {
      if (kind === 'decimal') throw formatError('Format specifier was invalid.');
      return defaultString(v, kind);
    }
    default:
      throw formatError('Format specifier was invalid.');
  }
}

function scale100(v: number | bigint | Decimal, kind: NumKind): { v: number | bigint | Decimal; kind: NumKind } {
  if (v instanceof Decimal) return { v: v.mul(new Decimal(100n, 0)), kind };
  if (typeof v === 'bigint') return { v: v * 100n, kind };
  if (isIntegral(kind)) return { v: BigInt(v) * 100n, kind: 'long' };
  return { v: v * 100, kind: 'double' };
}

/**
 * "G" formatting: scientific when the decimal exponent is above the precision or below -4. For the
 * shortest round-trip form the precision is the digit count, at least 15 (7 for float), as .NET does.
 */
function generalString(r: Repr, precision: number, upper: boolean, shortest: boolean, minDigits = 15): string {
  const sign = r.neg && r.digits !== '' ? '-' : '';
  if (r.digits === '') return '0';
  const max = shortest ? Math.max(r.digits.length, minDigits) : precision;
  if (!(r.exp > max || r.exp < -3)) {
    const fd = Math.max(0, r.digits.length - r.exp);
    return sign + fixedString(r, fd, false);
  }
  return sign + expString(r, 0, upper, 2, true);
}

function defaultString(v: number | bigint | Decimal, kind: NumKind): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Decimal) return v.toString();
  if (kind === 'double' || kind === 'float') {
    const sp = special(v);
    if (sp) return sp;
    if (Object.is(v, -0)) return '-0';
    return generalString(kind === 'float' ? shortestFloat(v) : shortestDouble(v), 15, true, true, kind === 'float' ? 7 : 15);
  }
  return String(v);
}

/** Default `ToString()` of a double (.NET Core 3.0+: shortest round-trippable). */
export function doubleToString(x: number): string {
  return defaultString(x, 'double');
}
export function floatToString(x: number): string {
  return defaultString(x, 'float');
}

// ---- custom numeric formats

interface Section {
  text: string;
}

function splitSections(fmt: string): Section[] {
  const out: Section[] = [];
  let cur = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === '\\' && i + 1 < fmt.length) {
      cur += c + fmt[++i];
    } else if (c === '"' || c === "'") {
      const close = fmt.indexOf(c, i + 1);
      const end = close < 0 ? fmt.length : close;
      cur += fmt.slice(i, end + 1);
      i = end;
    } else if (c === ';') {
      out.push({ text: cur });
      cur = '';
    } else cur += c;
  }
  out.push({ text: cur });
  return out;
}

type Tok = { t: 'lit'; s: string } | { t: 'ph'; c: '0' | '#' } | { t: 'dot' } | { t: 'comma' } | { t: 'pct' } | { t: 'permille' } | { t: 'exp'; upper: boolean; plus: boolean; digits: number };

function tokenize(sec: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < sec.length; i++) {
    const c = sec[i];
    if (c === '0' || c === '#') out.push({ t: 'ph', c });
    else if (c === '.') out.push({ t: 'dot' });
    else if (c === ',') out.push({ t: 'comma' });
    else if (c === '%') out.push({ t: 'pct' });
    else if (c === '\u2030') out.push({ t: 'permille' });
    else if ((c === 'E' || c === 'e') && (sec[i + 1] === '0' || ((sec[i + 1] === '+' || sec[i + 1] === '-') && sec[i + 2] === '0'))) {
      let j = i + 1;
      let plus = false;
      if (sec[j] === '+') {
        plus = true;
        j++;
      } else if (sec[j] === '-') j++;
      let digits = 0;
      while (sec[j] === '0') {
        digits++;
        j++;
      }
      out.push({ t: 'exp', upper: c === 'E', plus, digits });
      i = j - 1;
    } else if (c === '\\') {
      if (i + 1 < sec.length) out.push({ t: 'lit', s: sec[++i] });
    } else if (c === '"' || c === "'") {
      const close = sec.indexOf(c, i + 1);
      const end = close < 0 ? sec.length : close;
      out.push({ t: 'lit', s: sec.slice(i + 1, end) });
      i = end;
    } else out.push({ t: 'lit', s: c });
  }
  return out;
}

function customFormat(v: number | bigint | Decimal, kind: NumKind, fmt: string): string {
  const sections = splitSections(fmt);
  const sign = v instanceof Decimal ? v.sign() : typeof v === 'bigint' ? (v > 0n ? 1 : v < 0n ? -1 : 0) : Math.sign(v);
  let secIdx = 0;
  if (sign < 0 && sections.length >= 2) secIdx = 1;
  else if (sign === 0 && sections.length >= 3) secIdx = 2;
  let sec = sections[secIdx].text;
  if (secIdx === 1 && sec === '') sec = sections[0].text;
  const toks = tokenize(sec);
  // analyse
  const firstDot = toks.findIndex((t) => t.t === 'dot');
  const intToks = firstDot >= 0 ? toks.slice(0, firstDot) : toks;
  const fracToks = firstDot >= 0 ? toks.slice(firstDot + 1) : [];
  const expTok = toks.find((t) => t.t === 'exp') as (Tok & { t: 'exp' }) | undefined;
  let pctCount = 0;
  let permilleCount = 0;
  for (const t of toks) {
    if (t.t === 'pct') pctCount++;
    if (t.t === 'permille') permilleCount++;
  }
  // grouping: a comma between digit placeholders in the integer part; scaling: commas right before the point
  let grouping = false;
  let scaleCommas = 0;
  {
    const lastPh = intToks.map((t) => t.t === 'ph').lastIndexOf(true);
    const firstPh = intToks.findIndex((t) => t.t === 'ph');
    for (let i = 0; i < intToks.length; i++) {
      if (intToks[i].t !== 'comma') continue;
      if (i > firstPh && i < lastPh && firstPh >= 0) grouping = true;
      else if (i > lastPh && lastPh >= 0) scaleCommas++;
    }
  }
  const fracPh = fracToks.filter((t) => t.t === 'ph') as { t: 'ph'; c: '0' | '#' }[];
  const maxFrac = expTok ? fracToks.slice(0, fracToks.indexOf(expTok)).filter((t) => t.t === 'ph').length : fracPh.length;
  const intPh = (expTok && firstDot < 0 ? toks.slice(0, toks.indexOf(expTok)) : intToks).filter((t) => t.t === 'ph') as { t: 'ph'; c: '0' | '#' }[];
  const firstZero = intPh.findIndex((p) => p.c === '0');
  const minInt = firstZero < 0 ? 0 : intPh.length - firstZero;
  // scale the value
  let val: number | bigint | Decimal = v;
  let k: NumKind = kind;
  let factor = pctCount * 2 + permilleCount * 3 - scaleCommas * 3;
  let r: Repr;
  if (typeof val === 'number' && (k === 'double' || k === 'float')) {
    if (factor) val = val * 10 ** factor;
    factor = 0;
    r = reprOf(val, 'double');
  } else {
    if (!(val instanceof Decimal)) {
      val = typeof val === 'bigint' ? new Decimal(val, 0) : new Decimal(BigInt(val), 0);
      k = 'decimal';
    }
    r = reprOf(val, 'decimal');
    if (r.digits !== '') r = { ...r, exp: r.exp + factor };
  }
  let expValue = 0;
  if (expTok) {
    // scientific: as many integer digits as integer placeholders
    const intCount = Math.max(1, intPh.length);
    if (r.digits !== '') {
      expValue = r.exp - intCount;
      r = { ...r, exp: intCount };
    }
    r = roundDigits(r, r.exp + maxFrac);
  } else {
    if (typeof v === 'number' && (kind === 'double' || kind === 'float') && r.digits !== '') {
      const scaled = typeof val === 'number' ? val : Number(val);
      const fixed = doubleFixed(scaled, Math.min(maxFrac, 100));
      r = fixed.digits === '' ? fixed : fixed;
    } else r = roundDigits(r, r.exp + maxFrac);
  }
  const neg = sign < 0 && r.digits !== '' && secIdx === 0;
  // integer digits
  let intDigits = r.digits === '' || r.exp <= 0 ? '' : r.digits.slice(0, r.exp).padEnd(r.exp, '0');
  if (intDigits.length < minInt) intDigits = intDigits.padStart(minInt, '0');
  const fracDigits = r.digits === '' ? '' : r.exp >= 0 ? r.digits.slice(r.exp) : '0'.repeat(-r.exp) + r.digits;
  // emit integer part: placeholders consume digits from the right; the leftmost takes the rest
  const intSection = expTok && firstDot < 0 ? toks.slice(0, toks.indexOf(expTok)) : intToks;
  let out = '';
  {
    const parts: string[] = [];
    let di = intDigits.length;
    let phSeen = 0;
    const totalPh = intPh.length;
    for (let i = intSection.length - 1; i >= 0; i--) {
      const t = intSection[i];
      if (t.t === 'ph') {
        phSeen++;
        if (phSeen === totalPh) {
          parts.push(intDigits.slice(0, di));
          di = 0;
        } else if (di > 0) {
          parts.push(intDigits[di - 1]);
          di--;
        }
      } else if (t.t === 'lit') parts.push(t.s);
      else if (t.t === 'pct') parts.push('%');
      else if (t.t === 'permille') parts.push('\u2030');
    }
    if (totalPh === 0 && intDigits) parts.push('');
    out = parts.reverse().join('');
    if (grouping) {
      // grouped numbers are written as one run: literals before the first placeholder, the
      // grouped digits, literals after the last one
      const first = intSection.findIndex((t) => t.t === 'ph');
      const last = intSection.map((t) => t.t === 'ph').lastIndexOf(true);
      const lit = (ts: Tok[]): string => ts.map((t) => (t.t === 'lit' ? t.s : t.t === 'pct' ? '%' : t.t === 'permille' ? '\u2030' : '')).join('');
      out = lit(intSection.slice(0, first)) + group(intDigits) + lit(intSection.slice(last + 1));
    }
  }
  // fraction
  let frac = '';
  if (firstDot >= 0) {
    let lastNeeded = -1;
    fracPh.forEach((p, i) => {
      if (p.c === '0') lastNeeded = i;
    });
    const sig = fracDigits.replace(/0+$/, '').length;
    const count = Math.max(lastNeeded + 1, Math.min(sig, fracPh.length));
    let pi = 0;
    let body = '';
    for (const t of fracToks) {
      if (t === expTok) break;
      if (t.t === 'ph') {
        if (pi < count) body += fracDigits[pi] ?? '0';
        pi++;
      } else if (t.t === 'lit') body += t.s;
      else if (t.t === 'pct') body += '%';
      else if (t.t === 'permille') body += '\u2030';
    }
    frac = count > 0 ? '.' + body : body;
  }
  let expStr = '';
  if (expTok) {
    const es = String(Math.abs(expValue)).padStart(expTok.digits, '0');
    expStr = (expTok.upper ? 'E' : 'e') + (expValue < 0 ? '-' : expTok.plus ? '+' : '') + es;
    const after = toks.slice(toks.indexOf(expTok) + 1);
    for (const t of after) if (t.t === 'lit') expStr += t.s;
  }
  const result = out + frac + expStr;
  return (neg ? '-' : '') + result;
}

// ---- parsing

const INT_RANGES: Record<string, [bigint, bigint]> = {
  sbyte: [-128n, 127n],
  byte: [0n, 255n],
  short: [-32768n, 32767n],
  ushort: [0n, 65535n],
  int: [-2147483648n, 2147483647n],
  uint: [0n, 4294967295n],
  long: [-9223372036854775808n, 9223372036854775807n],
  ulong: [0n, 18446744073709551615n],
};

export const CLR_NAMES: Record<string, string> = {
  sbyte: 'SByte', byte: 'Byte', short: 'Int16', ushort: 'UInt16', int: 'Int32', uint: 'UInt32', long: 'Int64', ulong: 'UInt64',
  double: 'Double', float: 'Single', decimal: 'Decimal', char: 'Char', bool: 'Boolean', string: 'String',
};

/** int.Parse and friends with NumberStyles.Integer (and AllowThousands where .NET allows it). */
export function parseInteger(s: string | null, kind: keyof typeof INT_RANGES, allowThousands = false): number | bigint {
  if (s === null || s === undefined) throw argNull('s');
  const t = s.trim();
  const re = allowThousands ? /^([+-]?)(\d[\d,]*)$/ : /^([+-]?)(\d+)$/;
  const m = re.exec(t);
  if (!m) throw formatError(`The input string '${s}' was not in a correct format.`);
  let b = BigInt(m[2].replace(/,/g, ''));
  if (m[1] === '-') b = -b;
  const [lo, hi] = INT_RANGES[kind];
  if (b < lo || b > hi) throw overflowFor(kind);
  return kind === 'long' || kind === 'ulong' ? b : Number(b);
}

export function overflowFor(kind: string): DotNetException {
  return new DotNetException('OverflowException', `Value was either too large or too small for ${kind === 'int' || kind === 'uint' ? 'an' : 'a'} ${CLR_NAMES[kind]}.`);
}

export function inIntRange(b: bigint, kind: string): boolean {
  const r = INT_RANGES[kind];
  return b >= r[0] && b <= r[1];
}

/** double.Parse with NumberStyles.Float | AllowThousands, invariant culture. */
export function parseDouble(s: string): number {
  const t = s.trim();
  if (/^[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && /\d/.test(t)) return Number(t.replace(/,/g, ''));
  if (t === 'NaN') return NaN;
  if (/^\+?(Infinity|∞)$/.test(t)) return Infinity;
  if (/^-(Infinity|∞)$/.test(t)) return -Infinity;
  throw formatError(`The input string '${s}' was not in a correct format.`);
}

export function parseDecimal(s: string): Decimal {
  const t = s.trim().replace(/,/g, '');
  try {
    return Decimal.parseInvariant(t, false);
  } catch {
    throw formatError(`The input string '${s}' was not in a correct format.`);
  }
}
