// DateTime, TimeSpan and DateTimeOffset with 100 ns ticks (exact, as bigint), invariant-culture
// formatting and parsing. The gateway's local time zone is UTC: `DateTime.Now` equals
// `DateTime.UtcNow` but has Kind Local, as on a server running in UTC.

import { DotNetException, argOutOfRange, formatError } from '../errors.ts';

export const TICKS_PER_MS = 10000n;
export const TICKS_PER_SECOND = 10000000n;
export const TICKS_PER_MINUTE = 600000000n;
export const TICKS_PER_HOUR = 36000000000n;
export const TICKS_PER_DAY = 864000000000n;
export const UNIX_EPOCH_TICKS = 621355968000000000n;
export const MAX_TICKS = 3155378975999999999n;

export type DateTimeKind = 0 | 1 | 2; // Unspecified, Utc, Local

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const unrepresentable = (): DotNetException =>
  argOutOfRange('value', 'The added or subtracted value results in an un-representable DateTime.');

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  ticksInSecond: number; // 0..9999999
  dayOfWeek: number;
  dayOfYear: number;
}

function partsOf(ticks: bigint): Parts {
  const ms = Number((ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS - (ticks < UNIX_EPOCH_TICKS && (ticks - UNIX_EPOCH_TICKS) % TICKS_PER_MS !== 0n ? 1n : 0n));
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const startDate = new Date(start);
  startDate.setUTCFullYear(d.getUTCFullYear());
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    ticksInSecond: Number(ticks % TICKS_PER_SECOND),
    dayOfWeek: d.getUTCDay(),
    dayOfYear: Math.floor((ms - startDate.getTime()) / 86400000) + 1,
  };
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
export function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

export function ticksFromParts(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): bigint {
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))
    throw argOutOfRange('year', 'Year, Month, and Day parameters describe an un-representable DateTime.');
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) throw argOutOfRange('hour', 'Hour, Minute, and Second parameters describe an un-representable DateTime.');
  if (ms < 0 || ms > 999) throw argOutOfRange('millisecond', 'Valid values are between 0 and 999, inclusive.');
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  dt.setUTCHours(h, mi, s, ms);
  return BigInt(dt.getTime()) * TICKS_PER_MS + UNIX_EPOCH_TICKS;
}

