// The rest of the runtime library: dates and times, Guid, Random, Encoding, BitConverter, hashing
// and HMAC, Regex, Uri, WebUtility, Newtonsoft.Json and the JWT/Basic helpers.

import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { DotNetException, argError, argNull, argOutOfRange, formatError, invalidOp } from './errors.ts';
import { CORE, defaultValueOf, fromBase64, isInstance, requireArg, requireString, setDateParser, toBase64 } from './library.ts';
import { MAX_STRING_LENGTH, checkLength, checkString } from './runtime/budget.ts';
import { CsChar } from './runtime/char.ts';
import { CsDictionary, CsList, iter, toArray } from './runtime/collections.ts';
import {
  DateTime, DateTimeOffset, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_MS, TICKS_PER_SECOND, TimeSpan,
  daysInMonth, isLeapYear, parseDateTime, parseDateTimeOffset, parseExact, parseTimeSpan, ticksFromParts,
} from './runtime/datetime.ts';
import { Decimal } from './runtime/decimal.ts';
import { Guid } from './runtime/guid.ts';
import { AnonObject, JArray, JObject, JProperty, JToken, JTokenType, JTOKEN_TYPE_NAMES, JValue, parseJson, serialize, toJToken } from './runtime/json.ts';
import { doubleToString, formatNumber, overflowFor } from './runtime/numformat.ts';
import { numericConversion } from './runtime/numeric.ts';
import { translateRegex } from './runtime/regex.ts';
import { tagArray, toDotNetString } from './runtime/values.ts';
import { type Impl, type NumericKind, type Ref, type RunState, type SpecializeInfo, type Type, type TypeDef, defineType, isArray, isNullable, lookupType, named } from './types.ts';

setDateParser(parseDateTime);

// ---------------------------------------------------------------- DateTime

const dtDef = defineType({ name: 'DateTime', ns: 'System', kind: 'struct', is: (v) => v instanceof DateTime, defaultValue: () => DateTime.MinValue, bases: ['IComparable', 'IFormattable'] });
const tsDef = defineType({ name: 'TimeSpan', ns: 'System', kind: 'struct', is: (v) => v instanceof TimeSpan, defaultValue: () => TimeSpan.Zero, bases: ['IComparable', 'IFormattable'] });
const dtoDef = defineType({ name: 'DateTimeOffset', ns: 'System', kind: 'struct', is: (v) => v instanceof DateTimeOffset, defaultValue: () => new DateTimeOffset(0n, 0), bases: ['IComparable', 'IFormattable'] });
defineType({ name: 'DayOfWeek', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ Sunday: 0, Monday: 1, Tuesday: 2, Wednesday: 3, Thursday: 4, Friday: 5, Saturday: 6 });
defineType({ name: 'DateTimeKind', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ Unspecified: 0, Utc: 1, Local: 2 });
defineType({ name: 'DateTimeStyles', ns: 'System.Globalization', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ None: 0, AllowLeadingWhite: 1, AllowTrailingWhite: 2, AllowInnerWhite: 4, AllowWhiteSpaces: 7, NoCurrentDateDefault: 8, AdjustToUniversal: 16, AssumeLocal: 32, AssumeUniversal: 64, RoundtripKind: 128 });

const nowMs = (r: RunState): number => r.now();
const nowTicks = (r: RunState): bigint => {
  const ms = nowMs(r);
  return BigInt(Math.floor(ms)) * TICKS_PER_MS + 621355968000000000n + BigInt(Math.floor((ms % 1) * 10000));
};

function exactDate(s: string, f: string, styles = 0): DateTime {
  const p = parseExact(requireString(s, 's'), requireString(f, 'format'));
  if (p.offset === null) return new DateTime(p.ticks, styles & 64 ? 1 : 0);
  const utc = p.ticks - BigInt(p.offset) * TICKS_PER_MINUTE;
  return new DateTime(utc, styles & 16 || styles & 128 ? 1 : 2);
}

function tryDate(f: () => DateTime, r: Ref): boolean {
  try {
    r.v = f();
    return true;
  } catch (e) {
    if (!(e instanceof DotNetException)) throw e;
    r.v = DateTime.MinValue;
    return false;
  }
}

const unit = (t: bigint) => (d: DateTime, v: number) => d.addUnits(v, t);
dtDef
  .prop('static DateTime Now', (r: RunState) => new DateTime(nowTicks(r), 2), { run: true })
  .prop('static DateTime UtcNow', (r: RunState) => new DateTime(nowTicks(r), 1), { run: true })
  .prop('static DateTime Today', (r: RunState) => new DateTime(nowTicks(r), 2).date, { run: true })
  .prop('static DateTime MinValue', () => DateTime.MinValue)
  .prop('static DateTime MaxValue', () => DateTime.MaxValue)
  .prop('static DateTime UnixEpoch', () => new DateTime(621355968000000000n, 1))
  .ctor('(long ticks)', (t: bigint) => new DateTime(t))
  .ctor('(long ticks, DateTimeKind kind)', (t: bigint, k: number) => new DateTime(t, k as 0))
  .ctor('(int year, int month, int day)', (y: number, m: number, d: number) => new DateTime(ticksFromParts(y, m, d)))
  .ctor('(int year, int month, int day, int hour, int minute, int second)', (y: number, m: number, d: number, h: number, mi: number, s: number) => new DateTime(ticksFromParts(y, m, d, h, mi, s)))
  .ctor('(int year, int month, int day, int hour, int minute, int second, DateTimeKind kind)', (y: number, m: number, d: number, h: number, mi: number, s: number, k: number) => new DateTime(ticksFromParts(y, m, d, h, mi, s), k as 0))
  .ctor('(int year, int month, int day, int hour, int minute, int second, int millisecond)', (y: number, m: number, d: number, h: number, mi: number, s: number, ms: number) => new DateTime(ticksFromParts(y, m, d, h, mi, s, ms)))
  .ctor('(int year, int month, int day, int hour, int minute, int second, int millisecond, DateTimeKind kind)', (y: number, m: number, d: number, h: number, mi: number, s: number, ms: number, k: number) => new DateTime(ticksFromParts(y, m, d, h, mi, s, ms), k as 0))
  .prop('int Year', (d: DateTime) => d.parts.year)
  .prop('int Month', (d: DateTime) => d.parts.month)
  .prop('int Day', (d: DateTime) => d.parts.day)
  .prop('int Hour', (d: DateTime) => d.parts.hour)
  .prop('int Minute', (d: DateTime) => d.parts.minute)
  .prop('int Second', (d: DateTime) => d.parts.second)
  .prop('int Millisecond', (d: DateTime) => d.parts.ms)
  .prop('long Ticks', (d: DateTime) => d.ticks)
  .prop('DayOfWeek DayOfWeek', (d: DateTime) => d.parts.dayOfWeek)
  .prop('int DayOfYear', (d: DateTime) => d.parts.dayOfYear)
  .prop('DateTime Date', (d: DateTime) => d.date)
  .prop('TimeSpan TimeOfDay', (d: DateTime) => d.timeOfDay)
  .prop('DateTimeKind Kind', (d: DateTime) => d.kind)
  .method('DateTime AddTicks(long value)', (d: DateTime, t: bigint) => d.addTicks(t))
  .method('DateTime AddMilliseconds(double value)', unit(TICKS_PER_MS))
  .method('DateTime AddSeconds(double value)', unit(TICKS_PER_SECOND))
  .method('DateTime AddMinutes(double value)', unit(TICKS_PER_MINUTE))
  .method('DateTime AddHours(double value)', unit(TICKS_PER_HOUR))
  .method('DateTime AddDays(double value)', unit(TICKS_PER_DAY))
  .method('DateTime AddMonths(int months)', (d: DateTime, n: number) => d.addMonths(n))
  .method('DateTime AddYears(int value)', (d: DateTime, n: number) => d.addMonths(n * 12))
  .method('DateTime Add(TimeSpan value)', (d: DateTime, t: TimeSpan) => d.addTicks(t.ticks))
  .method('DateTime Subtract(TimeSpan value)', (d: DateTime, t: TimeSpan) => d.addTicks(-t.ticks))
  .method('TimeSpan Subtract(DateTime value)', (d: DateTime, o: DateTime) => new TimeSpan(d.ticks - o.ticks))
  .method('DateTime ToUniversalTime()', (d: DateTime) => new DateTime(d.ticks, 1))
  .method('DateTime ToLocalTime()', (d: DateTime) => new DateTime(d.ticks, 2))
  .method('string ToString()', (d: DateTime) => d.format('G'))
  .method('string ToString(string format)', (d: DateTime, f: string | null) => d.format(f))
  .method('string ToString(IFormatProvider provider)', (d: DateTime) => d.format('G'))
  .method('string ToString(string format, IFormatProvider provider)', (d: DateTime, f: string | null) => d.format(f))
  .method('string ToShortDateString()', (d: DateTime) => d.format('d'))
  .method('string ToShortTimeString()', (d: DateTime) => d.format('t'))
  .method('string ToLongDateString()', (d: DateTime) => d.format('D'))
  .method('string ToLongTimeString()', (d: DateTime) => d.format('T'))
  .method('string ToIsoString()', (d: DateTime) => d.format('o'))
  .method('long ToFileTimeUtc()', (d: DateTime) => d.ticks - 504911232000000000n)
  .method('int CompareTo(DateTime value)', (a: DateTime, b: DateTime) => (a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0))
  .method('bool Equals(DateTime value)', (a: DateTime, b: DateTime) => a.ticks === b.ticks)
  .method('static int Compare(DateTime t1, DateTime t2)', (a: DateTime, b: DateTime) => (a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0))
  .method('static int DaysInMonth(int year, int month)', (y: number, m: number) => {
    if (m < 1 || m > 12) throw argOutOfRange('month', 'Month must be between one and twelve.');
    return daysInMonth(y, m);
  })
  .method('static bool IsLeapYear(int year)', isLeapYear)
  .method('static DateTime SpecifyKind(DateTime value, DateTimeKind kind)', (d: DateTime, k: number) => new DateTime(d.ticks, k as 0))
  .method('static DateTime Parse(string s)', (s: string) => parseDateTime(requireString(s, 's')))
  .method('static DateTime Parse(string s, IFormatProvider provider)', (s: string) => parseDateTime(requireString(s, 's')))
  .method('static DateTime Parse(string s, IFormatProvider provider, DateTimeStyles styles)', (s: string, _p: unknown, st: number) => adjust(parseDateTime(requireString(s, 's')), st))
  .method('static DateTime ParseExact(string s, string format, IFormatProvider provider)', (s: string, f: string) => exactDate(s, f))
  .method('static DateTime ParseExact(string s, string format, IFormatProvider provider, DateTimeStyles style)', (s: string, f: string, _p: unknown, st: number) => exactDate(s, f, st))
  .method('static bool TryParse(string s, out DateTime result)', (s: string | null, r: Ref) => tryDate(() => parseDateTime(requireString(s, 's')), r))
  .method('static bool TryParse(string s, IFormatProvider provider, DateTimeStyles styles, out DateTime result)', (s: string | null, _p: unknown, st: number, r: Ref) => tryDate(() => adjust(parseDateTime(requireString(s, 's')), st), r))
  .method('static bool TryParseExact(string s, string format, IFormatProvider provider, DateTimeStyles style, out DateTime result)', (s: string | null, f: string, _p: unknown, st: number, r: Ref) => tryDate(() => exactDate(requireString(s, 's'), f, st), r))
  .method('static DateTime FromFileTimeUtc(long fileTime)', (t: bigint) => new DateTime(t + 504911232000000000n, 1))
  .method('static DateTime op_Subtraction(DateTime d, TimeSpan t)', (d: DateTime, t: TimeSpan) => d.addTicks(-t.ticks))
  .method('static TimeSpan op_Subtraction(DateTime d1, DateTime d2)', (a: DateTime, b: DateTime) => new TimeSpan(a.ticks - b.ticks))
  .method('static DateTime op_Addition(DateTime d, TimeSpan t)', (d: DateTime, t: TimeSpan) => d.addTicks(t.ticks))
  .method('static bool op_Equality(DateTime a, DateTime b)', (a: DateTime, b: DateTime) => a.ticks === b.ticks)
  .method('static bool op_Inequality(DateTime a, DateTime b)', (a: DateTime, b: DateTime) => a.ticks !== b.ticks)
  .method('static bool op_LessThan(DateTime a, DateTime b)', (a: DateTime, b: DateTime) => a.ticks < b.ticks)
  .method('static bool op_GreaterThan(DateTime a, DateTime b)', (a: DateTime, b: DateTime) => a.ticks > b.ticks)
  .method('static bool op_LessThanOrEqual(DateTime a, DateTime b)', (a: DateTime, b: DateTime) => a.ticks <= b.ticks)
  .method('static bool op_GreaterThanOrEqual(DateTime a, DateTime b)', (a: DateTime, b: DateTime) => a.ticks >= b.ticks);