export class DateTime {
  readonly ticks: bigint;
  readonly kind: DateTimeKind;
  private _parts: Parts | undefined;
  constructor(ticks: bigint, kind: DateTimeKind = 0) {
    if (ticks < 0n || ticks > MAX_TICKS) throw argOutOfRange('ticks', 'Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.');
    this.ticks = ticks;
    this.kind = kind;
  }
  static readonly MinValue = new DateTime(0n);
  static readonly MaxValue = new DateTime(MAX_TICKS);
  static fromUnixMs(ms: number, kind: DateTimeKind): DateTime {
    return new DateTime(BigInt(Math.trunc(ms)) * TICKS_PER_MS + UNIX_EPOCH_TICKS, kind);
  }
  get parts(): Parts {
    return (this._parts ??= partsOf(this.ticks));
  }
  addTicks(t: bigint): DateTime {
    const n = this.ticks + t;
    if (n < 0n || n > MAX_TICKS) throw unrepresentable();
    return new DateTime(n, this.kind);
  }
  addUnits(value: number, ticksPerUnit: bigint): DateTime {
    if (!Number.isFinite(value)) throw argOutOfRange('value', 'Value to add was out of range.');
    const integral = Math.trunc(value);
    const frac = value - integral;
    const t = BigInt(integral) * ticksPerUnit + BigInt(Math.trunc(frac * Number(ticksPerUnit)));
    return this.addTicks(t);
  }
  addMonths(months: number): DateTime {
    if (months < -120000 || months > 120000) throw argOutOfRange('months', 'Months value must be between +/-120000.');
    const p = this.parts;
    const total = p.year * 12 + (p.month - 1) + months;
    const y = Math.floor(total / 12);
    const m = (total % 12) + 1;
    if (y < 1 || y > 9999) throw argOutOfRange('months', 'The added or subtracted value results in an un-representable DateTime.');
    const d = Math.min(p.day, daysInMonth(y, m));
    return new DateTime(ticksFromParts(y, m, d) + (this.ticks % TICKS_PER_DAY), this.kind);
  }
  get date(): DateTime {
    return new DateTime(this.ticks - (this.ticks % TICKS_PER_DAY), this.kind);
  }
  get timeOfDay(): TimeSpan {
    return new TimeSpan(this.ticks % TICKS_PER_DAY);
  }
  toUnixMs(): number {
    return Number((this.ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS);
  }
  format(fmt?: string | null): string {
    return formatDate(this.ticks, this.kind === 1 ? 0 : this.kind === 2 ? 0 : null, fmt ?? '', this.kind, false);
  }
  toString(): string {
    return this.format('G');
  }
  equals(o: DateTime): boolean {
    return this.ticks === o.ticks;
  }
}

export class TimeSpan {
  readonly ticks: bigint;
  constructor(ticks: bigint) {
    if (ticks < -9223372036854775808n || ticks > 9223372036854775807n) throw new DotNetException('OverflowException', 'TimeSpan overflowed because the duration is too long.');
    this.ticks = ticks;
  }
  static readonly Zero = new TimeSpan(0n);
  static readonly MaxValue = new TimeSpan(9223372036854775807n);
  static readonly MinValue = new TimeSpan(-9223372036854775808n);
  static fromUnits(value: number, ticksPerUnit: bigint): TimeSpan {
    if (Number.isNaN(value)) throw new DotNetException('ArgumentException', 'TimeSpan does not accept floating point Not-a-Number values.');
    const t = value * Number(ticksPerUnit);
    if (!Number.isFinite(t) || Math.abs(t) > 9.223372036854776e18) throw new DotNetException('OverflowException', 'TimeSpan overflowed because the duration is too long.');
    return new TimeSpan(BigInt(Math.round(t)));
  }
  static fromParts(d: number, h: number, m: number, s: number, ms = 0): TimeSpan {
    const total = BigInt(d) * TICKS_PER_DAY + BigInt(h) * TICKS_PER_HOUR + BigInt(m) * TICKS_PER_MINUTE + BigInt(s) * TICKS_PER_SECOND + BigInt(ms) * TICKS_PER_MS;
    return new TimeSpan(total);
  }
  private comp(per: bigint, mod: bigint): number {
    return Number((this.ticks / per) % mod);
  }
  get days(): number {
    return Number(this.ticks / TICKS_PER_DAY);
  }
  get hours(): number {
    return this.comp(TICKS_PER_HOUR, 24n);
  }
  get minutes(): number {
    return this.comp(TICKS_PER_MINUTE, 60n);
  }
  get seconds(): number {
    return this.comp(TICKS_PER_SECOND, 60n);
  }
  get milliseconds(): number {
    return this.comp(TICKS_PER_MS, 1000n);
  }
  total(per: bigint): number {
    return Number(this.ticks) / Number(per);
  }
  format(fmt?: string | null): string {
    return formatTimeSpan(this, fmt ?? 'c');
  }
  toString(): string {
    return this.format('c');
  }
}

export class DateTimeOffset {
  /** Clock ticks in the offset's time zone. */
  readonly ticks: bigint;
  readonly offsetMinutes: number;
  constructor(ticks: bigint, offsetMinutes: number) {
    if (offsetMinutes < -840 || offsetMinutes > 840) throw argOutOfRange('offset', 'Offset must be within plus or minus 14 hours.');
    const utc = ticks - BigInt(offsetMinutes) * TICKS_PER_MINUTE;
    if (utc < 0n || utc > MAX_TICKS || ticks < 0n || ticks > MAX_TICKS) throw argOutOfRange('offset', 'The UTC time represented when the offset is applied must be between year 0 and 10,000.');
    this.ticks = ticks;
    this.offsetMinutes = offsetMinutes;
  }
  static fromUtcTicks(utc: bigint, offsetMinutes: number): DateTimeOffset {
    return new DateTimeOffset(utc + BigInt(offsetMinutes) * TICKS_PER_MINUTE, offsetMinutes);
  }
  static fromDateTime(d: DateTime): DateTimeOffset {
    return new DateTimeOffset(d.ticks, 0);
  }
  get utcTicks(): bigint {
    return this.ticks - BigInt(this.offsetMinutes) * TICKS_PER_MINUTE;
  }
  get dateTime(): DateTime {
    return new DateTime(this.ticks, 0);
  }
  get utcDateTime(): DateTime {
    return new DateTime(this.utcTicks, 1);
  }
  get localDateTime(): DateTime {
    return new DateTime(this.utcTicks, 2);
  }
  toUnixSeconds(): bigint {
    const t = this.utcTicks / TICKS_PER_SECOND - UNIX_EPOCH_TICKS / TICKS_PER_SECOND;
    return t;
  }
  toUnixMs(): bigint {
    return this.utcTicks / TICKS_PER_MS - UNIX_EPOCH_TICKS / TICKS_PER_MS;
  }
  addTicks(t: bigint): DateTimeOffset {
    return new DateTimeOffset(this.ticks + t, this.offsetMinutes);
  }
  addUnits(value: number, per: bigint): DateTimeOffset {
    const d = new DateTime(this.ticks).addUnits(value, per);
    return new DateTimeOffset(d.ticks, this.offsetMinutes);
  }
  format(fmt?: string | null): string {
    let f = fmt ?? '';
    if (f === '') f = 'MM/dd/yyyy HH:mm:ss zzz';
    if (f === 'R' || f === 'r' || f === 'u') return formatDate(this.utcTicks, 0, f, 1, true);
    if (f === 'U') throw formatError('Input string was not in a correct format.');
    return formatDate(this.ticks, this.offsetMinutes, f, 2, true);
  }
  toString(): string {
    return this.format('');
  }
}

// ---- formatting

const STANDARD: Record<string, string> = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  M: 'MMMM dd',
  m: 'MMMM dd',
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  Y: 'yyyy MMMM',
  y: 'yyyy MMMM',
};