function adjust(d: DateTime, styles: number): DateTime {
  if (styles & 16) return new DateTime(d.ticks, 1);
  return d;
}

const tsUnit = (t: bigint) => (v: number) => TimeSpan.fromUnits(v, t);
tsDef
  .prop('static TimeSpan Zero', () => TimeSpan.Zero)
  .prop('static TimeSpan MaxValue', () => TimeSpan.MaxValue)
  .prop('static TimeSpan MinValue', () => TimeSpan.MinValue)
  .prop('static long TicksPerMillisecond', () => 10000n, { const: 10000n })
  .prop('static long TicksPerSecond', () => TICKS_PER_SECOND, { const: TICKS_PER_SECOND })
  .prop('static long TicksPerMinute', () => TICKS_PER_MINUTE, { const: TICKS_PER_MINUTE })
  .prop('static long TicksPerHour', () => TICKS_PER_HOUR, { const: TICKS_PER_HOUR })
  .prop('static long TicksPerDay', () => TICKS_PER_DAY, { const: TICKS_PER_DAY })
  .ctor('(long ticks)', (t: bigint) => new TimeSpan(t))
  .ctor('(int hours, int minutes, int seconds)', (h: number, m: number, s: number) => TimeSpan.fromParts(0, h, m, s))
  .ctor('(int days, int hours, int minutes, int seconds)', (d: number, h: number, m: number, s: number) => TimeSpan.fromParts(d, h, m, s))
  .ctor('(int days, int hours, int minutes, int seconds, int milliseconds)', (d: number, h: number, m: number, s: number, ms: number) => TimeSpan.fromParts(d, h, m, s, ms))
  .method('static TimeSpan FromMilliseconds(double value)', tsUnit(TICKS_PER_MS))
  .method('static TimeSpan FromSeconds(double value)', tsUnit(TICKS_PER_SECOND))
  .method('static TimeSpan FromMinutes(double value)', tsUnit(TICKS_PER_MINUTE))
  .method('static TimeSpan FromHours(double value)', tsUnit(TICKS_PER_HOUR))
  .method('static TimeSpan FromDays(double value)', tsUnit(TICKS_PER_DAY))
  .method('static TimeSpan FromTicks(long value)', (t: bigint) => new TimeSpan(t))
  .method('static TimeSpan Parse(string s)', (s: string) => parseTimeSpan(requireString(s, 's')))
  .method('static bool TryParse(string s, out TimeSpan result)', (s: string | null, r: Ref) => {
    try {
      r.v = parseTimeSpan(requireString(s, 's'));
      return true;
    } catch (e) {
      if (!(e instanceof DotNetException)) throw e;
      r.v = TimeSpan.Zero;
      return false;
    }
  })
  .prop('int Days', (t: TimeSpan) => t.days)
  .prop('int Hours', (t: TimeSpan) => t.hours)
  .prop('int Minutes', (t: TimeSpan) => t.minutes)
  .prop('int Seconds', (t: TimeSpan) => t.seconds)
  .prop('int Milliseconds', (t: TimeSpan) => t.milliseconds)
  .prop('long Ticks', (t: TimeSpan) => t.ticks)
  .prop('double TotalDays', (t: TimeSpan) => t.total(TICKS_PER_DAY))
  .prop('double TotalHours', (t: TimeSpan) => t.total(TICKS_PER_HOUR))
  .prop('double TotalMinutes', (t: TimeSpan) => t.total(TICKS_PER_MINUTE))
  .prop('double TotalSeconds', (t: TimeSpan) => t.total(TICKS_PER_SECOND))
  .prop('double TotalMilliseconds', (t: TimeSpan) => t.total(TICKS_PER_MS))
  .method('TimeSpan Add(TimeSpan ts)', (a: TimeSpan, b: TimeSpan) => new TimeSpan(a.ticks + b.ticks))
  .method('TimeSpan Subtract(TimeSpan ts)', (a: TimeSpan, b: TimeSpan) => new TimeSpan(a.ticks - b.ticks))
  .method('TimeSpan Negate()', (a: TimeSpan) => new TimeSpan(-a.ticks))
  .method('TimeSpan Duration()', (a: TimeSpan) => new TimeSpan(a.ticks < 0n ? -a.ticks : a.ticks))
  .method('string ToString()', (t: TimeSpan) => t.format('c'))
  .method('string ToString(string format)', (t: TimeSpan, f: string | null) => t.format(f))
  .method('string ToString(string format, IFormatProvider provider)', (t: TimeSpan, f: string | null) => t.format(f))
  .method('int CompareTo(TimeSpan value)', (a: TimeSpan, b: TimeSpan) => (a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0))
  .method('bool Equals(TimeSpan obj)', (a: TimeSpan, b: TimeSpan) => a.ticks === b.ticks)
  .method('static TimeSpan op_Addition(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => new TimeSpan(a.ticks + b.ticks))
  .method('static TimeSpan op_Subtraction(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => new TimeSpan(a.ticks - b.ticks))
  .method('static bool op_Equality(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => a.ticks === b.ticks)
  .method('static bool op_Inequality(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => a.ticks !== b.ticks)
  .method('static bool op_LessThan(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => a.ticks < b.ticks)
  .method('static bool op_GreaterThan(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => a.ticks > b.ticks)
  .method('static bool op_LessThanOrEqual(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => a.ticks <= b.ticks)
  .method('static bool op_GreaterThanOrEqual(TimeSpan a, TimeSpan b)', (a: TimeSpan, b: TimeSpan) => a.ticks >= b.ticks)
  .method('static TimeSpan op_Multiply(TimeSpan a, double b)', (a: TimeSpan, b: number) => new TimeSpan(BigInt(Math.round(Number(a.ticks) * b))))
  .method('static TimeSpan op_Division(TimeSpan a, double b)', (a: TimeSpan, b: number) => new TimeSpan(BigInt(Math.round(Number(a.ticks) / b))));

const dtoUnit = (t: bigint) => (d: DateTimeOffset, v: number) => d.addUnits(v, t);
const cmpDto = (a: DateTimeOffset, b: DateTimeOffset): number => (a.utcTicks < b.utcTicks ? -1 : a.utcTicks > b.utcTicks ? 1 : 0);
dtoDef
  .prop('static DateTimeOffset Now', (r: RunState) => new DateTimeOffset(nowTicks(r), 0), { run: true })
  .prop('static DateTimeOffset UtcNow', (r: RunState) => new DateTimeOffset(nowTicks(r), 0), { run: true })
  .prop('static DateTimeOffset MinValue', () => new DateTimeOffset(0n, 0))
  .prop('static DateTimeOffset MaxValue', () => new DateTimeOffset(3155378975999999999n, 0))
  .prop('static DateTimeOffset UnixEpoch', () => new DateTimeOffset(621355968000000000n, 0))
  .ctor('(DateTime dateTime)', (d: DateTime) => DateTimeOffset.fromDateTime(d))
  .ctor('(DateTime dateTime, TimeSpan offset)', (d: DateTime, o: TimeSpan) => {
    if (d.kind === 1 && o.ticks !== 0n) throw argError("The UTC Offset for Utc DateTime instances must be 0. (Parameter 'offset')");
    return new DateTimeOffset(d.ticks, Number(o.ticks / TICKS_PER_MINUTE));
  })
  .ctor('(long ticks, TimeSpan offset)', (t: bigint, o: TimeSpan) => new DateTimeOffset(t, Number(o.ticks / TICKS_PER_MINUTE)))
  .ctor('(int year, int month, int day, int hour, int minute, int second, TimeSpan offset)', (y: number, m: number, d: number, h: number, mi: number, s: number, o: TimeSpan) => new DateTimeOffset(ticksFromParts(y, m, d, h, mi, s), Number(o.ticks / TICKS_PER_MINUTE)))
  .ctor('(int year, int month, int day, int hour, int minute, int second, int millisecond, TimeSpan offset)', (y: number, m: number, d: number, h: number, mi: number, s: number, ms: number, o: TimeSpan) => new DateTimeOffset(ticksFromParts(y, m, d, h, mi, s, ms), Number(o.ticks / TICKS_PER_MINUTE)))
  .method('static DateTimeOffset FromUnixTimeSeconds(long seconds)', (s: bigint) => {
    if (s < -62135596800n || s > 253402300799n) throw argOutOfRange('seconds', 'Valid values are between -62135596800 and 253402300799, inclusive.');
    return DateTimeOffset.fromUtcTicks(s * TICKS_PER_SECOND + 621355968000000000n, 0);
  })
  .method('static DateTimeOffset FromUnixTimeMilliseconds(long milliseconds)', (s: bigint) => {
    if (s < -62135596800000n || s > 253402300799999n) throw argOutOfRange('milliseconds', 'Valid values are between -62135596800000 and 253402300799999, inclusive.');
    return DateTimeOffset.fromUtcTicks(s * TICKS_PER_MS + 621355968000000000n, 0);
  })
  .method('static DateTimeOffset Parse(string input)', (s: string) => parseDateTimeOffset(requireString(s, 'input')))
  .method('static DateTimeOffset Parse(string input, IFormatProvider formatProvider)', (s: string) => parseDateTimeOffset(requireString(s, 'input')))
  .method('static bool TryParse(string input, out DateTimeOffset result)', (s: string | null, r: Ref) => {
    try {
      r.v = parseDateTimeOffset(requireString(s, 'input'));
      return true;
    } catch (e) {
      if (!(e instanceof DotNetException)) throw e;
      r.v = new DateTimeOffset(0n, 0);
      return false;
    }
  })
  .method('static DateTimeOffset ParseExact(string input, string format, IFormatProvider formatProvider)', (s: string, f: string) => {
    const p = parseExact(requireString(s, 'input'), requireString(f, 'format'));
    return new DateTimeOffset(p.ticks, p.offset ?? 0);
  })
  .method('long ToUnixTimeSeconds()', (d: DateTimeOffset) => {
    const t = d.utcTicks - 621355968000000000n;
    const s = t / TICKS_PER_SECOND;
    return t < 0n && t % TICKS_PER_SECOND !== 0n ? s - 1n : s;
  })
  .method('long ToUnixTimeMilliseconds()', (d: DateTimeOffset) => {
    const t = d.utcTicks - 621355968000000000n;
    const s = t / TICKS_PER_MS;
    return t < 0n && t % TICKS_PER_MS !== 0n ? s - 1n : s;
  })
  .prop('DateTime DateTime', (d: DateTimeOffset) => d.dateTime)
  .prop('DateTime UtcDateTime', (d: DateTimeOffset) => d.utcDateTime)
  .prop('DateTime LocalDateTime', (d: DateTimeOffset) => d.localDateTime)
  .prop('DateTime Date', (d: DateTimeOffset) => d.dateTime.date)
  .prop('TimeSpan Offset', (d: DateTimeOffset) => new TimeSpan(BigInt(d.offsetMinutes) * TICKS_PER_MINUTE))
  .prop('long Ticks', (d: DateTimeOffset) => d.ticks)
  .prop('long UtcTicks', (d: DateTimeOffset) => d.utcTicks)
  .prop('int Year', (d: DateTimeOffset) => d.dateTime.parts.year)
  .prop('int Month', (d: DateTimeOffset) => d.dateTime.parts.month)
  .prop('int Day', (d: DateTimeOffset) => d.dateTime.parts.day)
  .prop('int Hour', (d: DateTimeOffset) => d.dateTime.parts.hour)
  .prop('int Minute', (d: DateTimeOffset) => d.dateTime.parts.minute)
  .prop('int Second', (d: DateTimeOffset) => d.dateTime.parts.second)
  .prop('int Millisecond', (d: DateTimeOffset) => d.dateTime.parts.ms)
  .prop('DayOfWeek DayOfWeek', (d: DateTimeOffset) => d.dateTime.parts.dayOfWeek)
  .method('DateTimeOffset AddMilliseconds(double value)', dtoUnit(TICKS_PER_MS))
  .method('DateTimeOffset AddSeconds(double value)', dtoUnit(TICKS_PER_SECOND))
  .method('DateTimeOffset AddMinutes(double value)', dtoUnit(TICKS_PER_MINUTE))
  .method('DateTimeOffset AddHours(double value)', dtoUnit(TICKS_PER_HOUR))
  .method('DateTimeOffset AddDays(double value)', dtoUnit(TICKS_PER_DAY))
  .method('DateTimeOffset AddTicks(long value)', (d: DateTimeOffset, t: bigint) => d.addTicks(t))
  .method('DateTimeOffset AddMonths(int months)', (d: DateTimeOffset, n: number) => new DateTimeOffset(d.dateTime.addMonths(n).ticks, d.offsetMinutes))
  .method('DateTimeOffset AddYears(int years)', (d: DateTimeOffset, n: number) => new DateTimeOffset(d.dateTime.addMonths(n * 12).ticks, d.offsetMinutes))
  .method('DateTimeOffset Add(TimeSpan timeSpan)', (d: DateTimeOffset, t: TimeSpan) => d.addTicks(t.ticks))
  .method('DateTimeOffset Subtract(TimeSpan value)', (d: DateTimeOffset, t: TimeSpan) => d.addTicks(-t.ticks))
  .method('TimeSpan Subtract(DateTimeOffset value)', (a: DateTimeOffset, b: DateTimeOffset) => new TimeSpan(a.utcTicks - b.utcTicks))
  .method('DateTimeOffset ToUniversalTime()', (d: DateTimeOffset) => DateTimeOffset.fromUtcTicks(d.utcTicks, 0))
  .method('DateTimeOffset ToOffset(TimeSpan offset)', (d: DateTimeOffset, o: TimeSpan) => DateTimeOffset.fromUtcTicks(d.utcTicks, Number(o.ticks / TICKS_PER_MINUTE)))
  .method('string ToString()', (d: DateTimeOffset) => d.format(''))
  .method('string ToString(string format)', (d: DateTimeOffset, f: string | null) => d.format(f))
  .method('string ToString(string format, IFormatProvider formatProvider)', (d: DateTimeOffset, f: string | null) => d.format(f))
  .method('int CompareTo(DateTimeOffset other)', cmpDto)
  .method('bool Equals(DateTimeOffset other)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) === 0)
  .method('static int Compare(DateTimeOffset first, DateTimeOffset second)', cmpDto)
  .method('static TimeSpan op_Subtraction(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => new TimeSpan(a.utcTicks - b.utcTicks))
  .method('static DateTimeOffset op_Subtraction(DateTimeOffset a, TimeSpan b)', (a: DateTimeOffset, b: TimeSpan) => a.addTicks(-b.ticks))
  .method('static DateTimeOffset op_Addition(DateTimeOffset a, TimeSpan b)', (a: DateTimeOffset, b: TimeSpan) => a.addTicks(b.ticks))
  .method('static bool op_Equality(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) === 0)
  .method('static bool op_Inequality(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) !== 0)
  .method('static bool op_LessThan(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) < 0)
  .method('static bool op_GreaterThan(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) > 0)
  .method('static bool op_LessThanOrEqual(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) <= 0)
  .method('static bool op_GreaterThanOrEqual(DateTimeOffset a, DateTimeOffset b)', (a: DateTimeOffset, b: DateTimeOffset) => cmpDto(a, b) >= 0);
dtoDef.implicitFrom.set(dtDef, (d: DateTime) => DateTimeOffset.fromDateTime(d));

// ---------------------------------------------------------------- Guid

const randomByte = (r: RunState) => (): number => Math.floor(r.random() * 256);
defineType({ name: 'Guid', ns: 'System', kind: 'struct', is: (v) => v instanceof Guid, defaultValue: () => Guid.Empty, bases: ['IComparable', 'IFormattable'] })
  .prop('static Guid Empty', () => Guid.Empty)
  .method('static Guid NewGuid()', (r: RunState) => Guid.random(randomByte(r)), { run: true })
  .method('static Guid Parse(string input)', (s: string) => Guid.parse(requireString(s, 'input')))
  .method('static Guid ParseExact(string input, string format)', (s: string) => Guid.parse(requireString(s, 'input')))
  .method('static bool TryParse(string input, out Guid result)', (s: string | null, r: Ref) => {
    const g = Guid.tryParse(s);
    r.v = g ?? Guid.Empty;
    return !!g;
  })
  .ctor('(byte[] b)', (b: Uint8Array) => {
    if (requireArg(b, 'b').length !== 16) throw argError("Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')");
    return new Guid(Uint8Array.from(b));
  })
  .ctor('(string g)', (s: string) => Guid.parse(requireString(s, 'g')))
  .method('byte[] ToByteArray()', (g: Guid) => Uint8Array.from(g.bytes))
  .method('string ToString()', (g: Guid) => g.format('D'))
  .method('string ToString(string format)', (g: Guid, f: string | null) => g.format(f))
  .method('bool Equals(Guid g)', (a: Guid, b: Guid) => a.equals(b))
  .method('int CompareTo(Guid value)', (a: Guid, b: Guid) => a.compare(b))
  .method('int GetHashCode()', (g: Guid) => g.hash())
  .method('static bool op_Equality(Guid a, Guid b)', (a: Guid, b: Guid) => a.equals(b))
  .method('static bool op_Inequality(Guid a, Guid b)', (a: Guid, b: Guid) => !a.equals(b));

// ---------------------------------------------------------------- Random

/** System.Random: the seeded algorithm is .NET's (Knuth's subtractive generator), so seeds reproduce. */
class CsRandom {
  static readonly clrName = 'System.Random';
  private seedArray: number[] | null = null;
  private inext = 0;
  private inextp = 21;
  private readonly source: (() => number) | null;
  constructor(seed: number | null, source: () => number) {
    if (seed === null) {
      this.source = source;
      return;
    }
    this.source = null;
    const sa = new Array<number>(56).fill(0);
    const subtraction = seed === -2147483648 ? 2147483647 : Math.abs(seed);
    let mj = 161803398 - subtraction;
    sa[55] = mj;
    let mk = 1;
    for (let i = 1; i < 55; i++) {
      const ii = (21 * i) % 55;
      sa[ii] = mk;
      mk = mj - mk;
      if (mk < 0) mk += 2147483647;
      mj = sa[ii];
    }
    for (let k = 1; k < 5; k++) {
      for (let i = 1; i < 56; i++) {
        sa[i] -= sa[1 + ((i + 30) % 55)];
        if (sa[i] < 0) sa[i] += 2147483647;
      }
    }
    this.seedArray = sa;
  }
  private internalSample(): number {
    const sa = this.seedArray!;
    let locINext = this.inext;
    let locINextp = this.inextp;
    if (++locINext >= 56) locINext = 1;
    if (++locINextp >= 56) locINextp = 1;
    let ret = sa[locINext] - sa[locINextp];
    if (ret === 2147483647) ret--;
    if (ret < 0) ret += 2147483647;
    sa[locINext] = ret;
    this.inext = locINext;
    this.inextp = locINextp;
    return ret;
  }
  sample(): number {
    if (this.source) return this.source();
    return this.internalSample() * (1.0 / 2147483647);
  }
  private largeSample(): number {
    let result = this.internalSample();
    if (this.internalSample() % 2 === 0) result = -result;
    let d = result;
    d += 2147483646;
    d /= 2 * 2147483647 - 1;
    return d;
  }
  next(): number {
    if (this.source) return Math.floor(this.source() * 2147483647);
    return this.internalSample();
  }
  nextRange(min: number, max: number): number {
    if (min > max) throw argOutOfRange('minValue', "'minValue' cannot be greater than maxValue.");
    const range = max - min;
    if (this.source) return min + Math.floor(this.source() * range);
    if (range <= 2147483647) return Math.trunc(this.sample() * range) + min;
    return Math.trunc(this.largeSample() * range) + min;
  }
}
defineType({ name: 'Random', ns: 'System', is: (v) => v instanceof CsRandom })
  .ctor('()', (r: RunState) => new CsRandom(null, () => r.random()), { run: true })
  .ctor('(int Seed)', (r: RunState, seed: number) => new CsRandom(seed, () => r.random()), { run: true })
  .method('int Next()', (x: CsRandom) => x.next())
  .method('int Next(int maxValue)', (x: CsRandom, max: number) => {
    if (max < 0) throw argOutOfRange('maxValue', "'maxValue' must be greater than zero.");
    return x.nextRange(0, max);
  })
  .method('int Next(int minValue, int maxValue)', (x: CsRandom, a: number, b: number) => x.nextRange(a, b))
  .method('double NextDouble()', (x: CsRandom) => x.sample())
  .method('void NextBytes(byte[] buffer)', (x: CsRandom, b: Uint8Array) => {
    for (let i = 0; i < b.length; i++) b[i] = x.next() % 256;
  });

// ---------------------------------------------------------------- Encoding, BitConverter

class CsEncoding {
  static readonly clrName = 'System.Text.Encoding';
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  getBytes(s: string): Uint8Array {
    switch (this.name) {
      case 'utf-8':
        return new Uint8Array(Buffer.from(s, 'utf8'));
      case 'us-ascii':
        return Uint8Array.from([...Array(s.length).keys()].map((i) => (s.charCodeAt(i) < 128 ? s.charCodeAt(i) : 63)));
      case 'utf-16':
        return new Uint8Array(Buffer.from(s, 'utf16le'));
      case 'utf-16BE': {
        const b = Buffer.from(s, 'utf16le');
        b.swap16();
        return new Uint8Array(b);
      }
      case 'iso-8859-1':
        return Uint8Array.from([...Array(s.length).keys()].map((i) => (s.charCodeAt(i) < 256 ? s.charCodeAt(i) : 63)));
      default: {
        const out: number[] = [];
        for (const ch of s) {
          const cp = ch.codePointAt(0)!;
          out.push(cp & 0xff, (cp >> 8) & 0xff, (cp >> 16) & 0xff, 0);
        }
        return Uint8Array.from(out);
      }
    }
  }
  getString(b: Uint8Array): string {
    switch (this.name) {
      case 'utf-8':
        return new TextDecoder('utf-8').decode(b);
      case 'us-ascii':
        return String.fromCharCode(...[...b].map((x) => (x < 128 ? x : 63)));
      case 'utf-16':
        return new TextDecoder('utf-16le').decode(b);
      case 'utf-16BE':
        return new TextDecoder('utf-16be').decode(b);
      case 'iso-8859-1':
        return String.fromCharCode(...b);
      default: {
        let s = '';
        for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16));
        return s;
      }
    }
  }
}
const ENC = {
  UTF8: new CsEncoding('utf-8'), ASCII: new CsEncoding('us-ascii'), Unicode: new CsEncoding('utf-16'), BigEndianUnicode: new CsEncoding('utf-16BE'),
  Latin1: new CsEncoding('iso-8859-1'), UTF32: new CsEncoding('utf-32'),
};
const encDef = defineType({ name: 'Encoding', ns: 'System.Text', is: (v) => v instanceof CsEncoding });
for (const [n, e] of Object.entries(ENC)) encDef.prop(`static Encoding ${n}`, () => e);
encDef
  .prop('static Encoding Default', () => ENC.UTF8)
  .prop('string WebName', (e: CsEncoding) => e.name)
  .method('static Encoding GetEncoding(string name)', (n: string) => {
    const k = requireString(n, 'name').toLowerCase();
    const e = k === 'utf-8' || k === 'utf8' ? ENC.UTF8 : k === 'us-ascii' || k === 'ascii' ? ENC.ASCII : k === 'utf-16' || k === 'unicode' ? ENC.Unicode : k === 'iso-8859-1' || k === 'latin1' ? ENC.Latin1 : null;
    if (!e) throw argError(`'${n}' is not a supported encoding name.`);
    return e;
  })
  .method('byte[] GetBytes(string s)', (e: CsEncoding, s: string) => e.getBytes(requireString(s, 's')))
  .method('byte[] GetBytes(char[] chars)', (e: CsEncoding, c: CsChar[]) => e.getBytes(requireArg(c, 'chars').map((x) => x.str).join('')))
  .method('string GetString(byte[] bytes)', (e: CsEncoding, b: Uint8Array) => checkString(e.getString(requireArg(b, 'bytes'))))
  .method('string GetString(byte[] bytes, int index, int count)', (e: CsEncoding, b: Uint8Array, i: number, n: number) => {
    if (i < 0 || n < 0 || i + n > requireArg(b, 'bytes').length) throw argOutOfRange('index', 'Index and count must refer to a location within the buffer.');
    return e.getString(b.subarray(i, i + n));
  })
  .method('int GetByteCount(string s)', (e: CsEncoding, s: string) => e.getBytes(requireString(s, 's')).length)
  .method('byte[] GetPreamble()', (e: CsEncoding) => (e.name === 'utf-8' ? Uint8Array.from([0xef, 0xbb, 0xbf]) : new Uint8Array(0)));

const bcDef = defineType({ name: 'BitConverter', ns: 'System', kind: 'static' });
function bytesOf(n: number, v: number | bigint, float = false): Uint8Array {
  const b = Buffer.alloc(n);
  if (float) n === 4 ? b.writeFloatLE(v as number) : b.writeDoubleLE(v as number);
  else if (n === 8) b.writeBigUInt64LE(BigInt.asUintN(64, v as bigint));
  else for (let i = 0; i < n; i++) b[i] = (Number(v) >> (8 * i)) & 0xff;
  return new Uint8Array(b);
}
function checkBytes(b: Uint8Array, i: number, n: number): Buffer {
  if (requireArg(b, 'value') && (i < 0 || i >= b.length)) throw argOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  if (i + n > b.length) throw argError('Destination array is not long enough to copy all the items in the collection. Check array index and length.');
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}
bcDef
  .prop('static bool IsLittleEndian', () => true, { const: true })
  .method('static byte[] GetBytes(bool value)', (v: boolean) => Uint8Array.from([v ? 1 : 0]))
  .method('static byte[] GetBytes(char value)', (c: CsChar) => bytesOf(2, c.code))
  .method('static byte[] GetBytes(short value)', (v: number) => bytesOf(2, v))
  .method('static byte[] GetBytes(ushort value)', (v: number) => bytesOf(2, v))
  .method('static byte[] GetBytes(int value)', (v: number) => bytesOf(4, v))
  .method('static byte[] GetBytes(uint value)', (v: number) => bytesOf(4, v))
  .method('static byte[] GetBytes(long value)', (v: bigint) => bytesOf(8, v))
  .method('static byte[] GetBytes(ulong value)', (v: bigint) => bytesOf(8, v))
  .method('static byte[] GetBytes(float value)', (v: number) => bytesOf(4, v, true))
  .method('static byte[] GetBytes(double value)', (v: number) => bytesOf(8, v, true))
  .method('static short ToInt16(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 2).readInt16LE(i))
  .method('static ushort ToUInt16(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 2).readUInt16LE(i))
  .method('static int ToInt32(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 4).readInt32LE(i))
  .method('static uint ToUInt32(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 4).readUInt32LE(i))
  .method('static long ToInt64(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 8).readBigInt64LE(i))
  .method('static ulong ToUInt64(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 8).readBigUInt64LE(i))
  .method('static double ToDouble(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 8).readDoubleLE(i))
  .method('static float ToSingle(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 4).readFloatLE(i))
  .method('static bool ToBoolean(byte[] value, int startIndex)', (b: Uint8Array, i: number) => checkBytes(b, i, 1)[i] !== 0)
  .method('static string ToString(byte[] value)', (b: Uint8Array) => [...requireArg(b, 'value')].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('-'))
  .method('static string ToString(byte[] value, int startIndex)', (b: Uint8Array, i: number) => [...requireArg(b, 'value').subarray(i)].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('-'))
  .method('static string ToString(byte[] value, int startIndex, int length)', (b: Uint8Array, i: number, n: number) => [...requireArg(b, 'value').subarray(i, i + n)].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('-'));

// ---------------------------------------------------------------- hashing, HMAC, AES

class HashAlgo {
  static readonly clrName = 'System.Security.Cryptography.HashAlgorithm';
  readonly alg: string;
  key: Uint8Array | null;
  hash: Uint8Array | null = null;
  constructor(alg: string, key: Uint8Array | null) {
    this.alg = alg;
    this.key = key;
  }
  compute(b: Uint8Array): Uint8Array {
    const h = this.key ? createHmac(this.alg, this.key) : createHash(this.alg);
    h.update(b);
    this.hash = new Uint8Array(h.digest());
    return this.hash;
  }
}
const hashAlgDef = defineType({ name: 'HashAlgorithm', ns: 'System.Security.Cryptography', is: (v) => v instanceof HashAlgo });
hashAlgDef
  .method('byte[] ComputeHash(byte[] buffer)', (h: HashAlgo, b: Uint8Array) => h.compute(requireArg(b, 'buffer')))
  .method('byte[] ComputeHash(byte[] buffer, int offset, int count)', (h: HashAlgo, b: Uint8Array, o: number, n: number) => {
    if (o < 0 || n < 0 || o + n > requireArg(b, 'buffer').length) throw argError('Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.');
    return h.compute(b.subarray(o, o + n));
  })
  .prop('byte[] Hash', (h: HashAlgo) => h.hash)
  .prop('int HashSize', (h: HashAlgo) => ({ md5: 128, sha1: 160, sha256: 256, sha384: 384, sha512: 512 })[h.alg] ?? 0)
  .method('void Dispose()', () => undefined)
  .method('void Clear()', () => undefined);
defineType({ name: 'HMAC', ns: 'System.Security.Cryptography', bases: ['HashAlgorithm'], is: (v) => v instanceof HashAlgo && v.key !== null })
  .prop('byte[] Key', (h: HashAlgo) => h.key, { set: (h: HashAlgo, k: Uint8Array) => void (h.key = Uint8Array.from(requireArg(k, 'value'))) });
for (const [name, alg] of [['MD5', 'md5'], ['SHA1', 'sha1'], ['SHA256', 'sha256'], ['SHA384', 'sha384'], ['SHA512', 'sha512']]) {
  defineType({ name, ns: 'System.Security.Cryptography', bases: ['HashAlgorithm'], is: (v) => v instanceof HashAlgo && v.alg === alg && v.key === null })
    .method(`static ${name} Create()`, () => new HashAlgo(alg, null))
    .method('static byte[] HashData(byte[] source)', (b: Uint8Array) => new HashAlgo(alg, null).compute(requireArg(b, 'source')));
  defineType({ name: `${name}Managed`, ns: 'System.Security.Cryptography', bases: ['HashAlgorithm'], is: (v) => v instanceof HashAlgo && v.alg === alg }).ctor('()', () => new HashAlgo(alg, null));
  defineType({ name: `HMAC${name}`, ns: 'System.Security.Cryptography', bases: ['HMAC', 'HashAlgorithm'], is: (v) => v instanceof HashAlgo && v.alg === alg && v.key !== null })
    .ctor('()', () => new HashAlgo(alg, new Uint8Array(64)))
    .ctor('(byte[] key)', (k: Uint8Array) => new HashAlgo(alg, Uint8Array.from(requireArg(k, 'key'))))
    .method('static byte[] HashData(byte[] key, byte[] source)', (k: Uint8Array, b: Uint8Array) => new HashAlgo(alg, requireArg(k, 'key')).compute(requireArg(b, 'source')));
}

/** Atrium's byte[].Encrypt/Decrypt extensions (AES-CBC, PKCS7), as Azure-compatible gateways provide. */
function symmetric(encrypt: boolean, data: Uint8Array, alg: string, key: Uint8Array, iv: Uint8Array): Uint8Array {
  if (!/^(aes|rijndael)$/i.test(requireString(alg, 'alg'))) throw new DotNetException('NotSupportedException', `The symmetric algorithm '${alg}' is not supported; use "Aes".`);
  requireArg(data, 'input');
  requireArg(key, 'key');
  requireArg(iv, 'iv');
  if (![16, 24, 32].includes(key.length)) throw new DotNetException('CryptographicException', 'Specified key is not a valid size for this algorithm.');
  if (iv.length !== 16) throw new DotNetException('CryptographicException', 'Specified initialization vector (IV) does not match the block size for this algorithm.');
  try {
    const c = encrypt ? createCipheriv(`aes-${key.length * 8}-cbc`, key, iv) : createDecipheriv(`aes-${key.length * 8}-cbc`, key, iv);
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  } catch {
    throw new DotNetException('CryptographicException', 'Padding is invalid and cannot be removed.');
  }
}
const cryptoExt = defineType({ name: 'CryptographyExtensions', ns: 'Atrium.Policies', kind: 'static' });
cryptoExt
  .method('static byte[] Encrypt(this byte[] input, string alg, byte[] key, byte[] iv)', (d: Uint8Array, a: string, k: Uint8Array, iv: Uint8Array) => symmetric(true, d, a, k, iv))
  .method('static byte[] Decrypt(this byte[] input, string alg, byte[] key, byte[] iv)', (d: Uint8Array, a: string, k: Uint8Array, iv: Uint8Array) => symmetric(false, d, a, k, iv));

// ---------------------------------------------------------------- Regex

class CsRegex {
  static readonly clrName = 'System.Text.RegularExpressions.Regex';
  private readonly plain: RegExp;
  private readonly finalNewline: RegExp;
  readonly names: string[];
  readonly pattern: string;
  constructor(pattern: string, options: number) {
    const t = translateRegex(requireString(pattern, 'pattern'), options);
    this.plain = t.re;
    this.finalNewline = t.reFinalNewline;
    this.names = t.groupNames;
    this.pattern = pattern;
  }
  get re(): RegExp {
    return this.plain;
  }
  /** A fresh global RegExp for this input (.NET's $ also matches before a final newline). */
  global(input: string): RegExp {
    const r = input.endsWith('\n') ? this.finalNewline : this.plain;
    return new RegExp(r.source, r.flags + 'g');
  }
  toString(): string {
    return this.pattern;
  }
}
class CsMatch {
  static readonly clrName = 'System.Text.RegularExpressions.Match';
  readonly m: RegExpExecArray | null;
  readonly rx: CsRegex;
  readonly input: string;
  constructor(m: RegExpExecArray | null, rx: CsRegex, input: string) {
    this.m = m;
    this.rx = rx;
    this.input = input;
  }
  group(i: number | string): CsGroup {
    const m = this.m;
    if (!m) return new CsGroup(null, -1, '');
    if (typeof i === 'string') {
      const idx = /^\d+$/.test(i) ? Number(i) : -1;
      if (idx >= 0) return this.group(idx);
      const v = m.groups?.[i];
      return new CsGroup(v ?? null, v === undefined ? -1 : groupIndex(m, v), i);
    }
    const v = m[i];
    return new CsGroup(v ?? null, v === undefined ? -1 : i === 0 ? m.index : groupIndex(m, v), String(i));
  }
  toString(): string {
    return this.m ? this.m[0] : '';
  }
}
class CsGroup {
  static readonly clrName = 'System.Text.RegularExpressions.Group';
  readonly value: string | null;
  readonly index: number;
  readonly name: string;
  constructor(value: string | null, index: number, name: string) {
    this.value = value;
    this.index = index;
    this.name = name;
  }
  toString(): string {
    return this.value ?? '';
  }
}
class GroupCollection {
  static readonly clrName = 'System.Text.RegularExpressions.GroupCollection';
  readonly match: CsMatch;
  constructor(match: CsMatch) {
    this.match = match;
  }
  *[Symbol.iterator](): Iterator<CsGroup> {
    const n = this.match.m ? this.match.m.length : 1;
    for (let i = 0; i < n; i++) yield this.match.group(i);
  }
}
class MatchCollection {
  static readonly clrName = 'System.Text.RegularExpressions.MatchCollection';
  readonly matches: CsMatch[];
  constructor(matches: CsMatch[]) {
    this.matches = matches;
  }
  [Symbol.iterator](): Iterator<CsMatch> {
    return this.matches[Symbol.iterator]();
  }
}

const MAX_REGEX_INPUT = 1024 * 1024;
function regexInput(s: string | null): string {
  const t = requireString(s, 'input');
  if (t.length > MAX_REGEX_INPUT) throw new DotNetException('RegexMatchTimeoutException', 'The regular expression input exceeds the size policy expressions allow.');
  return t;
}
/** A group's position: the first occurrence of its text within the match (JS indices need the d flag, which the linear engine lacks). */
function groupIndex(m: RegExpExecArray, v: string): number {
  const k = m[0].indexOf(v);
  return k < 0 ? m.index : m.index + k;
}

function match(rx: CsRegex, input: string, start = 0): CsMatch {
  const re = rx.global(input);
  re.lastIndex = start;
  return new CsMatch(re.exec(regexInput(input)), rx, input);
}
function matches(rx: CsRegex, input: string): MatchCollection {
  const re = rx.global(input);
  const out: CsMatch[] = [];
  const s = regexInput(input);
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    out.push(new CsMatch(m, rx, s));
    checkLength(out.length);
    if (m[0] === '') re.lastIndex++;
  }
  return new MatchCollection(out);
}
/** .NET replacement syntax ($1, ${name}, $$, $0, $&) to a function. */
function replaceWith(rx: CsRegex, input: string, replacement: string | ((m: CsMatch) => string), count = -1): string {
  const s = regexInput(input);
  const re = rx.global(s);
  let n = 0;
  const out = s.replace(re, (...args: unknown[]) => {
    if (count >= 0 && n >= count) return args[0] as string;
    n++;
    const hasGroups = typeof args[args.length - 1] === 'object';
    const tail = hasGroups ? 3 : 2;
    const groups = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
    const m = Object.assign([...args.slice(0, -tail)] as string[], { index: args[args.length - tail] as number, input: s, groups }) as unknown as RegExpExecArray;
    const cm = new CsMatch(m, rx, s);
    if (typeof replacement === 'function') return replacement(cm);
    return replacement.replace(/\$(\$|&|\d+|\{([^}]+)\}|`|')/g, (all, tok: string, name?: string) => {
      if (tok === '$') return '$';
      if (tok === '&') return m[0];
      if (tok === '`') return s.slice(0, m.index);
      if (tok === "'") return s.slice(m.index + m[0].length);
      if (name !== undefined) return /^\d+$/.test(name) ? (m[Number(name)] ?? all) : (m.groups?.[name] ?? all);
      const idx = Number(tok);
      return idx < m.length ? (m[idx] ?? '') : all;
    });
  });
  return checkString(out);
}
function regexSplit(rx: CsRegex, input: string): string[] {
  const s = regexInput(input);
  const re = rx.global(s);
  return tagArray(s.split(re).map((x) => x ?? ''), 'System.String');
}

const regexDef = defineType({ name: 'Regex', ns: 'System.Text.RegularExpressions', is: (v) => v instanceof CsRegex });
defineType({ name: 'RegexOptions', ns: 'System.Text.RegularExpressions', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({
  None: 0, IgnoreCase: 1, Multiline: 2, ExplicitCapture: 4, Compiled: 8, Singleline: 16, IgnorePatternWhitespace: 32, RightToLeft: 64, ECMAScript: 256, CultureInvariant: 512, NonBacktracking: 1024,
});
const cache = new Map<string, CsRegex>();
function rx(pattern: string, options = 0): CsRegex {
  const k = options + ':' + pattern;
  let r = cache.get(k);
  if (!r) {
    r = new CsRegex(pattern, options);
    if (cache.size > 500) cache.clear();
    cache.set(k, r);
  }
  return r;
}
regexDef
  .ctor('(string pattern)', (p: string) => rx(p))
  .ctor('(string pattern, RegexOptions options)', (p: string, o: number) => rx(p, o))
  .ctor('(string pattern, RegexOptions options, TimeSpan matchTimeout)', (p: string, o: number) => rx(p, o))
  .method('bool IsMatch(string input)', (r: CsRegex, s: string) => match(r, s).m !== null)
  .method('Match Match(string input)', (r: CsRegex, s: string) => match(r, s))
  .method('Match Match(string input, int startat)', (r: CsRegex, s: string, i: number) => match(r, s, i))
  .method('MatchCollection Matches(string input)', (r: CsRegex, s: string) => matches(r, s))
  .method('string Replace(string input, string replacement)', (r: CsRegex, s: string, rep: string) => replaceWith(r, s, requireString(rep, 'replacement')))
  .method('string Replace(string input, string replacement, int count)', (r: CsRegex, s: string, rep: string, n: number) => replaceWith(r, s, requireString(rep, 'replacement'), n))
  .method('string Replace(string input, MatchEvaluator evaluator)', (r: CsRegex, s: string, f: (m: CsMatch) => string) => replaceWith(r, s, f))
  .method('string[] Split(string input)', (r: CsRegex, s: string) => regexSplit(r, s))
  .method('string[] GetGroupNames()', (r: CsRegex) => ['0', ...r.names])
  .method('string ToString()', (r: CsRegex) => r.pattern)
  .method('static bool IsMatch(string input, string pattern)', (s: string, p: string) => match(rx(p), s).m !== null)
  .method('static bool IsMatch(string input, string pattern, RegexOptions options)', (s: string, p: string, o: number) => match(rx(p, o), s).m !== null)
  .method('static bool IsMatch(string input, string pattern, RegexOptions options, TimeSpan matchTimeout)', (s: string, p: string, o: number) => match(rx(p, o), s).m !== null)
  .method('static Match Match(string input, string pattern)', (s: string, p: string) => match(rx(p), s))
  .method('static Match Match(string input, string pattern, RegexOptions options)', (s: string, p: string, o: number) => match(rx(p, o), s))
  .method('static MatchCollection Matches(string input, string pattern)', (s: string, p: string) => matches(rx(p), s))
  .method('static MatchCollection Matches(string input, string pattern, RegexOptions options)', (s: string, p: string, o: number) => matches(rx(p, o), s))
  .method('static string Replace(string input, string pattern, string replacement)', (s: string, p: string, rep: string) => replaceWith(rx(p), s, requireString(rep, 'replacement')))
  .method('static string Replace(string input, string pattern, string replacement, RegexOptions options)', (s: string, p: string, rep: string, o: number) => replaceWith(rx(p, o), s, requireString(rep, 'replacement')))
  .method('static string Replace(string input, string pattern, MatchEvaluator evaluator)', (s: string, p: string, f: (m: CsMatch) => string) => replaceWith(rx(p), s, f))
  .method('static string[] Split(string input, string pattern)', (s: string, p: string) => regexSplit(rx(p), s))
  .method('static string[] Split(string input, string pattern, RegexOptions options)', (s: string, p: string, o: number) => regexSplit(rx(p, o), s))
  .method('static string Escape(string str)', (s: string) => requireString(s, 'str').replace(/[\\*+?|{[()^$.#\s]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c === '\f' ? '\\f' : c === ' ' ? '\\ ' : '\\' + c)))
  .method('static string Unescape(string str)', (s: string) => requireString(s, 'str').replace(/\\(.)/g, (_a, c: string) => ({ n: '\n', r: '\r', t: '\t', f: '\f' })[c] ?? c));
defineType({ name: 'MatchEvaluator', ns: 'System.Text.RegularExpressions', kind: 'delegate', is: (v) => typeof v === 'function' });
const groupDef = defineType({ name: 'Group', ns: 'System.Text.RegularExpressions', is: (v) => v instanceof CsGroup || v instanceof CsMatch });
groupDef
  .prop('string Value', (g: CsGroup | CsMatch) => (g instanceof CsMatch ? (g.m ? g.m[0] : '') : g.value ?? ''))
  .prop('bool Success', (g: CsGroup | CsMatch) => (g instanceof CsMatch ? g.m !== null : g.value !== null))
  .prop('int Index', (g: CsGroup | CsMatch) => (g instanceof CsMatch ? (g.m ? g.m.index : 0) : Math.max(0, g.index)))
  .prop('int Length', (g: CsGroup | CsMatch) => (g instanceof CsMatch ? (g.m ? g.m[0].length : 0) : (g.value ?? '').length))
  .prop('string Name', (g: CsGroup | CsMatch) => (g instanceof CsMatch ? '0' : g.name))
  .method('string ToString()', (g: CsGroup | CsMatch) => g.toString());
defineType({ name: 'Match', ns: 'System.Text.RegularExpressions', bases: ['Group'], is: (v) => v instanceof CsMatch })
  .prop('GroupCollection Groups', (m: CsMatch) => new GroupCollection(m))
  .method('Match NextMatch()', (m: CsMatch) => (m.m ? match(m.rx, m.input, m.m.index + Math.max(1, m.m[0].length)) : m))
  .prop('static Match Empty', () => new CsMatch(null, rx(''), ''));
defineType({ name: 'GroupCollection', ns: 'System.Text.RegularExpressions', bases: ['IEnumerable<Group>'], is: (v) => v instanceof GroupCollection })
  .indexer('Group this[int groupnum]', (g: GroupCollection, i: number) => g.match.group(i))
  .indexer('Group this[string groupname]', (g: GroupCollection, n: string) => g.match.group(n))
  .prop('int Count', (g: GroupCollection) => (g.match.m ? g.match.m.length : 1));
defineType({ name: 'MatchCollection', ns: 'System.Text.RegularExpressions', bases: ['IEnumerable<Match>'], is: (v) => v instanceof MatchCollection })
  .indexer('Match this[int i]', (c: MatchCollection, i: number) => {
    if (i < 0 || i >= c.matches.length) throw argOutOfRange('i', 'Specified argument was out of the range of valid values.');
    return c.matches[i];
  })
  .prop('int Count', (c: MatchCollection) => c.matches.length);

// ---------------------------------------------------------------- Uri, WebUtility

const UNRESERVED = /[A-Za-z0-9\-._~]/;
export function escapeDataString(s: string | null): string {
  const t = requireString(s, 'stringToEscape');
  let out = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (UNRESERVED.test(c)) out += c;
    else {
      let ch = c;
      const code = t.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < t.length) ch = t.slice(i, ++i + 1);
      const bytes = Buffer.from(ch, 'utf8');
      for (const b of bytes) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return checkString(out);
}
export function unescapeDataString(s: string | null): string {
  const t = requireString(s, 'stringToUnescape');
  return t.replace(/(%[0-9A-Fa-f]{2})+/g, (seq) => {
    const bytes = Buffer.from(seq.replace(/%/g, ''), 'hex');
    const dec = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return dec.includes('\ufffd') ? seq : dec;
  });
}
function urlEncode(s: string | null): string | null {
  if (s === null) return null;
  let out = '';
  for (const ch of s) {
    if (/[A-Za-z0-9\-_.!*()]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return checkString(out);
}
function urlDecode(s: string | null): string | null {
  if (s === null) return null;
  return unescapeDataString(s.replace(/\+/g, ' '));
}
function htmlEncode(s: string | null): string | null {
  if (s === null) return null;
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '&') out += '&amp;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#39;';
    else if ((c >= 160 && c < 256) || c > 0xffff) out += `&#${c};`;
    else out += ch;
  }
  return checkString(out);
}
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®' };
function htmlDecode(s: string | null): string | null {
  if (s === null) return null;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (all, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return ENTITIES[e] ?? all;
  });
}
defineType({ name: 'WebUtility', ns: 'System.Net', kind: 'static' })
  .method('static string UrlEncode(string value)', urlEncode)
  .method('static string UrlDecode(string encodedValue)', urlDecode)
  .method('static string HtmlEncode(string value)', htmlEncode)
  .method('static string HtmlDecode(string value)', htmlDecode);
defineType({ name: 'HttpUtility', ns: 'System.Web', kind: 'static' })
  .method('static string UrlEncode(string str)', (s: string | null) => (s === null ? null : urlEncode(s)!.replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase())))
  .method('static string UrlDecode(string str)', urlDecode)
  .method('static string HtmlEncode(string s)', htmlEncode)
  .method('static string HtmlDecode(string s)', htmlDecode)
  .method('static string JavaScriptStringEncode(string value)', (s: string | null) => (s === null ? '' : JSON.stringify(s).slice(1, -1).replace(/'/g, "\\'").replace(/</g, '\\u003c').replace(/>/g, '\\u003e')));

class CsUri {
  static readonly clrName = 'System.Uri';
  readonly url: URL | null;
  readonly original: string;
  constructor(s: string, relative = false) {
    this.original = s;
    if (relative) {
      this.url = null;
      return;
    }
    try {
      this.url = new URL(s);
    } catch {
      throw new DotNetException('UriFormatException', 'Invalid URI: The format of the URI could not be determined.');
    }
  }
  get u(): URL {
    if (!this.url) throw invalidOp('This operation is not supported for a relative URI.');
    return this.url;
  }
  get port(): number {
    const u = this.u;
    if (u.port) return Number(u.port);
    return ({ 'http:': 80, 'https:': 443, 'ftp:': 21, 'ws:': 80, 'wss:': 443 } as Record<string, number>)[u.protocol] ?? -1;
  }
  toString(): string {
    if (!this.url) return this.original;
    return unescapeDataString(this.url.href.replace(/%(2[0-9A-F]|3[A-F]|40|5[BD]|7[BD])/gi, (x) => '%25' + x.slice(1)));
  }
}
defineType({ name: 'UriKind', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ RelativeOrAbsolute: 0, Absolute: 1, Relative: 2 });
defineType({ name: 'Uri', ns: 'System', is: (v) => v instanceof CsUri })
  .ctor('(string uriString)', (s: string) => new CsUri(requireString(s, 'uriString')))
  .ctor('(string uriString, UriKind uriKind)', (s: string, k: number) => {
    const t = requireString(s, 'uriString');
    const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(t);
    if (k === 1 && !abs) throw new DotNetException('UriFormatException', 'Invalid URI: The format of the URI could not be determined.');
    if (k === 2 && abs) throw new DotNetException('UriFormatException', 'Invalid URI: A Relative URI cannot be created because the \'uriString\' parameter represents an absolute URI.');
    return new CsUri(t, !abs);
  })
  .ctor('(Uri baseUri, string relativeUri)', (b: CsUri, rel: string) => new CsUri(new URL(rel, b.u).href))
  .prop('string AbsoluteUri', (u: CsUri) => u.u.href)
  .prop('string AbsolutePath', (u: CsUri) => u.u.pathname)
  .prop('string LocalPath', (u: CsUri) => decodeURIComponent(u.u.pathname))
  .prop('string PathAndQuery', (u: CsUri) => u.u.pathname + u.u.search)
  .prop('string Query', (u: CsUri) => u.u.search)
  .prop('string Fragment', (u: CsUri) => u.u.hash)
  .prop('string Host', (u: CsUri) => u.u.hostname)
  .prop('string DnsSafeHost', (u: CsUri) => u.u.hostname)
  .prop('string Authority', (u: CsUri) => u.u.host || u.u.hostname)
  .prop('string Scheme', (u: CsUri) => u.u.protocol.slice(0, -1))
  .prop('string UserInfo', (u: CsUri) => (u.u.username ? u.u.username + (u.u.password ? ':' + u.u.password : '') : ''))
  .prop('int Port', (u: CsUri) => u.port)
  .prop('bool IsDefaultPort', (u: CsUri) => !u.u.port)
  .prop('bool IsAbsoluteUri', (u: CsUri) => u.url !== null)
  .prop('string OriginalString', (u: CsUri) => u.original)
  .prop('string[] Segments', (u: CsUri) => tagArray(u.u.pathname.match(/[^/]*\/|[^/]+$/g) ?? ['/'], 'System.String'))
  .method('string GetLeftPart(UriPartial part)', (u: CsUri, p: number) => {
    const x = u.u;
    if (p === 0) return x.protocol + (x.host ? '//' : '');
    if (p === 1) return `${x.protocol}//${x.host}`;
    if (p === 2) return `${x.protocol}//${x.host}${x.pathname}`;
    return `${x.protocol}//${x.host}${x.pathname}${x.search}`;
  })
  .method('string ToString()', (u: CsUri) => u.toString())
  .method('static string EscapeDataString(string stringToEscape)', escapeDataString)
  .method('static string UnescapeDataString(string stringToUnescape)', unescapeDataString)
  .method('static string EscapeUriString(string stringToEscape)', (s: string) => encodeURI(requireString(s, 'stringToEscape')))
  .method('static bool IsWellFormedUriString(string uriString, UriKind uriKind)', (s: string | null, k: number) => {
    if (s === null) return false;
    const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s]+$/.test(s);
    const rel = !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && !/[\s\\]/.test(s);
    return k === 1 ? abs && URL.canParse(s) : k === 2 ? rel : (abs && URL.canParse(s)) || rel;
  })
  .method('static bool TryCreate(string uriString, UriKind uriKind, out Uri result)', (s: string | null, k: number, r: Ref) => {
    try {
      const t = requireString(s, 'uriString');
      const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(t);
      if ((k === 1 && !abs) || (k === 2 && abs)) throw new DotNetException('UriFormatException', '');
      r.v = new CsUri(t, !abs);
      return true;
    } catch (e) {
      if (!(e instanceof DotNetException)) throw e;
      r.v = null;
      return false;
    }
  });
defineType({ name: 'UriPartial', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ Scheme: 0, Authority: 1, Path: 2, Query: 3 });

// ---------------------------------------------------------------- Newtonsoft.Json

const jtokenDef = defineType({ name: 'JToken', ns: 'Newtonsoft.Json.Linq', bases: ['IEnumerable<JToken>'], is: (v) => v instanceof JToken });
const jcontainerDef = defineType({ name: 'JContainer', ns: 'Newtonsoft.Json.Linq', bases: ['JToken', 'IEnumerable<JToken>'], is: (v) => v instanceof JObject || v instanceof JArray || v instanceof JProperty });
const jobjectDef = defineType({ name: 'JObject', ns: 'Newtonsoft.Json.Linq', bases: ['JContainer', 'JToken', 'IEnumerable<JToken>'], is: (v) => v instanceof JObject });
const jarrayDef = defineType({ name: 'JArray', ns: 'Newtonsoft.Json.Linq', bases: ['JContainer', 'JToken', 'IEnumerable<JToken>'], is: (v) => v instanceof JArray });
const jvalueDef = defineType({ name: 'JValue', ns: 'Newtonsoft.Json.Linq', bases: ['JToken', 'IEnumerable<JToken>'], is: (v) => v instanceof JValue });
const jpropertyDef = defineType({ name: 'JProperty', ns: 'Newtonsoft.Json.Linq', bases: ['JContainer', 'JToken', 'IEnumerable<JToken>'], is: (v) => v instanceof JProperty });
const jttDef = defineType({ name: 'JTokenType', ns: 'Newtonsoft.Json.Linq', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers(JTokenType);
const formattingDef = defineType({ name: 'Formatting', ns: 'Newtonsoft.Json', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ None: 0, Indented: 1 });
void jttDef;
void formattingDef;
void jcontainerDef;

const typeNames = JTOKEN_TYPE_NAMES;
function cannotConvert(t: JToken, target: string): DotNetException {
  return argError(`Can not convert ${typeNames[t.type]} to ${target}.`);
}

/** Explicit conversions out of JToken (Newtonsoft's operators). */
function jtokenTo(target: string): (v: unknown, nullable: boolean) => unknown {
  return (v, nullable) => {
    if (v === null || v === undefined) {
      if (target === 'String' || nullable) return null;
      throw argNull('value');
    }
    const t = v as JToken;
    if (!(t instanceof JValue)) throw cannotConvert(t, target);
    const x = t.value;
    if (t.jtype === JTokenType.Null || t.jtype === JTokenType.Undefined) {
      if (target === 'String' || nullable) return null;
      throw cannotConvert(t, target);
    }
    switch (target) {
      case 'String':
        if (t.jtype === JTokenType.Bytes) return toBase64(x as Uint8Array);
        if (t.jtype === JTokenType.Float && typeof x === 'number') return doubleToString(x);
        if (t.jtype === JTokenType.Date && x instanceof DateTime) return x.format('G');
        return toDotNetString(x);
      case 'Boolean':
        if (typeof x === 'boolean') return x;
        if (typeof x === 'string') {
          if (/^true$/i.test(x.trim())) return true;
          if (/^false$/i.test(x.trim())) return false;
          throw formatError(`String '${x}' was not recognized as a valid Boolean.`);
        }
        if (typeof x === 'bigint') return x !== 0n;
        if (typeof x === 'number') return x !== 0;
        throw cannotConvert(t, target);
      case 'DateTime':
        if (x instanceof DateTime) return x;
        if (x instanceof DateTimeOffset) return x.dateTime;
        if (typeof x === 'string') return parseDateTime(x);
        throw cannotConvert(t, target);
      case 'DateTimeOffset':
        if (x instanceof DateTimeOffset) return x;
        if (x instanceof DateTime) return DateTimeOffset.fromDateTime(x);
        if (typeof x === 'string') return parseDateTimeOffset(x);
        throw cannotConvert(t, target);
      case 'Guid':
        if (x instanceof Guid) return x;
        if (typeof x === 'string') return Guid.parse(x);
        throw cannotConvert(t, target);
      case 'TimeSpan':
        if (x instanceof TimeSpan) return x;
        if (typeof x === 'string') return parseTimeSpan(x);
        throw cannotConvert(t, target);
      case 'Byte[]':
        if (x instanceof Uint8Array) return x;
        if (typeof x === 'string') return fromBase64(x);
        throw cannotConvert(t, target);
      case 'Uri':
        return new CsUri(toDotNetString(x));
      case 'Char': {
        const s = toDotNetString(x);
        if (s.length !== 1) throw cannotConvert(t, target);
        return CsChar.of(s.charCodeAt(0));
      }
    }
    // numbers
    const kind = ({ Int32: 'int', Int64: 'long', Int16: 'short', Byte: 'byte', SByte: 'sbyte', UInt16: 'ushort', UInt32: 'uint', UInt64: 'ulong', Double: 'double', Single: 'float', Decimal: 'decimal' } as Record<string, NumericKind>)[target];
    if (!kind) throw cannotConvert(t, target);
    if (typeof x === 'boolean') return numericConversion('int', kind, true)?.(x ? 1 : 0) ?? (x ? 1 : 0);
    if (typeof x === 'string') {
      const lib = lookupType(target, 0)!;
      const parse = lib.statics('Parse').find((m) => m.kind === 'method' && m.params.length === 1);
      return (parse as { impl: Impl }).impl(x);
    }
    if (typeof x === 'bigint') {
      if (kind === 'double' || kind === 'float' || kind === 'decimal') return numericConversion('long', kind, true)!(x);
      const c = numericConversion('long', kind, false);
      const lim = ({ int: [-2147483648n, 2147483647n], short: [-32768n, 32767n], byte: [0n, 255n], sbyte: [-128n, 127n], ushort: [0n, 65535n], uint: [0n, 4294967295n], ulong: [0n, 18446744073709551615n] } as Record<string, [bigint, bigint]>)[kind];
      if (lim && (x < lim[0] || x > lim[1])) throw overflowFor(kind);
      return c ? c(x) : x;
    }
    if (typeof x === 'number') {
      if (kind === 'double') return x;
      if (kind === 'float') return Math.fround(x);
      if (kind === 'decimal') return Decimal.fromDouble(x);
      const r = Math.round(x) === x ? x : x - Math.trunc(x) === 0.5 || x - Math.trunc(x) === -0.5 ? 2 * Math.round(x / 2) : Math.round(x);
      const c = numericConversion('double', kind, true);
      return c ? c(r) : r;
    }
    if (x instanceof Decimal) {
      if (kind === 'decimal') return x;
      return numericConversion('decimal', kind, true)!(x);
    }
    throw cannotConvert(t, target);
  };
}
for (const target of ['String', 'Boolean', 'Int32', 'Int64', 'Int16', 'Byte', 'SByte', 'UInt16', 'UInt32', 'UInt64', 'Double', 'Single', 'Decimal', 'DateTime', 'DateTimeOffset', 'Guid', 'TimeSpan', 'Char', 'Uri']) {
  const def = lookupType(target, 0)!;
  jtokenDef.explicitTo.set(def, jtokenTo(target));
}
// implicit conversions into JToken (JValue) from primitives
for (const src of ['String', 'Boolean', 'Int32', 'Int64', 'Int16', 'Byte', 'UInt32', 'UInt64', 'Double', 'Single', 'Decimal', 'DateTime', 'DateTimeOffset', 'Guid', 'TimeSpan', 'Char']) {
  const def = lookupType(src, 0)!;
  const conv = (v: unknown): unknown => toJToken(v);
  jtokenDef.implicitFrom.set(def, conv);
  jvalueDef.implicitFrom.set(def, conv);
}

/** ToObject<T> / Value<T> / DeserializeObject<T>: converts a token to a static type. */
function tokenToType(t: Type): (tok: JToken | null) => unknown {
  if (t.tag !== 'named') return (tok) => tok;
  const def = t.def;
  if (def === jtokenDef || def === jobjectDef || def === jarrayDef || def === jvalueDef || def === jpropertyDef || def === CORE.object) {
    return (tok) => {
      if (tok === null) return null;
      if (def === CORE.object) return tok instanceof JValue ? tok.value : tok;
      if (!def.is(tok)) throw new DotNetException('InvalidCastException', `Unable to cast object of type 'Newtonsoft.Json.Linq.${tok.constructor.name}' to type 'Newtonsoft.Json.Linq.${def.name}'.`);
      return tok;
    };
  }
  const inner = isNullable(t) ? t.args[0] : t;
  if (inner.tag === 'named') {
    const conv = jtokenDef.explicitTo.get(inner.def);
    if (conv) return (tok) => conv(tok, isNullable(t) || !inner.def.isValueType);
  }
  if (isArray(t) || def.name === 'List' || def.name === 'IEnumerable' || def.name === 'IList') {
    const elem = isArray(t) ? t.args[0] : t.args[0];
    const ec = tokenToType(elem);
    return (tok) => {
      if (tok === null || (tok instanceof JValue && tok.jtype === JTokenType.Null)) return null;
      if (!(tok instanceof JArray)) throw new DotNetException('JsonSerializationException', `Cannot deserialize the current JSON object into type '${def.name}' because the type requires a JSON array.`);
      const items = tok.items.map((x) => ec(x));
      if (isArray(t)) return elem.tag === 'named' && elem.def === CORE.byte ? Uint8Array.from(items as number[]) : items;
      return new CsList(items);
    };
  }
  if (def.name === 'Dictionary' || def.name === 'IDictionary' || def.name === 'IReadOnlyDictionary') {
    const vc = tokenToType(t.args[1]);
    return (tok) => {
      if (tok === null) return null;
      if (!(tok instanceof JObject)) throw new DotNetException('JsonSerializationException', 'Cannot deserialize the current JSON array into a dictionary.');
      const d = new CsDictionary();
      for (const p of tok.props.values()) d.add(p.name, vc(p.value));
      return d;
    };
  }
  return () => {
    throw new DotNetException('NotSupportedException', `Converting JSON to '${def.name}' is not supported in policy expressions.`);
  };
}

function selectTokens(root: JToken, path: string): JToken[] {
  let cur: JToken[] = [root];
  let i = 0;
  const p = path.trim();
  if (p[0] === '$') i = 1;
  const err = (): never => {
    throw new DotNetException('JsonException', `Unexpected character while parsing path: ${p[i] ?? ''}`);
  };
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      if (p[i + 1] === '.') {
        i += 2;
        const m = /^[^.[\]]+/.exec(p.slice(i));
        if (!m) err();
        const name = m![0];
        i += name.length;
        const out: JToken[] = [];
        const walk = (t: JToken): void => {
          if (t instanceof JObject) {
            for (const pr of t.props.values()) {
              if (name === '*' || pr.name === name) out.push(pr.value);
              walk(pr.value);
            }
          } else if (t instanceof JArray) for (const x of t.items) walk(x);
        };
        cur.forEach(walk);
        cur = out;
        continue;
      }
      i++;
      continue;
    }
    if (c === '[') {
      const close = p.indexOf(']', i);
      if (close < 0) err();
      const inner = p.slice(i + 1, close).trim();
      i = close + 1;
      const out: JToken[] = [];
      if (inner === '*') {
        for (const t of cur) out.push(...t.children().map((x) => (x instanceof JProperty ? x.value : x)));
      } else if (/^'.*'$|^".*"$/.test(inner)) {
        for (const name of inner.split(/\s*,\s*/).map((s) => s.slice(1, -1))) for (const t of cur) if (t instanceof JObject) { const v = t.getItem(name); if (v) out.push(v); }
      } else if (/^-?\d+(\s*,\s*-?\d+)*$/.test(inner)) {
        for (const t of cur) {
          if (!(t instanceof JArray)) continue;
          for (const n of inner.split(',').map(Number)) {
            const idx = n < 0 ? t.items.length + n : n;
            if (t.items[idx]) out.push(t.items[idx]);
          }
        }
      } else if (/^-?\d*:-?\d*$/.test(inner)) {
        const [a, b] = inner.split(':');
        for (const t of cur) if (t instanceof JArray) out.push(...t.items.slice(a ? Number(a) : 0, b ? Number(b) : undefined));
      } else throw new DotNetException('NotSupportedException', `JSONPath filter '${inner}' is not supported in policy expressions.`);
      cur = out;
      continue;
    }
    const m = /^[^.[\]]+/.exec(p.slice(i));
    if (!m) err();
    const name = m![0];
    i += name.length;
    const out: JToken[] = [];
    for (const t of cur) {
      if (name === '*') out.push(...t.children().map((x) => (x instanceof JProperty ? x.value : x)));
      else if (t instanceof JObject) {
        const v = t.getItem(name);
        if (v) out.push(v);
      }
    }
    cur = out;
  }
  return cur;
}

function selectToken(t: JToken, path: string, errorWhenNoMatch = false): JToken | null {
  const r = selectTokens(t, requireString(path, 'path'));
  if (r.length > 1) throw new DotNetException('JsonException', 'Path returned multiple tokens.');
  if (!r.length && errorWhenNoMatch) throw new DotNetException('JsonException', `Property '${path}' does not exist on JObject.`);
  return r[0] ?? null;
}

const jtokenFrom = (v: unknown): JToken => toJToken(v);

jtokenDef
  .prop('JTokenType Type', (t: JToken) => t.type)
  .prop('JContainer Parent', (t: JToken) => (t.parent instanceof JProperty ? t.parent : t.parent))
  .prop('JToken Root', (t: JToken) => t.root)
  .prop('string Path', (t: JToken) => t.path)
  .prop('bool HasValues', (t: JToken) => t.hasValues)
  .prop('JToken First', (t: JToken) => (t instanceof JProperty ? t.value : t.children()[0] ?? null))
  .prop('JToken Last', (t: JToken) => {
    const c = t.children();
    return c[c.length - 1] ?? null;
  })
  .prop('JToken Next', (t: JToken) => t.next)
  .prop('JToken Previous', (t: JToken) => t.previous)
  .indexer('JToken this[object key]', (t: JToken, k: unknown) => t.getItem(k), (t: JToken, k: unknown, v: JToken | null) => t.setItem(k, v))
  .method('IEnumerable<JToken> Children()', (t: JToken) => t.children())
  .method('IEnumerable<T> Values<T>()', (t: JToken) => t.children(), { make: (info) => {
    const c = tokenToType(info.typeArgs.get('T')!);
    return (t: JToken) => t.children().map((x) => c(x instanceof JProperty ? x.value : x));
  } })
  .method('T Value<T>(object key)', (t: JToken) => t, { make: (info) => {
    const c = tokenToType(info.typeArgs.get('T')!);
    const dflt = defaultValueOf(info.typeArgs.get('T')!);
    return (t: JToken, k: unknown) => {
      const v = t.getItem(k);
      if (v === null) return dflt;
      return c(v);
    };
  } })
  .method('T Value<T>()', (t: JToken) => t, { make: (info) => tokenToType(info.typeArgs.get('T')!) as Impl })
  .method('T ToObject<T>()', (t: JToken) => t, { make: (info) => tokenToType(info.typeArgs.get('T')!) as Impl })
  .method('JToken SelectToken(string path)', (t: JToken, p: string) => selectToken(t, p))
  .method('JToken SelectToken(string path, bool errorWhenNoMatch)', (t: JToken, p: string, e: boolean) => selectToken(t, p, e))
  .method('IEnumerable<JToken> SelectTokens(string path)', (t: JToken, p: string) => selectTokens(t, requireString(p, 'path')))
  .method('string ToString()', (t: JToken) => t.toString())
  .method('string ToString(Formatting formatting)', (t: JToken, f: number) => (t instanceof JValue ? t.toJson(false) : t.toJson(f === 1)))
  .method('JToken DeepClone()', (t: JToken) => t.deepClone())
  .method('void Remove()', (t: JToken) => t.remove())
  .method('void Replace(JToken value)', (t: JToken, v: JToken) => {
    const p = t.parent;
    if (!p) throw invalidOp('The parent is missing.');
    if (p instanceof JProperty) p.value = v;
    else if (p instanceof JArray) p.setItem(p.items.indexOf(t), v);
    else if (p instanceof JObject && t instanceof JProperty && v instanceof JProperty) {
      const entries = [...p.props.entries()];
      p.props.clear();
      for (const [k, x] of entries) {
        if (k === t.name) p.addProperty(v);
        else p.props.set(k, x);
      }
    }
  })
  .method('void AddAfterSelf(object content)', (t: JToken, c: unknown) => {
    const p = t.parent;
    if (p instanceof JArray) p.insert(p.items.indexOf(t) + 1, jtokenFrom(c));
    else throw invalidOp('The parent is missing.');
  })
  .method('static JToken Parse(string json)', (s: string) => parseJson(s))
  .method('static JToken FromObject(object o)', (o: unknown) => jtokenFrom(requireArg(o, 'o')))
  .method('static bool DeepEquals(JToken t1, JToken t2)', (a: JToken | null, b: JToken | null) => (a === null || b === null ? a === b : a.toJson(false) === b.toJson(false)));

const containerOps = (d: TypeDef): void => {
  d.prop('int Count', (t: JObject | JArray) => t.count)
    .method('IEnumerable<JToken> Descendants()', (t: JObject | JArray) => t.descendants())
    .method('void RemoveAll()', (t: JObject | JArray) => {
      if (t instanceof JObject) t.props.clear();
      else t.items.length = 0;
    });
};
containerOps(jcontainerDef);

jobjectDef
  .ctor('()', () => new JObject())
  .ctor('(params object[] content)', (c: unknown[]) => addContent(new JObject(), c))
  .ctor('(JObject other)', (o: JObject) => o.deepClone())
  .indexer('JToken this[string propertyName]', (o: JObject, k: string) => o.getItem(k), (o: JObject, k: string, v: JToken | null) => o.setItem(k, v))
  .prop('int Count', (o: JObject) => o.count)
  .method('void Add(string propertyName, JToken value)', (o: JObject, k: string, v: JToken | null) => o.add(requireString(k, 'propertyName'), v))
  .method('void Add(object content)', (o: JObject, c: unknown) => void addContent(o, [c]))
  .method('bool Remove(string propertyName)', (o: JObject, k: string) => o.removeProperty(k))
  .method('bool ContainsKey(string propertyName)', (o: JObject, k: string) => o.props.has(k))
  .method('JProperty Property(string name)', (o: JObject, k: string) => o.property(k))
  .method('JProperty Property(string name, StringComparison comparison)', (o: JObject, k: string, m: number) => o.property(k, m === 1 || m === 3 || m === 5))
  .method('IEnumerable<JProperty> Properties()', (o: JObject) => [...o.props.values()])
  .method('JToken GetValue(string propertyName)', (o: JObject, k: string) => o.getItem(k))
  .method('JToken GetValue(string propertyName, StringComparison comparison)', (o: JObject, k: string, m: number) => o.property(k, m === 1 || m === 3 || m === 5)?.value ?? null)
  .method('bool TryGetValue(string propertyName, out JToken value)', (o: JObject, k: string, r: Ref) => {
    const v = o.getItem(k);
    r.v = v;
    return v !== null;
  })
  .method('void Merge(object content)', (o: JObject, c: unknown) => {
    if (c instanceof JObject) for (const p of c.props.values()) o.setItem(p.name, p.value.deepClone());
  })
  .method('static JObject Parse(string json)', (s: string) => {
    const t = parseJson(s);
    if (!(t instanceof JObject)) throw new DotNetException('JsonReaderException', `Error reading JObject from JsonReader. Current JsonReader item is not an object: ${typeNames[t.type]}. Path '', line 1, position 1.`);
    return t;
  })
  .method('static JObject FromObject(object o)', (o: unknown) => {
    const t = jtokenFrom(requireArg(o, 'o'));
    if (!(t instanceof JObject)) throw argError(`Object serialized to ${typeNames[t.type]}. JObject instance expected.`);
    return t;
  });

function addContent<T extends JObject | JArray>(target: T, content: unknown[] | null): T {
  for (const c of content ?? []) {
    if (target instanceof JObject) {
      if (c instanceof JProperty) target.addProperty(c);
      else if (c instanceof JObject) for (const p of c.props.values()) target.addProperty(p);
      else if (c !== null && typeof c === 'object' && Symbol.iterator in c && !(c instanceof JToken)) for (const x of c as Iterable<unknown>) addContent(target, [x]);
      else if (c !== null) throw argError(`Can not add ${c instanceof JToken ? 'Newtonsoft.Json.Linq.' + c.constructor.name : 'value'} to Newtonsoft.Json.Linq.JObject.`);
    } else {
      if (Array.isArray(c) || c instanceof CsList) for (const x of c as Iterable<unknown>) target.add(jtokenFrom(x));
      else target.add(jtokenFrom(c));
    }
  }
  return target;
}

jarrayDef
  .ctor('()', () => new JArray())
  .ctor('(params object[] content)', (c: unknown[]) => addContent(new JArray(), c))
  .indexer('JToken this[int index]', (a: JArray, i: number) => a.getItem(i), (a: JArray, i: number, v: JToken | null) => a.setItem(i, v))
  .prop('int Count', (a: JArray) => a.count)
  .method('void Add(object item)', (a: JArray, v: unknown) => a.add(jtokenFrom(v)))
  .method('void Insert(int index, JToken item)', (a: JArray, i: number, v: JToken | null) => a.insert(i, v))
  .method('bool Remove(JToken item)', (a: JArray, v: JToken) => {
    const i = a.items.indexOf(v);
    if (i < 0) return false;
    a.items.splice(i, 1);
    v.parent = null;
    return true;
  })
  .method('void RemoveAt(int index)', (a: JArray, i: number) => {
    const t = a.getItem(i)!;
    a.items.splice(i, 1);
    t.parent = null;
  })
  .method('void Clear()', (a: JArray) => void (a.items.length = 0))
  .method('bool Contains(JToken item)', (a: JArray, v: JToken) => a.items.includes(v))
  .method('int IndexOf(JToken item)', (a: JArray, v: JToken) => a.items.indexOf(v))
  .method('static JArray Parse(string json)', (s: string) => {
    const t = parseJson(s);
    if (!(t instanceof JArray)) throw new DotNetException('JsonReaderException', `Error reading JArray from JsonReader. Current JsonReader item is not an array: ${typeNames[t.type]}. Path '', line 1, position 1.`);
    return t;
  })
  .method('static JArray FromObject(object o)', (o: unknown) => {
    const t = jtokenFrom(requireArg(o, 'o'));
    if (!(t instanceof JArray)) throw argError(`Object serialized to ${typeNames[t.type]}. JArray instance expected.`);
    return t;
  });

jvalueDef
  .ctor('(string value)', (s: string | null) => JValue.string(s))
  .ctor('(bool value)', (b: boolean) => toJToken(b))
  .ctor('(long value)', (n: bigint) => toJToken(n))
  .ctor('(double value)', (n: number) => new JValue(JTokenType.Float, n))
  .ctor('(decimal value)', (n: Decimal) => toJToken(n))
  .ctor('(DateTime value)', (d: DateTime) => toJToken(d))
  .ctor('(Guid value)', (g: Guid) => toJToken(g))
  .ctor('(object value)', (v: unknown) => (v instanceof JValue ? new JValue(v.jtype, v.value) : toJToken(v)))
  .prop('object Value', (v: JValue) => v.value, { set: (v: JValue, x: unknown) => {
    const t = toJToken(x) as JValue;
    v.jtype = t.jtype;
    v.value = t.value;
  } })
  .method('static JValue CreateNull()', () => JValue.null())
  .method('static JValue CreateString(string value)', (s: string | null) => JValue.string(s))
  .method('string ToString(string format)', (v: JValue, f: string) => (typeof v.value === 'bigint' ? formatNumber(v.value, 'long', f) : typeof v.value === 'number' ? formatNumber(v.value, 'double', f) : v.toString()));

jpropertyDef
  .ctor('(string name, object content)', (n: string, c: unknown) => new JProperty(requireString(n, 'name'), jtokenFrom(c)))
  .ctor('(string name, params object[] content)', (n: string, c: unknown[]) => new JProperty(requireString(n, 'name'), c.length === 1 ? jtokenFrom(c[0]) : addContent(new JArray(), c)))
  .prop('string Name', (p: JProperty) => p.name)
  .prop('JToken Value', (p: JProperty) => p.value, { set: (p: JProperty, v: JToken | null) => void (p.value = v ?? JValue.null()) });

const jsonConvertDef = defineType({ name: 'JsonConvert', ns: 'Newtonsoft.Json', kind: 'static' });
jsonConvertDef
  .method('static string SerializeObject(object value)', (v: unknown) => checkString(serialize(v, false)))
  .method('static string SerializeObject(object value, Formatting formatting)', (v: unknown, f: number) => checkString(serialize(v, f === 1)))
  .method('static object DeserializeObject(string value)', (s: string) => {
    const t = parseJson(requireString(s, 'value'));
    return t instanceof JValue ? t.value : t;
  })
  .method('static T DeserializeObject<T>(string value)', (s: string) => parseJson(s), { make: (info) => {
    const c = tokenToType(info.typeArgs.get('T')!);
    return (s: string) => c(parseJson(requireString(s, 'value')));
  } })
  .method('static string ToString(object value)', (v: unknown) => serialize(v, false));

// ---------------------------------------------------------------- JWT and Basic credentials

export class Jwt {
  static readonly clrName = 'Jwt';
  readonly header: JObject;
  readonly payload: JObject;
  readonly claims: CsDictionary;
  constructor(header: JObject, payload: JObject) {
    this.header = header;
    this.payload = payload;
    this.claims = new CsDictionary();
    for (const p of payload.props.values()) {
      const v = p.value;
      const vals = v instanceof JArray ? v.items.map((x) => jsonText(x)) : [jsonText(v)];
      this.claims.add(p.name, tagArray(vals, 'System.String'));
    }
    this.claims.readOnly = true;
  }
  str(name: string, inHeader = false): string | null {
    const v = (inHeader ? this.header : this.payload).getItem(name);
    return v === null ? null : jsonText(v);
  }
  time(name: string): DateTime | null {
    const v = this.payload.getItem(name);
    if (!(v instanceof JValue) || (typeof v.value !== 'bigint' && typeof v.value !== 'number')) return null;
    return new DateTime(BigInt(Math.trunc(Number(v.value))) * TICKS_PER_SECOND + 621355968000000000n, 1);
  }
}
function jsonText(t: JToken): string {
  if (t instanceof JValue) {
    if (t.jtype === JTokenType.Date && t.value instanceof DateTime) return t.toJson(false).slice(1, -1);
    if (t.jtype === JTokenType.Boolean) return t.value ? 'true' : 'false';
    return t.toString();
  }
  return t.toJson(false);
}
function b64url(s: string): string | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) return null;
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}
export function parseJwt(text: string | null): Jwt | null {
  if (text === null) return null;
  let s = text.trim();
  if (/^bearer\s+/i.test(s)) s = s.replace(/^bearer\s+/i, '');
  const parts = s.split('.');
  if (parts.length !== 3 && parts.length !== 5) return null;
  try {
    const h = b64url(parts[0]);
    const p = b64url(parts[1]);
    if (h === null || p === null) return null;
    const header = parseJson(h);
    const payload = parseJson(p);
    if (!(header instanceof JObject) || !(payload instanceof JObject)) return null;
    return new Jwt(header, payload);
  } catch {
    return null;
  }
}

export class BasicAuthCredentials {
  static readonly clrName = 'BasicAuthCredentials';
  readonly userId: string;
  readonly password: string;
  constructor(u: string, p: string) {
    this.userId = u;
    this.password = p;
  }
}
export function parseBasic(text: string | null): BasicAuthCredentials | null {
  if (text === null) return null;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(text);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return new BasicAuthCredentials(decoded.slice(0, i), decoded.slice(i + 1));
}

defineType({ name: 'Jwt', ns: '', is: (v) => v instanceof Jwt })
  .prop('string Id', (j: Jwt) => j.str('jti'))
  .prop('string Algorithm', (j: Jwt) => j.str('alg', true))
  .prop('string Type', (j: Jwt) => j.str('typ', true))
  .prop('string Issuer', (j: Jwt) => j.str('iss'))
  .prop('string Subject', (j: Jwt) => j.str('sub'))
  .prop('IEnumerable<string> Audiences', (j: Jwt) => (j.claims.tryGet('aud')?.value as string[] | undefined) ?? [])
  .prop('DateTime? ExpirationTime', (j: Jwt) => j.time('exp'))
  .prop('DateTime? NotBefore', (j: Jwt) => j.time('nbf'))
  .prop('DateTime? IssuedAt', (j: Jwt) => j.time('iat'))
  .prop('JwtClaims Claims', (j: Jwt) => j.claims);
defineType({ name: 'JwtClaims', ns: '', bases: ['IReadOnlyDictionary<string, string[]>', 'IEnumerable<KeyValuePair<string, string[]>>'], is: (v) => v instanceof CsDictionary })
  .method('string GetValueOrDefault(string claimName, string defaultValue = null)', (c: CsDictionary, n: string, d: string | null) => {
    const e = c.tryGet(n);
    return e ? (e.value as string[]).join(',') : d;
  });
defineType({ name: 'BasicAuthCredentials', ns: '', is: (v) => v instanceof BasicAuthCredentials })
  .prop('string UserId', (b: BasicAuthCredentials) => b.userId)
  .prop('string Password', (b: BasicAuthCredentials) => b.password);
defineType({ name: 'StringExtensions', ns: 'Atrium.Policies', kind: 'static' })
  .method('static Jwt AsJwt(this string input)', parseJwt)
  .method('static bool TryParseJwt(this string input, out Jwt result)', (s: string | null, r: Ref) => {
    r.v = parseJwt(s);
    return r.v !== null;
  })
  .method('static BasicAuthCredentials AsBasic(this string input)', parseBasic)
  .method('static bool TryParseBasic(this string input, out BasicAuthCredentials result)', (s: string | null, r: Ref) => {
    r.v = parseBasic(s);
    return r.v !== null;
  });

export { CsUri, CsRegex, CsMatch, CsGroup, CsEncoding, HashAlgo, CsRandom, tokenToType };