function offsetString(min: number, len: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  const h = Math.floor(a / 60);
  const m = a % 60;
  if (len === 1) return sign + h;
  if (len === 2) return sign + String(h).padStart(2, '0');
  return `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * Formats clock ticks. `offset` is the offset in minutes for K/z (null: unspecified kind, K prints
 * nothing); `kind` drives `K` for DateTime (Utc prints Z).
 */
export function formatDate(ticks: bigint, offset: number | null, fmt: string, kind: DateTimeKind, isOffset: boolean): string {
  let f = fmt === '' ? 'G' : fmt;
  if (f.length === 1) {
    const std = STANDARD[f];
    if (!std) throw formatError('Input string was not in a correct format.');
    if (isOffset && (f === 'o' || f === 'O')) f = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz";
    else f = std;
  }
  const p = partsOf(ticks);
  let out = '';
  for (let i = 0; i < f.length; ) {
    const c = f[i];
    let n = 1;
    while (f[i + n] === c && 'dfFhHKmMstyzg'.includes(c)) n++;
    switch (c) {
      case 'd':
        out += n === 1 ? p.day : n === 2 ? String(p.day).padStart(2, '0') : n === 3 ? DAY_NAMES[p.dayOfWeek].slice(0, 3) : DAY_NAMES[p.dayOfWeek];
        break;
      case 'f':
      case 'F': {
        if (n > 7) throw formatError('Input string was not in a correct format.');
        let frac = String(p.ticksInSecond).padStart(7, '0').slice(0, n);
        if (c === 'F') frac = frac.replace(/0+$/, '');
        if (c === 'F' && frac === '' && out.endsWith('.')) out = out.slice(0, -1);
        out += frac;
        break;
      }
      case 'g':
        out += 'A.D.';
        break;
      case 'h': {
        const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
        out += n === 1 ? h12 : String(h12).padStart(2, '0');
        break;
      }
      case 'H':
        out += n === 1 ? p.hour : String(p.hour).padStart(2, '0');
        break;
      case 'K':
        if (isOffset) out += offsetString(offset ?? 0, 3);
        else if (kind === 1) out += 'Z';
        else if (kind === 2) out += offsetString(0, 3);
        break;
      case 'm':
        out += n === 1 ? p.minute : String(p.minute).padStart(2, '0');
        break;
      case 'M':
        out += n === 1 ? p.month : n === 2 ? String(p.month).padStart(2, '0') : n === 3 ? MONTH_NAMES[p.month - 1].slice(0, 3) : MONTH_NAMES[p.month - 1];
        break;
      case 's':
        out += n === 1 ? p.second : String(p.second).padStart(2, '0');
        break;
      case 't':
        out += n === 1 ? (p.hour < 12 ? 'A' : 'P') : p.hour < 12 ? 'AM' : 'PM';
        break;
      case 'y':
        out += n === 1 ? p.year % 100 : n === 2 ? String(p.year % 100).padStart(2, '0') : String(p.year).padStart(n, '0');
        break;
      case 'z':
        out += offsetString(isOffset ? (offset ?? 0) : 0, Math.min(n, 3));
        break;
      case ':':
      case '/':
        out += c;
        break;
      case "'":
      case '"': {
        const close = f.indexOf(c, i + 1);
        if (close < 0) throw formatError(`Cannot find a matching quote character for the character '${c}'.`);
        out += f.slice(i + 1, close);
        n = close - i + 1;
        break;
      }
      case '\\':
        if (i + 1 >= f.length) throw formatError('Input string was not in a correct format.');
        out += f[i + 1];
        n = 2;
        break;
      case '%':
        n = 1;
        break;
      default:
        out += c;
    }
    i += n;
  }
  return out;
}

function formatTimeSpan(t: TimeSpan, fmt: string): string {
  const neg = t.ticks < 0n;
  const a = neg ? -t.ticks : t.ticks;
  const days = a / TICKS_PER_DAY;
  const h = Number((a / TICKS_PER_HOUR) % 24n);
  const m = Number((a / TICKS_PER_MINUTE) % 60n);
  const s = Number((a / TICKS_PER_SECOND) % 60n);
  const frac = Number(a % TICKS_PER_SECOND);
  const two = (x: number): string => String(x).padStart(2, '0');
  if (fmt === 'c' || fmt === 't' || fmt === 'T' || fmt === '') {
    return `${neg ? '-' : ''}${days ? days + '.' : ''}${two(h)}:${two(m)}:${two(s)}${frac ? '.' + String(frac).padStart(7, '0') : ''}`;
  }
  if (fmt === 'g') {
    const fs = frac ? '.' + String(frac).padStart(7, '0').replace(/0+$/, '') : '';
    return `${neg ? '-' : ''}${days ? days + ':' : ''}${h}:${two(m)}:${two(s)}${fs}`;
  }
  if (fmt === 'G') return `${neg ? '-' : ''}${days}:${two(h)}:${two(m)}:${two(s)}.${String(frac).padStart(7, '0')}`;
  let out = '';
  for (let i = 0; i < fmt.length; ) {
    const c = fmt[i];
    let n = 1;
    while (fmt[i + n] === c && 'dhmsfF'.includes(c)) n++;
    switch (c) {
      case 'd':
        out += String(days).padStart(n, '0');
        break;
      case 'h':
        out += n === 1 ? h : two(h);
        break;
      case 'm':
        out += n === 1 ? m : two(m);
        break;
      case 's':
        out += n === 1 ? s : two(s);
        break;
      case 'f':
        out += String(frac).padStart(7, '0').slice(0, n);
        break;
      case 'F':
        out += String(frac).padStart(7, '0').slice(0, n).replace(/0+$/, '');
        break;
      case '\\':
        out += fmt[i + 1] ?? '';
        n = 2;
        break;
      case "'":
      case '"': {
        const close = fmt.indexOf(c, i + 1);
        if (close < 0) throw formatError('Input string was not in a correct format.');
        out += fmt.slice(i + 1, close);
        n = close - i + 1;
        break;
      }
      case '%':
        break;
      default:
        throw formatError('Input string was not in a correct format.');
    }
    i += n;
  }
  return out;
}

// ---- parsing

const MONTH_ABBR = MONTH_NAMES.map((m) => m.slice(0, 3).toLowerCase());

export interface ParsedDate {
  ticks: bigint;
  /** minutes, when the text carried an offset or Z */
  offset: number | null;
}

function fracTicks(f: string | undefined): bigint {
  if (!f) return 0n;
  return BigInt(f.slice(0, 7).padEnd(7, '0'));
}

/** Parses the formats DateTime.Parse accepts in the invariant culture (ISO 8601, RFC 1123, MM/dd/yyyy ...). */
export function parseDateText(text: string): ParsedDate | null {
  const s = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8]);
  m = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(GMT|UTC|Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    const mon = MONTH_ABBR.indexOf(m[2].toLowerCase());
    if (mon < 0) return null;
    return build(+m[3], mon + 1, +m[1], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), undefined, m[7]);
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    let h = +(m[4] ?? 0);
    if (m[8]) {
      if (h > 12) return null;
      if (m[8].toUpperCase() === 'PM' && h < 12) h += 12;
      if (m[8].toUpperCase() === 'AM' && h === 12) h = 0;
    }
    return build(+m[3], +m[1], +m[2], h, +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[9]);
  }
  m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (m) return { ticks: BigInt(+m[1]) * TICKS_PER_HOUR + BigInt(+m[2]) * TICKS_PER_MINUTE + BigInt(+(m[3] ?? 0)) * TICKS_PER_SECOND, offset: null };
  return null;

  function build(y: number, mo: number, d: number, h: number, mi: number, sec: number, frac: string | undefined, zone: string | undefined): ParsedDate | null {
    let ticks: bigint;
    try {
      ticks = ticksFromParts(y, mo, d, h, mi, sec) + fracTicks(frac);
    } catch {
      return null;
    }
    let offset: number | null = null;
    if (zone) {
      const z = zone.toUpperCase();
      if (z === 'Z' || z === 'GMT' || z === 'UTC') offset = 0;
      else {
        const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
        if (!zm) return null;
        offset = (zm[1] === '-' ? -1 : 1) * (+zm[2] * 60 + +(zm[3] ?? 0));
      }
    }
    return { ticks, offset };
  }
}

/** DateTime.Parse: a text with a zone is converted to local time (UTC here) with Kind Local. */
export function parseDateTime(text: string): DateTime {
  const p = parseDateText(text);
  if (!p) throw formatError(`String '${text}' was not recognized as a valid DateTime.`);
  if (p.offset === null) return new DateTime(p.ticks, 0);
  return new DateTime(p.ticks - BigInt(p.offset) * TICKS_PER_MINUTE, 2);
}

export function parseDateTimeOffset(text: string): DateTimeOffset {
  const p = parseDateText(text);
  if (!p) throw formatError(`String '${text}' was not recognized as a valid DateTime.`);
  return new DateTimeOffset(p.ticks, p.offset ?? 0);
}

/** ParseExact with a custom (or single-letter standard) format, invariant culture. */
export function parseExact(text: string, fmt: string): ParsedDate {
  let f = fmt.length === 1 ? STANDARD[fmt] : fmt;
  if (!f) throw formatError('Input string was not in a correct format.');
  if (fmt === 'o' || fmt === 'O') f = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK";
  const groups: string[] = [];
  let re = '';
  for (let i = 0; i < f.length; ) {
    const c = f[i];
    let n = 1;
    while (f[i + n] === c && 'dfFhHKmMstyz'.includes(c)) n++;
    const g = (name: string, pat: string): void => {
      groups.push(name);
      re += `(${pat})`;
    };
    switch (c) {
      case 'y': g('y', n <= 2 ? '\\d{1,2}' : `\\d{${n}}`); break;
      case 'M': g(n >= 3 ? 'MMM' : 'M', n === 1 ? '\\d{1,2}' : n === 2 ? '\\d{2}' : '[A-Za-z]+'); break;
      case 'd': g(n >= 3 ? 'ddd' : 'd', n === 1 ? '\\d{1,2}' : n === 2 ? '\\d{2}' : '[A-Za-z]+'); break;
      case 'H': case 'h': g(c, n === 1 ? '\\d{1,2}' : '\\d{2}'); break;
      case 'm': g('m', n === 1 ? '\\d{1,2}' : '\\d{2}'); break;
      case 's': g('s', n === 1 ? '\\d{1,2}' : '\\d{2}'); break;
      case 'f': g('f', `\\d{${n}}`); break;
      case 'F': g('f', `\\d{0,${n}}`); break;
      case 't': g('t', n === 1 ? '[AP]' : '[AP]M'); break;
      case 'K': g('z', 'Z|[+-]\\d{2}:\\d{2}|'); break;
      case 'z': g('z', n === 1 ? '[+-]\\d{1,2}' : n === 2 ? '[+-]\\d{2}' : '[+-]\\d{2}:\\d{2}'); break;
      case "'": case '"': {
        const close = f.indexOf(c, i + 1);
        re += escapeRe(f.slice(i + 1, close < 0 ? f.length : close));
        n = (close < 0 ? f.length : close) - i + 1;
        break;
      }
      case '\\': re += escapeRe(f[i + 1] ?? ''); n = 2; break;
      default: re += escapeRe(c);
    }
    i += n;
  }
  const m = new RegExp(`^${re}$`, 'i').exec(text);
  if (!m) throw formatError(`String '${text}' was not recognized as a valid DateTime.`);
  const v: Record<string, string> = {};
  groups.forEach((name, i) => (v[name] = m[i + 1]));
  let year = v.y ? +v.y : 1;
  if (v.y && v.y.length <= 2) year += year < 50 ? 2000 : 1900;
  const month = v.MMM ? MONTH_ABBR.indexOf(v.MMM.slice(0, 3).toLowerCase()) + 1 : v.M ? +v.M : 1;
  const day = v.d ? +v.d : 1;
  let hour = v.H ? +v.H : v.h ? +v.h % 12 : 0;
  if (v.t && v.t.toUpperCase().startsWith('P') && v.h) hour += 12;
  let offset: number | null = null;
  if (v.z !== undefined && v.z !== '') {
    if (v.z.toUpperCase() === 'Z') offset = 0;
    else {
      const zm = /^([+-])(\d{1,2})(?::(\d{2}))?$/.exec(v.z)!;
      offset = (zm[1] === '-' ? -1 : 1) * (+zm[2] * 60 + +(zm[3] ?? 0));
    }
  }
  let ticks: bigint;
  try {
    ticks = ticksFromParts(year, month, day, hour, v.m ? +v.m : 0, v.s ? +v.s : 0) + fracTicks(v.f);
  } catch {
    throw formatError(`String '${text}' was not recognized as a valid DateTime.`);
  }
  return { ticks, offset };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function parseTimeSpan(text: string): TimeSpan {
  const m = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/.exec(text) ?? /^\s*(-)?(\d+):(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?\s*$/.exec(text);
  if (m) {
    const h = +m[3], mi = +m[4], s = +(m[5] ?? 0);
    if (h > 23 || mi > 59 || s > 59) throw new DotNetException('OverflowException', 'The TimeSpan string could not be parsed because at least one of the numeric components is out of range or contains too many digits.');
    let t = BigInt(+(m[2] ?? 0)) * TICKS_PER_DAY + BigInt(h) * TICKS_PER_HOUR + BigInt(mi) * TICKS_PER_MINUTE + BigInt(s) * TICKS_PER_SECOND + fracTicks(m[6]);
    if (m[1]) t = -t;
    return new TimeSpan(t);
  }
  const d = /^\s*(-)?(\d+)\s*$/.exec(text);
  if (d) return new TimeSpan(BigInt(d[2]) * TICKS_PER_DAY * (d[1] ? -1n : 1n));
  throw formatError('String was not recognized as a valid TimeSpan.');
}

export { DAY_NAMES, MONTH_NAMES };
