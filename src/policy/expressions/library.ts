// The core of the runtime library: object, string, char, the numeric types, Math, Convert,
// collections and LINQ. Each member is declared with its C# signature; anything not declared here
// (or in the other library files) does not exist for an expression.

import { CompileError, DotNetException, argError, argNull, argOutOfRange, formatError, invalidOp, overflow } from './errors.ts';
import { MAX_STRING_LENGTH, charge, checkLength, checkString, tick } from './runtime/budget.ts';
import { CsChar, charIs, lowerChar, toLowerInvariant, toUpperInvariant, upperChar, isWhiteSpace } from './runtime/char.ts';
import { CsDictionary, CsHashSet, CsList, CsQueue, CsStack, DEFAULT_COMPARER, Grouping, KeyValuePair, Linq, ORDINAL_IGNORE_CASE, OrderedSeq, emptyQueue, emptyStack, iter, toArray, type KeyComparer } from './runtime/collections.ts';
import { DateTime, DateTimeOffset, TimeSpan } from './runtime/datetime.ts';
import { Decimal } from './runtime/decimal.ts';
import { Guid } from './runtime/guid.ts';
import { CLR_NAMES, doubleToString, floatToString, formatNumber, inIntRange, overflowFor, parseDecimal, parseDouble, parseInteger, type NumKind } from './runtime/numformat.ts';
import { numericConversion } from './runtime/numeric.ts';
import { Boxed, CsTuple, cultureCompare, dnCompare, dnEquals, dnHash, mapKey, ordinalCompare, tagArray, toDotNetString, unbox } from './runtime/values.ts';
import {
  type Impl, type NamedType, type NumericKind, type Ref, type RunState, type SpecializeInfo, type Type, type TypeDef,
  defineType, isArray, isNullable, named, setCoreDefs, T, typeName,
} from './types.ts';

// ---------------------------------------------------------------- core defs

const objectDef = defineType({ name: 'Object', ns: 'System', alias: 'object', is: (v) => v !== null && v !== undefined });
const voidDef = defineType({ name: 'Void', ns: 'System', alias: 'void', kind: 'struct' });
const stringDef = defineType({ name: 'String', ns: 'System', alias: 'string', bases: ['IEnumerable<char>', 'IComparable'], is: (v) => typeof v === 'string' });
const boolDef = defineType({ name: 'Boolean', ns: 'System', alias: 'bool', kind: 'struct', is: (v) => typeof v === 'boolean', defaultValue: () => false });

const isIntIn = (lo: number, hi: number) => (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
function numDef(name: string, alias: NumericKind, is: (v: unknown) => boolean, dflt: unknown): TypeDef {
  return defineType({ name, ns: 'System', alias, kind: 'struct', numeric: alias, is, defaultValue: () => dflt, bases: ['IComparable', 'IFormattable'] });
}
const sbyteDef = numDef('SByte', 'sbyte', isIntIn(-128, 127), 0);
const byteDef = numDef('Byte', 'byte', isIntIn(0, 255), 0);
const shortDef = numDef('Int16', 'short', isIntIn(-32768, 32767), 0);
const ushortDef = numDef('UInt16', 'ushort', isIntIn(0, 65535), 0);
const intDef = numDef('Int32', 'int', isIntIn(-2147483648, 2147483647), 0);
const uintDef = numDef('UInt32', 'uint', isIntIn(0, 4294967295), 0);
const longDef = numDef('Int64', 'long', (v) => typeof v === 'bigint' && v >= -(1n << 63n) && v < 1n << 63n, 0n);
const ulongDef = numDef('UInt64', 'ulong', (v) => typeof v === 'bigint' && v >= 0n, 0n);
const floatDef = numDef('Single', 'float', (v) => typeof v === 'number', 0);
const doubleDef = numDef('Double', 'double', (v) => typeof v === 'number', 0);
const decimalDef = numDef('Decimal', 'decimal', (v) => v instanceof Decimal, Decimal.Zero);
const charDef = defineType({ name: 'Char', ns: 'System', alias: 'char', kind: 'struct', numeric: 'char', is: (v) => v instanceof CsChar, defaultValue: () => CsChar.of(0), bases: ['IComparable'] });

const icomparableDef = defineType({ name: 'IComparable', ns: 'System', kind: 'interface', is: (v) => v !== null && typeof v !== 'object' || v instanceof Decimal || v instanceof CsChar || v instanceof DateTime || v instanceof TimeSpan || v instanceof Guid });
const iformattableDef = defineType({ name: 'IFormattable', ns: 'System', kind: 'interface', is: (v) => typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal || v instanceof DateTime || v instanceof Guid });
void icomparableDef;
void iformattableDef;

const isIterable = (v: unknown): boolean => typeof v === 'string' || (v !== null && typeof v === 'object' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function');
const ienumerableDef = defineType({ name: 'IEnumerable', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], is: isIterable });
defineType({ name: 'IEnumerable', ns: 'System.Collections', kind: 'interface', is: isIterable });
const icollectionDef = defineType({ name: 'ICollection', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], bases: ['IEnumerable<T>'], is: (v) => Array.isArray(v) || v instanceof CsList || v instanceof CsHashSet || v instanceof Uint8Array });
const ireadonlycollectionDef = defineType({ name: 'IReadOnlyCollection', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], bases: ['IEnumerable<T>'], is: (v) => Array.isArray(v) || v instanceof CsList || v instanceof Uint8Array });
const ilistDef = defineType({ name: 'IList', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], bases: ['ICollection<T>', 'IEnumerable<T>'], is: (v) => Array.isArray(v) || v instanceof CsList || v instanceof Uint8Array });
const ireadonlylistDef = defineType({ name: 'IReadOnlyList', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], bases: ['IReadOnlyCollection<T>', 'IEnumerable<T>'], is: (v) => Array.isArray(v) || v instanceof CsList || v instanceof Uint8Array });
const arrayDef = defineType({ name: 'Array', ns: 'System', typeParams: ['T'], bases: ['IList<T>', 'IReadOnlyList<T>'], is: (v) => Array.isArray(v) || v instanceof Uint8Array, clrName: 'System.Array' });
const arrayStaticDef = defineType({ name: 'Array', ns: 'System', kind: 'static' });
const nullableDef = defineType({ name: 'Nullable', ns: 'System', kind: 'struct', typeParams: ['T'], defaultValue: () => null });
setCoreDefs(arrayDef, nullableDef);

nullableDef
  .prop('bool HasValue', (v: unknown) => v !== null && v !== undefined)
  .prop('T Value', (v: unknown) => {
    if (v === null || v === undefined) throw invalidOp('Nullable object must have a value.');
    return v;
  })
  .method('T GetValueOrDefault()', (v: unknown) => v, { make: (info) => {
    const t = info.recv && info.recv.tag === 'named' ? info.recv.args[0] : null;
    const d = t ? defaultValueOf(t) : null;
    return (v: unknown) => (v === null || v === undefined ? d : v);
  } })
  .method('T GetValueOrDefault(T defaultValue)', (v: unknown, d: unknown) => (v === null || v === undefined ? d : v));

for (let n = 2; n <= 7; n++) {
  const tps = [...Array(n).keys()].map((i) => `T${i + 1}`);
  const d = defineType({ name: 'ValueTuple', ns: 'System', kind: 'struct', typeParams: tps, is: (v) => v instanceof CsTuple && v.items.length === n });
  tps.forEach((tp, i) => d.prop(`${tp} Item${i + 1}`, (t: CsTuple) => t.items[i]));
  d.method('string ToString()', (t: CsTuple) => t.toString());
}

const exceptionDef = defineType({ name: 'Exception', ns: 'System', is: (v) => v instanceof DotNetException });

const funcDefs = [0, 1, 2, 3, 4].map((n) => defineType({ name: 'Func', ns: 'System', kind: 'delegate', typeParams: [...Array(n).keys()].map((i) => `T${i + 1}`).concat('TResult'), is: (v) => typeof v === 'function' }));
const actionDefs = [0, 1, 2, 3].map((n) => defineType({ name: 'Action', ns: 'System', kind: 'delegate', typeParams: [...Array(n).keys()].map((i) => `T${i + 1}`), is: (v) => typeof v === 'function' }));
defineType({ name: 'Predicate', ns: 'System', kind: 'delegate', typeParams: ['T'], is: (v) => typeof v === 'function' });
defineType({ name: 'Comparison', ns: 'System', kind: 'delegate', typeParams: ['T'], is: (v) => typeof v === 'function' });
void funcDefs;
void actionDefs;

const NUM_DEFS: Record<NumericKind, TypeDef> = {
  sbyte: sbyteDef, byte: byteDef, short: shortDef, ushort: ushortDef, int: intDef, uint: uintDef, long: longDef, ulong: ulongDef,
  float: floatDef, double: doubleDef, decimal: decimalDef, char: charDef,
};

/** The defs and types the compiler needs by name. Filled in by the library modules. */
export const CORE = {
  object: objectDef,
  void: voidDef,
  string: stringDef,
  bool: boolDef,
  char: charDef,
  sbyte: sbyteDef,
  byte: byteDef,
  short: shortDef,
  ushort: ushortDef,
  int: intDef,
  uint: uintDef,
  long: longDef,
  ulong: ulongDef,
  float: floatDef,
  double: doubleDef,
  decimal: decimalDef,
  array: arrayDef,
  arrayStatic: arrayStaticDef,
  nullable: nullableDef,
  ienumerable: ienumerableDef,
  exception: exceptionDef,
  objectType: named(objectDef),
  voidType: named(voidDef),
  stringType: named(stringDef),
  boolType: named(boolDef),
  intType: named(intDef),
  doubleType: named(doubleDef),
  contextType: named(objectDef) as NamedType,
  clrNameOfValue: (v: unknown): string => {
    void v;
    return 'System.Object';
  },
};

// ---------------------------------------------------------------- runtime type helpers

export function isInstance(v: unknown, t: Type): boolean {
  if (v === null || v === undefined) return false;
  if (t.tag === 'anon') return false;
  if (t.tag !== 'named') return true;
  if (isArray(t)) {
    const e = t.args[0];
    if (e.tag === 'named' && e.def === byteDef) return v instanceof Uint8Array;
    if (!Array.isArray(v)) return false;
    return v.every((x) => x === null || isInstance(x, e));
  }
  if (isNullable(t)) return isInstance(v, t.args[0]);
  if (v instanceof Boxed) {
    if (v.kind === 'enum') return t.def === v.owner || t.def === objectDef;
    if (t.def === doubleDef) return v.kind === 'double';
    if (t.def === floatDef) return v.kind === 'float';
    return t.def === objectDef || t.def.name === 'IComparable' || t.def.name === 'IFormattable';
  }
  if (t.def === doubleDef) return typeof v === 'number';
  if (t.def.numeric && t.def !== floatDef && t.def !== decimalDef && typeof v === 'number' && !Number.isInteger(v)) return false;
  return t.def.is(v);
}

export function defaultValueOf(t: Type): unknown {
  if (t.tag === 'named' && t.def.defaultValue) return t.def.defaultValue();
  return null;
}

export function clrNameOf(t: Type): string {
  if (t.tag !== 'named') return 'System.Object';
  if (isArray(t)) return clrNameOf(t.args[0]) + '[]';
  if (isNullable(t)) return `System.Nullable\`1[${clrNameOf(t.args[0])}]`;
  return t.def.clrName + (t.args.length ? `\`${t.args.length}[${t.args.map(clrNameOf).join(',')}]` : '');
}

/** ToString with an optional format of a value whose type is only known at run time. */
export function formatAny(v: unknown, fmt: string | null): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Boxed) {
    if (v.kind === 'enum' || !fmt) return v.toString();
    return formatNumber(v.value, v.kind, fmt);
  }
  if (fmt === null || fmt === '') return toDotNetString(v);
  if (typeof v === 'number') return formatNumber(v, Number.isInteger(v) ? (inIntRange(BigInt(v), 'int') ? 'int' : 'long') : 'double', fmt);
  if (typeof v === 'bigint') return formatNumber(v, 'long', fmt);
  if (v instanceof Decimal) return formatNumber(v, 'decimal', fmt);
  const f = (v as { format?: (f: string) => string }).format;
  if (typeof f === 'function' && (v instanceof DateTime || v instanceof DateTimeOffset || v instanceof TimeSpan || v instanceof Guid)) return f.call(v, fmt);
  return toDotNetString(v);
}

/** How a value of a static type becomes a string in concatenation and interpolation. */
export function stringConverter(t: Type, fmt: string | null): (v: unknown) => string {
  const k = t.tag === 'named' ? t.def.numeric : undefined;
  if (fmt) {
    if (k && k !== 'char') return (v) => (v === null ? '' : formatNumber(v as number, k as NumKind, fmt));
    return (v) => formatAny(v, fmt);
  }
  if (t.tag === 'named') {
    if (t.def === stringDef) return (v) => (v === null ? '' : (v as string));
    if (k === 'float') return (v) => (v === null ? '' : floatToString(v as number));
    if (k === 'double') return (v) => (v === null ? '' : doubleToString(v as number));
    if (t.def.enumValues) {
      const names = new Map([...t.def.enumValues].map(([n, x]) => [x, n]));
      return (v) => (v === null ? '' : names.get(v as number) ?? String(v));
    }
  }
  return toDotNetString;
}

/** User-defined conversions (Newtonsoft's JToken operators, DateTime to DateTimeOffset, ...). */
export function userConversion(from: Type, to: Type, explicit: boolean): ((v: unknown) => unknown) | null {
  if (from.tag !== 'named' || to.tag !== 'named') return null;
  const target = isNullable(to) ? to.args[0] : to;
  if (target.tag !== 'named') return null;
  const imp = findConv(target.def.implicitFrom, from);
  if (imp) return imp;
  if (!explicit) return null;
  for (let d: TypeDef | undefined = from.def; d; d = baseClassOf(d)) {
    const c = d.explicitTo.get(target.def);
    if (c) {
      if (isNullable(to)) return (v) => (v === null ? null : c(v, true));
      return (v) => c(v, false);
    }
  }
  return null;
}

function findConv(map: Map<TypeDef, Impl>, from: NamedType): Impl | null {
  let d: TypeDef | undefined = from.def;
  while (d) {
    const c = map.get(d);
    if (c) return c;
    d = baseClassOf(d);
  }
  return null;
}

function baseClassOf(d: TypeDef): TypeDef | undefined {
  const b = d.bases().find((x) => x.def.kind === 'class');
  return b?.def;
}

// ---------------------------------------------------------------- helpers

const numName = (k: NumericKind): string => CLR_NAMES[k];

function requireString(v: unknown, name: string): string {
  if (v === null || v === undefined) throw argNull(name);
  return v as string;
}

function strCompare(a: string | null, b: string | null, mode: number): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  switch (mode) {
    case 4:
      return ordinalCompare(a, b);
    case 5:
      return ordinalCompare(a.toUpperCase(), b.toUpperCase());
    case 1:
    case 3:
      return cultureCompare(a, b, true);
    default:
      return cultureCompare(a, b);
  }
}

function strEquals(a: string | null, b: string | null, mode: number): boolean {
  if (a === null || b === null) return a === b;
  if (mode === 4 || mode === 0 || mode === 2) return a === b;
  return a.length === b.length ? a.toUpperCase() === b.toUpperCase() || (mode !== 5 && cultureCompare(a, b, true) === 0) : cultureCompare(a, b, true) === 0 && mode !== 5;
}

const ignoreCaseMode = (mode: number): boolean => mode === 1 || mode === 3 || mode === 5;

function indexOfMode(s: string, v: string, start: number, mode: number): number {
  if (ignoreCaseMode(mode)) return s.toUpperCase().indexOf(v.toUpperCase(), start);
  return s.indexOf(v, start);
}

function checkRange(s: string, start: number, len: number, startName = 'startIndex'): void {
  if (start < 0) throw argOutOfRange(startName, 'StartIndex cannot be less than zero.');
  if (start > s.length) throw argOutOfRange(startName, 'startIndex cannot be larger than length of string.');
  if (len < 0) throw argOutOfRange('length', 'Length cannot be less than zero.');
  if (start + len > s.length) throw argOutOfRange('length', 'Index and length must refer to a location within the string.');
}

function charsOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof CsChar) return v.str;
  return (v as CsChar[]).map((c) => c.str).join('');
}

function trimChars(s: string, chars: string | null, start: boolean, end: boolean): string {
  const isTrim = chars === null || chars === '' ? (c: number) => isWhiteSpace(c) : (c: number) => chars.includes(String.fromCharCode(c));
  let a = 0;
  let b = s.length;
  if (start) while (a < b && isTrim(s.charCodeAt(a))) a++;
  if (end) while (b > a && isTrim(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function splitImpl(s: string, seps: string[], count: number, options: number): string[] {
  if (count < 0) throw argOutOfRange('count', 'Count cannot be less than zero.');
  const removeEmpty = (options & 1) !== 0;
  const trim = (options & 2) !== 0;
  const out: string[] = [];
  if (count === 0) return tagArray(out, 'System.String');
  const useWs = seps.length === 0 || seps.every((x) => x === '');
  let i = 0;
  let last = 0;
  const push = (piece: string): void => {
    const p = trim ? trimChars(piece, null, true, true) : piece;
    if (removeEmpty && p === '') return;
    out.push(p);
  };
  while (i <= s.length) {
    if (out.length === count - 1) break;
    let matched = 0;
    if (i < s.length) {
      if (useWs) {
        if (isWhiteSpace(s.charCodeAt(i))) matched = 1;
      } else {
        for (const sep of seps) {
          if (sep && s.startsWith(sep, i)) {
            matched = sep.length;
            break;
          }
        }
      }
    }
    if (matched) {
      push(s.slice(last, i));
      i += matched;
      last = i;
    } else i++;
  }
  let rest = s.slice(last);
  if (removeEmpty && out.length === count - 1 && count > 1) {
    // .NET trims leading separators from the last piece when removing empties
    rest = s.slice(last);
  }
  push(rest);
  checkLength(out.length);
  return tagArray(out, 'System.String');
}

/** Composite formatting: string.Format. */
export function compositeFormat(fmt: string, args: unknown[]): string {
  if (fmt === null || fmt === undefined) throw argNull('format');
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const close = fmt.indexOf('}', i);
      if (close < 0) throw formatError();
      const spec = fmt.slice(i + 1, close);
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(spec);
      if (!m) throw formatError();
      const idx = Number(m[1]);
      if (idx >= args.length) throw formatError('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      let s = formatAny(args[idx], m[3] ?? null);
      if (m[2]) {
        const w = Number(m[2]);
        s = w < 0 ? s.padEnd(-w) : s.padStart(w);
      }
      out += s;
      i = close;
    } else if (c === '}') {
      if (fmt[i + 1] === '}') {
        out += '}';
        i++;
        continue;
      }
      throw formatError();
    } else out += c;
  }
  return checkString(out);
}

function concatValues(vals: unknown[]): string {
  let s = '';
  for (const v of vals) s += toDotNetString(v);
  return checkString(s);
}

function joinValues(r: RunState, sep: string | null, vals: unknown): string {
  const parts: string[] = [];
  let len = 0;
  for (const v of iter(vals)) {
    tick(r);
    const s = toDotNetString(v);
    len += s.length;
    if (len > MAX_STRING_LENGTH) checkString('x'.repeat(MAX_STRING_LENGTH + 1));
    parts.push(s);
  }
  return checkString(parts.join(sep ?? ''));
}

function replaceImpl(s: string, oldValue: string, newValue: string | null, mode = 4): string {
  if (oldValue === null) throw argNull('oldValue');
  if (oldValue === '') throw argError("String cannot be of zero length. (Parameter 'oldValue')");
  const nv = newValue ?? '';
  if (!ignoreCaseMode(mode)) return checkString(s.split(oldValue).join(nv));
  const re = new RegExp(oldValue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return checkString(s.replace(re, () => nv));
}

export const Ref0 = (): Ref => ({ v: null });

// ---------------------------------------------------------------- object

objectDef
  .method('string ToString()', (v: unknown) => toDotNetString(v))
  .method('bool Equals(object obj)', (a: unknown, b: unknown) => dnEquals(a, b))
  .method('int GetHashCode()', (v: unknown) => dnHash(v))
  .method('static bool Equals(object a, object b)', (a: unknown, b: unknown) => (a === null || b === null ? a === b : dnEquals(a, b)))
  .method('static bool ReferenceEquals(object a, object b)', (a: unknown, b: unknown) => a === b);

exceptionDef
  .prop('string Message', (e: DotNetException) => e.message)
  .prop('string Source', () => 'Atrium')
  .prop('string StackTrace', () => null)
  .prop('Exception InnerException', () => null)
  .method('string ToString()', (e: DotNetException) => `System.${e.type}: ${e.message}`)
  .ctor('()', () => new DotNetException('Exception', 'Exception of type \'System.Exception\' was thrown.'))
  .ctor('(string message)', (m: string) => new DotNetException('Exception', m ?? ''));
for (const ex of ['ArgumentException', 'ArgumentNullException', 'ArgumentOutOfRangeException', 'InvalidOperationException', 'FormatException', 'NotSupportedException', 'NotImplementedException', 'InvalidCastException', 'KeyNotFoundException', 'OverflowException', 'NullReferenceException', 'IndexOutOfRangeException', 'DivideByZeroException', 'TimeoutException', 'UriFormatException']) {
  const d = defineType({ name: ex, ns: 'System', bases: ['Exception'], is: (v) => v instanceof DotNetException && v.type === ex });
  d.ctor('()', () => new DotNetException(ex, `Exception of type 'System.${ex}' was thrown.`)).ctor('(string message)', (m: string) => new DotNetException(ex, m ?? ''));
  if (ex === 'ArgumentException' || ex === 'ArgumentNullException' || ex === 'ArgumentOutOfRangeException')
    d.ctor('(string message, string paramName)', (m: string, p: string) => new DotNetException(ex, ex === 'ArgumentException' ? `${m} (Parameter '${p}')` : `${p ?? ''} ${m ?? ''}`.trim()));
}

// ---------------------------------------------------------------- bool

boolDef
  .method('string ToString()', (b: boolean) => (b ? 'True' : 'False'))
  .method('bool Equals(bool obj)', (a: boolean, b: boolean) => a === b)
  .method('int CompareTo(bool value)', (a: boolean, b: boolean) => (a === b ? 0 : a ? 1 : -1))
  .method('static bool Parse(string value)', (s: string) => {
    const t = requireString(s, 'value').trim().replace(/\0+$/, '');
    if (/^true$/i.test(t)) return true;
    if (/^false$/i.test(t)) return false;
    throw formatError(`String '${s}' was not recognized as a valid Boolean.`);
  })
  .method('static bool TryParse(string value, out bool result)', (s: string | null, r: Ref) => {
    const t = (s ?? '').trim();
    if (/^true$/i.test(t)) r.v = true;
    else if (/^false$/i.test(t)) r.v = false;
    else {
      r.v = false;
      return false;
    }
    return true;
  })
  .prop('static string TrueString', () => 'True', { const: 'True' })
  .prop('static string FalseString', () => 'False', { const: 'False' });

// ---------------------------------------------------------------- numbers

const RANGES: Record<string, [unknown, unknown]> = {
  sbyte: [-128, 127], byte: [0, 255], short: [-32768, 32767], ushort: [0, 65535], int: [-2147483648, 2147483647], uint: [0, 4294967295],
  long: [-(1n << 63n), (1n << 63n) - 1n], ulong: [0n, (1n << 64n) - 1n], float: [-3.4028234663852886e38, 3.4028234663852886e38],
  double: [-Number.MAX_VALUE, Number.MAX_VALUE], decimal: [Decimal.MinValue, Decimal.MaxValue],
};

function parseNumber(k: NumericKind, s: string | null, allowThousands = false): unknown {
  if (s === null || s === undefined) throw argNull('s');
  if (k === 'double' || k === 'float') {
    const d = parseDouble(s);
    return k === 'float' ? Math.fround(d) : d;
  }
  if (k === 'decimal') return parseDecimal(s);
  return parseInteger(s, k as 'int', allowThousands);
}

function parseNumberStyles(k: NumericKind, s: string | null, styles: number): unknown {
  if (s === null) throw argNull('s');
  if (styles & 0x200) {
    // AllowHexSpecifier
    const t = s.trim();
    if (!/^[0-9a-fA-F]+$/.test(t)) throw formatError(`The input string '${s}' was not in a correct format.`);
    const b = BigInt('0x' + t);
    const bits = k === 'byte' || k === 'sbyte' ? 8 : k === 'short' || k === 'ushort' ? 16 : k === 'int' || k === 'uint' ? 32 : 64;
    if (b >= 1n << BigInt(bits)) throw overflowFor(k);
    const signed = k === 'sbyte' || k === 'short' || k === 'int' || k === 'long';
    const v = signed ? BigInt.asIntN(bits, b) : b;
    return k === 'long' || k === 'ulong' ? v : Number(v);
  }
  return parseNumber(k, s, (styles & 0x40) !== 0 || k === 'double' || k === 'decimal');
}

for (const [k, def] of Object.entries(NUM_DEFS) as [NumericKind, TypeDef][]) {
  if (k === 'char') continue;
  const tn = k;
  const [min, max] = RANGES[k];
  def
    .prop(`static ${tn} MaxValue`, () => max, { const: max })
    .prop(`static ${tn} MinValue`, () => min, { const: min })
    .method('string ToString()', k === 'float' ? (v: number) => floatToString(v) : k === 'double' ? (v: number) => doubleToString(v) : (v: unknown) => toDotNetString(v))
    .method('string ToString(string format)', (v: number, f: string | null) => formatNumber(v, k as NumKind, f))
    .method('string ToString(IFormatProvider provider)', k === 'float' ? (v: number) => floatToString(v) : (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? doubleToString(v) : toDotNetString(v)))
    .method('string ToString(string format, IFormatProvider provider)', (v: number, f: string | null) => formatNumber(v, k as NumKind, f))
    .method(`static ${tn} Parse(string s)`, (s: string) => parseNumber(k, s))
    .method(`static ${tn} Parse(string s, IFormatProvider provider)`, (s: string) => parseNumber(k, s))
    .method(`static ${tn} Parse(string s, NumberStyles style)`, (s: string, st: number) => parseNumberStyles(k, s, st))
    .method(`static ${tn} Parse(string s, NumberStyles style, IFormatProvider provider)`, (s: string, st: number) => parseNumberStyles(k, s, st))
    .method(`static bool TryParse(string s, out ${tn} result)`, (s: string | null, r: Ref) => {
      try {
        if (s === null) throw formatError();
        r.v = parseNumber(k, s);
        return true;
      } catch (e) {
        if (!(e instanceof DotNetException)) throw e;
        r.v = defaultNum(k);
        return false;
      }
    })
    .method(`static bool TryParse(string s, NumberStyles style, IFormatProvider provider, out ${tn} result)`, (s: string | null, st: number, _p: unknown, r: Ref) => {
      try {
        if (s === null) throw formatError();
        r.v = parseNumberStyles(k, s, st);
        return true;
      } catch (e) {
        if (!(e instanceof DotNetException)) throw e;
        r.v = defaultNum(k);
        return false;
      }
    })
    .method(`int CompareTo(${tn} value)`, (a: unknown, b: unknown) => dnCompare(a, b))
    .method(`bool Equals(${tn} obj)`, (a: unknown, b: unknown) => dnEquals(a, b))
    .method('bool Equals(object obj)', (a: unknown, b: unknown) => dnEquals(a, b))
    .method('int GetHashCode()', (v: unknown) => dnHash(v));
  if (k === 'double' || k === 'float') {
    const fr = k === 'float' ? Math.fround : (x: number) => x;
    def
      .prop(`static ${tn} NaN`, () => NaN, { const: NaN })
      .prop(`static ${tn} PositiveInfinity`, () => Infinity, { const: Infinity })
      .prop(`static ${tn} NegativeInfinity`, () => -Infinity, { const: -Infinity })
      .prop(`static ${tn} Epsilon`, () => (k === 'float' ? 1.401298464324817e-45 : Number.MIN_VALUE), { const: k === 'float' ? 1.401298464324817e-45 : Number.MIN_VALUE })
      .method(`static bool IsNaN(${tn} d)`, (x: number) => Number.isNaN(x))
      .method(`static bool IsInfinity(${tn} d)`, (x: number) => x === Infinity || x === -Infinity)
      .method(`static bool IsPositiveInfinity(${tn} d)`, (x: number) => x === Infinity)
      .method(`static bool IsNegativeInfinity(${tn} d)`, (x: number) => x === -Infinity)
      .method(`static bool IsFinite(${tn} d)`, (x: number) => Number.isFinite(x));
    void fr;
  }
  if (k === 'decimal') {
    def
      .prop('static decimal Zero', () => Decimal.Zero, { const: Decimal.Zero })
      .prop('static decimal One', () => Decimal.One, { const: Decimal.One })
      .prop('static decimal MinusOne', () => Decimal.MinusOne, { const: Decimal.MinusOne })
      .method('static decimal Round(decimal d)', (d: Decimal) => d.round(0))
      .method('static decimal Round(decimal d, int decimals)', (d: Decimal, n: number) => d.round(n))
      .method('static decimal Round(decimal d, int decimals, MidpointRounding mode)', (d: Decimal, n: number, m: number) => d.round(n, roundMode(m)))
      .method('static decimal Floor(decimal d)', (d: Decimal) => d.round(0, 'floor'))
      .method('static decimal Ceiling(decimal d)', (d: Decimal) => d.round(0, 'ceiling'))
      .method('static decimal Truncate(decimal d)', (d: Decimal) => d.round(0, 'zero'))
      .method('static decimal Add(decimal a, decimal b)', (a: Decimal, b: Decimal) => a.add(b))
      .method('static decimal Subtract(decimal a, decimal b)', (a: Decimal, b: Decimal) => a.sub(b))
      .method('static decimal Multiply(decimal a, decimal b)', (a: Decimal, b: Decimal) => a.mul(b))
      .method('static decimal Divide(decimal a, decimal b)', (a: Decimal, b: Decimal) => a.div(b))
      .method('static decimal Remainder(decimal a, decimal b)', (a: Decimal, b: Decimal) => a.mod(b))
      .method('static decimal Negate(decimal d)', (a: Decimal) => a.neg())
      .method('static int Compare(decimal a, decimal b)', (a: Decimal, b: Decimal) => a.cmp(b))
      .method('static double ToDouble(decimal d)', (a: Decimal) => a.toNumber())
      .method('static int ToInt32(decimal d)', (a: Decimal) => numericConversion('decimal', 'int', true)!(a))
      .method('static long ToInt64(decimal d)', (a: Decimal) => numericConversion('decimal', 'long', true)!(a))
      .ctor('(int value)', (v: number) => Decimal.fromInt(v))
      .ctor('(long value)', (v: bigint) => Decimal.fromInt(v))
      .ctor('(double value)', (v: number) => Decimal.fromDouble(v));
  }
}

function defaultNum(k: NumericKind): unknown {
  if (k === 'decimal') return Decimal.Zero;
  if (k === 'long' || k === 'ulong') return 0n;
  return 0;
}

function roundMode(m: number): 'even' | 'away' | 'zero' | 'floor' | 'ceiling' {
  return (['even', 'away', 'zero', 'floor', 'ceiling'] as const)[m] ?? 'even';
}

defineType({ name: 'IFormatProvider', ns: 'System', kind: 'interface', is: (v) => v instanceof CultureInfo });
class CultureInfo {
  static readonly clrName = 'System.Globalization.CultureInfo';
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return this.name;
  }
}
const INVARIANT = new CultureInfo('');
defineType({ name: 'CultureInfo', ns: 'System.Globalization', bases: ['IFormatProvider'], is: (v) => v instanceof CultureInfo })
  .prop('static CultureInfo InvariantCulture', () => INVARIANT)
  .prop('static CultureInfo CurrentCulture', () => INVARIANT)
  .prop('string Name', (c: CultureInfo) => c.name)
  .ctor('(string name)', (n: string) => {
    if (n !== '' && !/^en(-US)?$/i.test(n)) throw new DotNetException('CultureNotFoundException', `Culture '${n}' is not supported in policy expressions; use CultureInfo.InvariantCulture.`);
    return new CultureInfo(n);
  });
defineType({ name: 'NumberStyles', ns: 'System.Globalization', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({
  None: 0, AllowLeadingWhite: 1, AllowTrailingWhite: 2, AllowLeadingSign: 4, AllowTrailingSign: 8, AllowParentheses: 16, AllowDecimalPoint: 32,
  AllowThousands: 64, AllowExponent: 128, AllowCurrencySymbol: 256, AllowHexSpecifier: 512, Integer: 7, HexNumber: 515, Number: 111, Float: 167, Currency: 383, Any: 511,
});
defineType({ name: 'MidpointRounding', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ ToEven: 0, AwayFromZero: 1, ToZero: 2, ToNegativeInfinity: 3, ToPositiveInfinity: 4 });
defineType({ name: 'StringComparison', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({
  CurrentCulture: 0, CurrentCultureIgnoreCase: 1, InvariantCulture: 2, InvariantCultureIgnoreCase: 3, Ordinal: 4, OrdinalIgnoreCase: 5,
});
defineType({ name: 'StringSplitOptions', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ None: 0, RemoveEmptyEntries: 1, TrimEntries: 2 });

// ---------------------------------------------------------------- char

charDef
  .prop('static char MaxValue', () => CsChar.of(0xffff), { const: CsChar.of(0xffff) })
  .prop('static char MinValue', () => CsChar.of(0), { const: CsChar.of(0) })
  .method('string ToString()', (c: CsChar) => c.str)
  .method('static string ToString(char c)', (c: CsChar) => c.str)
  .method('bool Equals(char obj)', (a: CsChar, b: CsChar) => a === b)
  .method('int CompareTo(char value)', (a: CsChar, b: CsChar) => a.code - b.code)
  .method('static char Parse(string s)', (s: string) => {
    if (requireString(s, 's').length !== 1) throw formatError('String must be exactly one character long.');
    return CsChar.of(s.charCodeAt(0));
  })
  .method('static bool TryParse(string s, out char result)', (s: string | null, r: Ref) => {
    if (s === null || s.length !== 1) {
      r.v = CsChar.of(0);
      return false;
    }
    r.v = CsChar.of(s.charCodeAt(0));
    return true;
  })
  .method('static char ToUpper(char c)', (c: CsChar) => CsChar.of(upperChar(c.code)))
  .method('static char ToLower(char c)', (c: CsChar) => CsChar.of(lowerChar(c.code)))
  .method('static char ToUpperInvariant(char c)', (c: CsChar) => CsChar.of(upperChar(c.code)))
  .method('static char ToLowerInvariant(char c)', (c: CsChar) => CsChar.of(lowerChar(c.code)))
  .method('static double GetNumericValue(char c)', (c: CsChar) => (c.code >= 48 && c.code <= 57 ? c.code - 48 : -1))
  .method('static bool IsAscii(char c)', (c: CsChar) => c.code < 128);
for (const [name, f] of Object.entries({
  IsDigit: charIs.digit, IsLetter: charIs.letter, IsLetterOrDigit: charIs.letterOrDigit, IsWhiteSpace: charIs.whiteSpace, IsUpper: charIs.upper,
  IsLower: charIs.lower, IsPunctuation: charIs.punctuation, IsSymbol: charIs.symbol, IsControl: charIs.control, IsNumber: charIs.number,
  IsSeparator: charIs.separator, IsSurrogate: charIs.surrogate, IsHighSurrogate: charIs.highSurrogate, IsLowSurrogate: charIs.lowSurrogate,
})) {
  charDef.method(`static bool ${name}(char c)`, f);
  charDef.method(`static bool ${name}(string s, int index)`, (s: string, i: number) => {
    requireString(s, 's');
    if (i < 0 || i >= s.length) throw argOutOfRange('index');
    return f(CsChar.of(s.charCodeAt(i)));
  });
}

// ---------------------------------------------------------------- string

stringDef
  .prop('static string Empty', () => '', { const: '' })
  .prop('int Length', (s: string) => s.length)
  .indexer('char this[int index]', (s: string, i: number) => {
    if (i < 0 || i >= s.length) throw argOutOfRange('index', 'Index was outside the bounds of the array.');
    return CsChar.of(s.charCodeAt(i));
  })
  .ctor('(char c, int count)', (c: CsChar, n: number) => {
    if (n < 0) throw argOutOfRange('count', 'Count cannot be less than zero.');
    return checkString(n > MAX_STRING_LENGTH ? 'x'.repeat(MAX_STRING_LENGTH + 1) : c.str.repeat(n));
  })
  .ctor('(char[] value)', (a: CsChar[] | null) => charsOf(a))
  .ctor('(char[] value, int startIndex, int length)', (a: CsChar[], s: number, l: number) => charsOf(a.slice(s, s + l)))
  .method('string ToString()', (s: string) => s)
  .method('string ToString(IFormatProvider provider)', (s: string) => s)
  .method('object Clone()', (s: string) => s)
  .method('string Substring(int startIndex)', (s: string, a: number) => {
    checkRange(s, a, 0);
    return s.slice(a);
  })
  .method('string Substring(int startIndex, int length)', (s: string, a: number, l: number) => {
    checkRange(s, a, l);
    return s.substr(a, l);
  })
  .method('int IndexOf(char value)', (s: string, c: CsChar) => s.indexOf(c.str))
  .method('int IndexOf(char value, int startIndex)', (s: string, c: CsChar, i: number) => {
    checkRange(s, i, 0);
    return s.indexOf(c.str, i);
  })
  .method('int IndexOf(char value, StringComparison comparisonType)', (s: string, c: CsChar, m: number) => indexOfMode(s, c.str, 0, m))
  .method('int IndexOf(string value)', (s: string, v: string) => s.indexOf(requireString(v, 'value')))
  .method('int IndexOf(string value, int startIndex)', (s: string, v: string, i: number) => {
    checkRange(s, i, 0);
    return s.indexOf(requireString(v, 'value'), i);
  })
  .method('int IndexOf(string value, int startIndex, int count)', (s: string, v: string, i: number, n: number) => {
    checkRange(s, i, n);
    const r = s.slice(0, i + n).indexOf(requireString(v, 'value'), i);
    return r;
  })
  .method('int IndexOf(string value, StringComparison comparisonType)', (s: string, v: string, m: number) => indexOfMode(s, requireString(v, 'value'), 0, m))
  .method('int IndexOf(string value, int startIndex, StringComparison comparisonType)', (s: string, v: string, i: number, m: number) => indexOfMode(s, requireString(v, 'value'), i, m))
  .method('int LastIndexOf(char value)', (s: string, c: CsChar) => s.lastIndexOf(c.str))
  .method('int LastIndexOf(string value)', (s: string, v: string) => (requireString(v, 'value') === '' ? Math.max(0, s.length - 1) : s.lastIndexOf(v)))
  .method('int LastIndexOf(char value, int startIndex)', (s: string, c: CsChar, i: number) => s.lastIndexOf(c.str, i))
  .method('int LastIndexOf(string value, StringComparison comparisonType)', (s: string, v: string, m: number) => (ignoreCaseMode(m) ? s.toUpperCase().lastIndexOf(v.toUpperCase()) : s.lastIndexOf(v)))
  .method('int IndexOfAny(char[] anyOf)', (s: string, cs: CsChar[]) => {
    for (let i = 0; i < s.length; i++) if (cs.some((c) => c.code === s.charCodeAt(i))) return i;
    return -1;
  })
  .method('int LastIndexOfAny(char[] anyOf)', (s: string, cs: CsChar[]) => {
    for (let i = s.length - 1; i >= 0; i--) if (cs.some((c) => c.code === s.charCodeAt(i))) return i;
    return -1;
  })
  .method('bool Contains(string value)', (s: string, v: string) => s.includes(requireString(v, 'value')))
  .method('bool Contains(char value)', (s: string, c: CsChar) => s.includes(c.str))
  .method('bool Contains(string value, StringComparison comparisonType)', (s: string, v: string, m: number) => indexOfMode(s, requireString(v, 'value'), 0, m) >= 0)
  .method('bool StartsWith(string value)', (s: string, v: string) => s.startsWith(requireString(v, 'value')))
  .method('bool StartsWith(char value)', (s: string, c: CsChar) => s.startsWith(c.str))
  .method('bool StartsWith(string value, StringComparison comparisonType)', (s: string, v: string, m: number) => (ignoreCaseMode(m) ? s.toUpperCase().startsWith(requireString(v, 'value').toUpperCase()) : s.startsWith(requireString(v, 'value'))))
  .method('bool StartsWith(string value, bool ignoreCase, CultureInfo culture)', (s: string, v: string, ic: boolean) => (ic ? s.toUpperCase().startsWith(v.toUpperCase()) : s.startsWith(v)))
  .method('bool EndsWith(string value)', (s: string, v: string) => s.endsWith(requireString(v, 'value')))
  .method('bool EndsWith(char value)', (s: string, c: CsChar) => s.endsWith(c.str))
  .method('bool EndsWith(string value, StringComparison comparisonType)', (s: string, v: string, m: number) => (ignoreCaseMode(m) ? s.toUpperCase().endsWith(requireString(v, 'value').toUpperCase()) : s.endsWith(requireString(v, 'value'))))
  .method('string Replace(string oldValue, string newValue)', (s: string, a: string, b: string | null) => replaceImpl(s, a, b))
  .method('string Replace(string oldValue, string newValue, StringComparison comparisonType)', (s: string, a: string, b: string | null, m: number) => replaceImpl(s, a, b, m))
  .method('string Replace(char oldChar, char newChar)', (s: string, a: CsChar, b: CsChar) => s.split(a.str).join(b.str))
  .method('string[] Split(params char[] separator)', (s: string, seps: CsChar[] | null) => splitImpl(s, (seps ?? []).map((c) => c.str), 2147483647, 0))
  .method('string[] Split(char separator, StringSplitOptions options = 0)', (s: string, c: CsChar, o: number) => splitImpl(s, [c.str], 2147483647, o))
  .method('string[] Split(char separator, int count, StringSplitOptions options = 0)', (s: string, c: CsChar, n: number, o: number) => splitImpl(s, [c.str], n, o))
  .method('string[] Split(char[] separator, int count)', (s: string, cs: CsChar[] | null, n: number) => splitImpl(s, (cs ?? []).map((c) => c.str), n, 0))
  .method('string[] Split(char[] separator, StringSplitOptions options)', (s: string, cs: CsChar[] | null, o: number) => splitImpl(s, (cs ?? []).map((c) => c.str), 2147483647, o))
  .method('string[] Split(char[] separator, int count, StringSplitOptions options)', (s: string, cs: CsChar[] | null, n: number, o: number) => splitImpl(s, (cs ?? []).map((c) => c.str), n, o))
  .method('string[] Split(string separator, StringSplitOptions options = 0)', (s: string, sep: string | null, o: number) => splitImpl(s, [sep ?? ''], 2147483647, o))
  .method('string[] Split(string separator, int count, StringSplitOptions options = 0)', (s: string, sep: string | null, n: number, o: number) => splitImpl(s, [sep ?? ''], n, o))
  .method('string[] Split(string[] separator, StringSplitOptions options)', (s: string, seps: string[] | null, o: number) => splitImpl(s, (seps ?? []).filter((x) => x), 2147483647, o))
  .method('string[] Split(string[] separator, int count, StringSplitOptions options)', (s: string, seps: string[] | null, n: number, o: number) => splitImpl(s, (seps ?? []).filter((x) => x), n, o))
  .method('string ToUpper()', (s: string) => toUpperInvariant(s))
  .method('string ToLower()', (s: string) => toLowerInvariant(s))
  .method('string ToUpper(CultureInfo culture)', (s: string) => toUpperInvariant(s))
  .method('string ToLower(CultureInfo culture)', (s: string) => toLowerInvariant(s))
  .method('string ToUpperInvariant()', (s: string) => toUpperInvariant(s))
  .method('string ToLowerInvariant()', (s: string) => toLowerInvariant(s))
  .method('string Trim()', (s: string) => trimChars(s, null, true, true))
  .method('string Trim(params char[] trimChars)', (s: string, cs: CsChar[] | null) => trimChars(s, charsOf(cs), true, true))
  .method('string Trim(char trimChar)', (s: string, c: CsChar) => trimChars(s, c.str, true, true))
  .method('string TrimStart()', (s: string) => trimChars(s, null, true, false))
  .method('string TrimStart(params char[] trimChars)', (s: string, cs: CsChar[] | null) => trimChars(s, charsOf(cs), true, false))
  .method('string TrimStart(char trimChar)', (s: string, c: CsChar) => trimChars(s, c.str, true, false))
  .method('string TrimEnd()', (s: string) => trimChars(s, null, false, true))
  .method('string TrimEnd(params char[] trimChars)', (s: string, cs: CsChar[] | null) => trimChars(s, charsOf(cs), false, true))
  .method('string TrimEnd(char trimChar)', (s: string, c: CsChar) => trimChars(s, c.str, false, true))
  .method('string PadLeft(int totalWidth)', (s: string, n: number) => pad(s, n, ' ', true))
  .method('string PadLeft(int totalWidth, char paddingChar)', (s: string, n: number, c: CsChar) => pad(s, n, c.str, true))
  .method('string PadRight(int totalWidth)', (s: string, n: number) => pad(s, n, ' ', false))
  .method('string PadRight(int totalWidth, char paddingChar)', (s: string, n: number, c: CsChar) => pad(s, n, c.str, false))
  .method('string Insert(int startIndex, string value)', (s: string, i: number, v: string) => {
    checkRange(s, i, 0);
    return checkString(s.slice(0, i) + requireString(v, 'value') + s.slice(i));
  })
  .method('string Remove(int startIndex)', (s: string, i: number) => {
    if (i < 0 || i >= s.length + (s.length === 0 ? 1 : 0)) throw argOutOfRange('startIndex', 'startIndex must be less than length of string.');
    return s.slice(0, i);
  })
  .method('string Remove(int startIndex, int count)', (s: string, i: number, n: number) => {
    checkRange(s, i, n);
    return s.slice(0, i) + s.slice(i + n);
  })
  .method('bool Equals(string value)', (s: string, v: string | null) => s === v)
  .method('bool Equals(string value, StringComparison comparisonType)', (s: string, v: string | null, m: number) => strEquals(s, v, m))
  .method('static bool Equals(string a, string b)', (a: string | null, b: string | null) => a === b)
  .method('static bool Equals(string a, string b, StringComparison comparisonType)', (a: string | null, b: string | null, m: number) => strEquals(a, b, m))
  .method('int CompareTo(string strB)', (a: string, b: string | null) => strCompare(a, b, 0))
  .method('static int Compare(string strA, string strB)', (a: string | null, b: string | null) => strCompare(a, b, 0))
  .method('static int Compare(string strA, string strB, bool ignoreCase)', (a: string | null, b: string | null, ic: boolean) => strCompare(a, b, ic ? 1 : 0))
  .method('static int Compare(string strA, string strB, StringComparison comparisonType)', (a: string | null, b: string | null, m: number) => strCompare(a, b, m))
  .method('static int CompareOrdinal(string strA, string strB)', (a: string | null, b: string | null) => (a === null || b === null ? strCompare(a, b, 4) : ordinalDiff(a, b)))
  .method('char[] ToCharArray()', (s: string) => tagArray([...Array(s.length).keys()].map((i) => CsChar.of(s.charCodeAt(i))), 'System.Char'))
  .method('string Normalize()', (s: string) => s.normalize('NFC'))
  .method('int GetHashCode()', (s: string) => dnHash(s))
  .method('static bool IsNullOrEmpty(string value)', (s: string | null) => s === null || s === '')
  .method('static bool IsNullOrWhiteSpace(string value)', (s: string | null) => s === null || trimChars(s, null, true, true) === '')
  .method('static string Join(string separator, params string[] value)', (r: RunState, sep: string | null, v: string[] | null) => joinValues(r, sep, requireArg(v, 'value')), { run: true })
  .method('static string Join(string separator, params object[] values)', (r: RunState, sep: string | null, v: unknown[] | null) => joinValues(r, sep, requireArg(v, 'values')), { run: true })
  .method('static string Join<T>(string separator, IEnumerable<T> values)', (r: RunState, sep: string | null, v: unknown) => joinValues(r, sep, requireArg(v, 'values')), { run: true })
  .method('static string Join(char separator, params string[] value)', (r: RunState, sep: CsChar, v: string[] | null) => joinValues(r, sep.str, requireArg(v, 'value')), { run: true })
  .method('static string Join(char separator, params object[] values)', (r: RunState, sep: CsChar, v: unknown[] | null) => joinValues(r, sep.str, requireArg(v, 'values')), { run: true })
  .method('static string Concat(params string[] values)', (v: string[]) => concatValues(requireArg(v, 'values')))
  .method('static string Concat(params object[] args)', (v: unknown[]) => concatValues(requireArg(v, 'args')))
  .method('static string Concat<T>(IEnumerable<T> values)', (r: RunState, v: unknown) => joinValues(r, '', requireArg(v, 'values')), { run: true })
  .method('static string Concat(IEnumerable<string> values)', (r: RunState, v: unknown) => joinValues(r, '', requireArg(v, 'values')), { run: true })
  .method('static string Format(string format, params object[] args)', (f: string, a: unknown[]) => compositeFormat(f, requireArg(a, 'args')))
  .method('static string Format(IFormatProvider provider, string format, params object[] args)', (_p: unknown, f: string, a: unknown[]) => compositeFormat(f, requireArg(a, 'args')))
  .method('static string Copy(string str)', (s: string) => requireString(s, 'str'));

function ordinalDiff(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d) return d;
  }
  return a.length - b.length;
}

function requireArg<T>(v: T | null | undefined, name: string): T {
  if (v === null || v === undefined) throw argNull(name);
  return v;
}

function pad(s: string, n: number, c: string, left: boolean): string {
  if (n < 0) throw argOutOfRange('totalWidth', 'Non-negative number required.');
  if (n > MAX_STRING_LENGTH) checkString('x'.repeat(MAX_STRING_LENGTH + 1));
  return left ? s.padStart(n, c) : s.padEnd(n, c);
}

// ---------------------------------------------------------------- Math

const mathDef = defineType({ name: 'Math', ns: 'System', kind: 'static' });
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}
function roundDigits(x: number, d: number, mode: number): number {
  if (d < 0 || d > 15) throw argOutOfRange('digits', 'Rounding digits must be between 0 and 15, inclusive.');
  if (!Number.isFinite(x)) return x;
  const p = 10 ** d;
  const y = x * p;
  let r: number;
  switch (mode) {
    case 1:
      r = Math.sign(y) * Math.round(Math.abs(y));
      break;
    case 2:
      r = Math.trunc(y);
      break;
    case 3:
      r = Math.floor(y);
      break;
    case 4:
      r = Math.ceil(y);
      break;
    default:
      r = roundHalfEven(y);
  }
  const out = r / p;
  return Number.isFinite(out) ? out : x;
}
mathDef
  .prop('static double PI', () => Math.PI, { const: Math.PI })
  .prop('static double E', () => Math.E, { const: Math.E })
  .method('static double Floor(double d)', Math.floor)
  .method('static decimal Floor(decimal d)', (d: Decimal) => d.round(0, 'floor'))
  .method('static double Ceiling(double a)', Math.ceil)
  .method('static decimal Ceiling(decimal d)', (d: Decimal) => d.round(0, 'ceiling'))
  .method('static double Truncate(double d)', Math.trunc)
  .method('static decimal Truncate(decimal d)', (d: Decimal) => d.round(0, 'zero'))
  .method('static double Round(double a)', roundHalfEven)
  .method('static double Round(double value, int digits)', (x: number, d: number) => roundDigits(x, d, 0))
  .method('static double Round(double value, MidpointRounding mode)', (x: number, m: number) => roundDigits(x, 0, m))
  .method('static double Round(double value, int digits, MidpointRounding mode)', (x: number, d: number, m: number) => roundDigits(x, d, m))
  .method('static decimal Round(decimal d)', (d: Decimal) => d.round(0))
  .method('static decimal Round(decimal d, int decimals)', (d: Decimal, n: number) => d.round(n))
  .method('static decimal Round(decimal d, MidpointRounding mode)', (d: Decimal, m: number) => d.round(0, roundMode(m)))
  .method('static decimal Round(decimal d, int decimals, MidpointRounding mode)', (d: Decimal, n: number, m: number) => d.round(n, roundMode(m)))
  .method('static double Sqrt(double d)', Math.sqrt)
  .method('static double Pow(double x, double y)', (x: number, y: number) => (x === 1 || (y === 0) ? 1 : Math.pow(x, y)))
  .method('static double Exp(double d)', Math.exp)
  .method('static double Log(double d)', Math.log)
  .method('static double Log(double a, double newBase)', (a: number, b: number) => Math.log(a) / Math.log(b))
  .method('static double Log10(double d)', Math.log10)
  .method('static double Log2(double d)', Math.log2)
  .method('static double Sin(double a)', Math.sin)
  .method('static double Cos(double a)', Math.cos)
  .method('static double Tan(double a)', Math.tan)
  .method('static double Asin(double a)', Math.asin)
  .method('static double Acos(double a)', Math.acos)
  .method('static double Atan(double a)', Math.atan)
  .method('static double Atan2(double y, double x)', Math.atan2)
  .method('static double Sinh(double a)', Math.sinh)
  .method('static double Cosh(double a)', Math.cosh)
  .method('static double Tanh(double a)', Math.tanh)
  .method('static double Cbrt(double a)', Math.cbrt);
for (const k of ['int', 'long', 'double', 'decimal', 'float', 'short', 'sbyte', 'byte', 'uint', 'ulong', 'ushort'] as NumericKind[]) {
  const lt = (a: unknown, b: unknown): boolean => dnCompare(a, b) < 0;
  mathDef
    .method(`static ${k} Max(${k} a, ${k} b)`, (a: unknown, b: unknown) => (typeof a === 'number' && Number.isNaN(a) ? a : typeof b === 'number' && Number.isNaN(b) ? b : lt(a, b) ? b : a))
    .method(`static ${k} Min(${k} a, ${k} b)`, (a: unknown, b: unknown) => (typeof a === 'number' && Number.isNaN(a) ? a : typeof b === 'number' && Number.isNaN(b) ? b : lt(b, a) ? b : a))
    .method(`static ${k} Clamp(${k} value, ${k} min, ${k} max)`, (v: unknown, lo: unknown, hi: unknown) => {
      if (dnCompare(lo, hi) > 0) throw argError(`'${toDotNetString(lo)}' cannot be greater than ${toDotNetString(hi)}.`);
      return dnCompare(v, lo) < 0 ? lo : dnCompare(v, hi) > 0 ? hi : v;
    });
  if (k === 'byte' || k === 'ushort' || k === 'uint' || k === 'ulong') continue;
  mathDef
    .method(`static ${k} Abs(${k} value)`, (v: unknown) => {
      if (v instanceof Decimal) return v.abs();
      if (typeof v === 'bigint') {
        if (v === -(1n << 63n)) throw overflow('Negating the minimum value of a twos complement number is invalid.');
        return v < 0n ? -v : v;
      }
      const n = v as number;
      if ((k === 'int' && n === -2147483648) || (k === 'short' && n === -32768) || (k === 'sbyte' && n === -128)) throw overflow('Negating the minimum value of a twos complement number is invalid.');
      return Math.abs(n);
    })
    .method(`static int Sign(${k} value)`, (v: unknown) => {
      if (v instanceof Decimal) return v.sign();
      if (typeof v === 'bigint') return v > 0n ? 1 : v < 0n ? -1 : 0;
      if (Number.isNaN(v)) throw new DotNetException('ArithmeticException', 'Function does not accept floating point Not-a-Number values.');
      return Math.sign(v as number) | 0;
    });
}

// ---------------------------------------------------------------- Convert

const convertDef = defineType({ name: 'Convert', ns: 'System', kind: 'static' });

function toIntegral(k: NumericKind, v: unknown): unknown {
  v = unbox(v);
  if (v === null || v === undefined) return k === 'long' || k === 'ulong' ? 0n : 0;
  if (typeof v === 'string') return parseNumber(k, v);
  if (typeof v === 'boolean') return k === 'long' || k === 'ulong' ? BigInt(v ? 1 : 0) : v ? 1 : 0;
  if (v instanceof CsChar) return numericConversion('char', k, true)!(v);
  if (v instanceof Decimal) {
    const r = v.round(0, 'even');
    return numericConversion('decimal', k, true)!(r);
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      const r = roundHalfEven(v);
      if (Number.isNaN(v)) throw overflowFor(k);
      return checkedFit(k, r);
    }
    return checkedFit(k, v);
  }
  if (typeof v === 'bigint') return checkedFit(k, v);
  throw new DotNetException('InvalidCastException', `Unable to cast object of type '${typeof v}' to type 'System.IConvertible'.`);
}

function checkedFit(k: NumericKind, v: number | bigint): unknown {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  const [lo, hi] = RANGES[k] as [number | bigint, number | bigint];
  if (b < BigInt(lo) || b > BigInt(hi)) throw overflowFor(k);
  return k === 'long' || k === 'ulong' ? b : Number(b);
}

function toDoubleAny(v: unknown): number {
  v = unbox(v);
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return parseDouble(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Decimal) return v.toNumber();
  throw new DotNetException('InvalidCastException', 'Invalid cast to System.Double.');
}

function toDecimalAny(v: unknown): Decimal {
  v = unbox(v);
  if (v === null || v === undefined) return Decimal.Zero;
  if (typeof v === 'string') return parseDecimal(v);
  if (typeof v === 'number') return Number.isInteger(v) ? Decimal.fromInt(v) : Decimal.fromDouble(v);
  if (typeof v === 'bigint') return Decimal.fromInt(v);
  if (typeof v === 'boolean') return v ? Decimal.One : Decimal.Zero;
  if (v instanceof Decimal) return v;
  throw new DotNetException('InvalidCastException', 'Invalid cast to System.Decimal.');
}

function toBoolAny(v: unknown): boolean {
  v = unbox(v);
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^true$/i.test(t)) return true;
    if (/^false$/i.test(t)) return false;
    throw formatError(`String '${v}' was not recognized as a valid Boolean.`);
  }
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof Decimal) return !v.isZero();
  throw new DotNetException('InvalidCastException', 'Invalid cast to System.Boolean.');
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
export function fromBase64(s: string | null): Uint8Array {
  if (s === null) throw argNull('s');
  const t = s.replace(/[ \t\r\n]/g, '');
  if (t.length % 4 !== 0 || !BASE64_RE.test(t)) throw formatError('The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.');
  return new Uint8Array(Buffer.from(t, 'base64'));
}
export function toBase64(b: Uint8Array | null, offset = 0, length?: number, lineBreaks = false): string {
  if (b === null) throw argNull('inArray');
  const len = length ?? b.length - offset;
  if (offset < 0 || len < 0 || offset + len > b.length) throw argOutOfRange('offset', 'Offset and length must refer to a position in the string.');
  let s = Buffer.from(b.buffer, b.byteOffset + offset, len).toString('base64');
  if (lineBreaks) s = s.replace(/(.{76})(?=.)/g, '$1\r\n');
  return checkString(s);
}

function convertToString(v: unknown, base?: number): string | null {
  if (base !== undefined) {
    if (![2, 8, 10, 16].includes(base)) throw argError('Invalid Base.');
    let b = typeof v === 'bigint' ? v : BigInt(v as number);
    if (b < 0n && base !== 10) b = BigInt.asUintN(typeof v === 'bigint' ? 64 : 32, b);
    return b.toString(base);
  }
  if (v === null || v === undefined) return '';
  return toDotNetString(v);
}

convertDef
  .method('static string ToBase64String(byte[] inArray)', (b: Uint8Array) => toBase64(b))
  .method('static string ToBase64String(byte[] inArray, Base64FormattingOptions options)', (b: Uint8Array, o: number) => toBase64(b, 0, undefined, o === 1))
  .method('static string ToBase64String(byte[] inArray, int offset, int length)', (b: Uint8Array, o: number, l: number) => toBase64(b, o, l))
  .method('static byte[] FromBase64String(string s)', fromBase64)
  .method('static string ToHexString(byte[] inArray)', (b: Uint8Array) => Buffer.from(requireArg(b, 'inArray')).toString('hex').toUpperCase())
  .method('static string ToHexStringLower(byte[] inArray)', (b: Uint8Array) => Buffer.from(requireArg(b, 'inArray')).toString('hex'))
  .method('static byte[] FromHexString(string s)', (s: string) => {
    if (!/^([0-9a-fA-F]{2})*$/.test(requireString(s, 's'))) throw formatError('The input is not a valid hex string as it contains a non-hex character.');
    return new Uint8Array(Buffer.from(s, 'hex'));
  })
  .method('static string ToString(object value)', (v: unknown) => convertToString(v))
  .method('static string ToString(object value, IFormatProvider provider)', (v: unknown) => convertToString(v))
  .method('static string ToString(int value, int toBase)', (v: number, b: number) => convertToString(v, b))
  .method('static string ToString(long value, int toBase)', (v: bigint, b: number) => convertToString(v, b))
  .method('static string ToString(byte value, int toBase)', (v: number, b: number) => convertToString(v, b))
  .method('static string ToString(bool value)', (v: boolean) => (v ? 'True' : 'False'))
  .method('static string ToString(double value)', (v: number) => doubleToString(v))
  .method('static int ToInt32(string value, int fromBase)', (s: string, b: number) => fromBaseString(s, b, 32))
  .method('static long ToInt64(string value, int fromBase)', (s: string, b: number) => BigInt.asIntN(64, BigInt(fromBaseStringBig(s, b, 64))))
  .method('static byte ToByte(string value, int fromBase)', (s: string, b: number) => {
    const v = fromBaseStringBig(s, b, 8);
    return Number(v);
  })
  .method('static double ToDouble(object value)', toDoubleAny)
  .method('static double ToDouble(object value, IFormatProvider provider)', toDoubleAny)
  .method('static decimal ToDecimal(object value)', toDecimalAny)
  .method('static decimal ToDecimal(object value, IFormatProvider provider)', toDecimalAny)
  .method('static bool ToBoolean(object value)', toBoolAny)
  .method('static char ToChar(object value)', (v: unknown) => {
    if (v instanceof CsChar) return v;
    if (typeof v === 'string') {
      if (v.length !== 1) throw formatError('String must be exactly one character long.');
      return CsChar.of(v.charCodeAt(0));
    }
    return CsChar.of(toIntegral('ushort', v) as number);
  })
  .method('static DateTime ToDateTime(object value)', (v: unknown) => {
    if (v === null) return DateTime.MinValue;
    if (v instanceof DateTime) return v;
    if (typeof v === 'string') return parseDateTimeLazy(v);
    throw new DotNetException('InvalidCastException', 'Invalid cast to System.DateTime.');
  });
for (const [name, k] of [['ToInt32', 'int'], ['ToInt64', 'long'], ['ToInt16', 'short'], ['ToByte', 'byte'], ['ToSByte', 'sbyte'], ['ToUInt16', 'ushort'], ['ToUInt32', 'uint'], ['ToUInt64', 'ulong']] as [string, NumericKind][]) {
  convertDef.method(`static ${k} ${name}(object value)`, (v: unknown) => toIntegral(k, v));
  convertDef.method(`static ${k} ${name}(object value, IFormatProvider provider)`, (v: unknown) => toIntegral(k, v));
}
convertDef.method('static float ToSingle(object value)', (v: unknown) => Math.fround(toDoubleAny(v)));
defineType({ name: 'Base64FormattingOptions', ns: 'System', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers({ None: 0, InsertLineBreaks: 1 });

let parseDateTimeLazy: (s: string) => DateTime = () => DateTime.MinValue;
export function setDateParser(f: (s: string) => DateTime): void {
  parseDateTimeLazy = f;
}

function fromBaseStringBig(s: string, base: number, bits: number): bigint {
  if (![2, 8, 10, 16].includes(base)) throw argError('Invalid Base.');
  let t = requireString(s, 'value').trim();
  if (base === 16) t = t.replace(/^0x/i, '');
  const neg = base === 10 && t.startsWith('-');
  if (neg) t = t.slice(1);
  const re = base === 2 ? /^[01]+$/ : base === 8 ? /^[0-7]+$/ : base === 10 ? /^\d+$/ : /^[0-9a-fA-F]+$/;
  if (!re.test(t)) throw formatError('Could not find any recognizable digits.');
  let b = [...t].reduce((acc, c) => acc * BigInt(base) + BigInt(parseInt(c, base)), 0n);
  if (neg) b = -b;
  if (base !== 10 && b >= 1n << BigInt(bits)) throw overflowFor(bits === 32 ? 'int' : bits === 8 ? 'byte' : 'long');
  return b;
}
function fromBaseString(s: string, base: number, bits: number): number {
  const b = fromBaseStringBig(s, base, bits);
  if (base === 10 && (b < -2147483648n || b > 2147483647n)) throw overflowFor('int');
  return Number(BigInt.asIntN(32, b));
}

// ---------------------------------------------------------------- collections

const kvpDef = defineType({ name: 'KeyValuePair', ns: 'System.Collections.Generic', kind: 'struct', typeParams: ['TKey', 'TValue'], is: (v) => v instanceof KeyValuePair });
kvpDef.prop('TKey Key', (p: KeyValuePair) => p.key).prop('TValue Value', (p: KeyValuePair) => p.value).ctor('(TKey key, TValue value)', (k: unknown, v: unknown) => new KeyValuePair(k, v));

const icomparerDef = defineType({ name: 'IEqualityComparer', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], is: (v) => v === DEFAULT_COMPARER || v === ORDINAL_IGNORE_CASE });
void icomparerDef;
const ORDINAL_CMP: KeyComparer & { cmp: (a: unknown, b: unknown) => number } = { key: (k) => k, cmp: (a, b) => strCompare(a as string, b as string, 4) };
const IGNORE_CASE_CMP = Object.assign(ORDINAL_IGNORE_CASE, { cmp: (a: unknown, b: unknown) => strCompare(a as string, b as string, 5) });
const CULTURE_CMP: KeyComparer & { cmp: (a: unknown, b: unknown) => number } = { key: (k) => k, cmp: (a, b) => strCompare(a as string, b as string, 0) };
const CULTURE_IC_CMP: KeyComparer & { cmp: (a: unknown, b: unknown) => number } = { key: (k) => (typeof k === 'string' ? k.toUpperCase() : k), cmp: (a, b) => strCompare(a as string, b as string, 1) };
const stringComparerDef = defineType({ name: 'StringComparer', ns: 'System', bases: ['IEqualityComparer<string>', 'IComparer<string>'], is: (v) => v === ORDINAL_CMP || v === IGNORE_CASE_CMP || v === CULTURE_CMP || v === CULTURE_IC_CMP });
defineType({ name: 'IComparer', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['T'], is: (v) => typeof (v as { cmp?: unknown })?.cmp === 'function' });
stringComparerDef
  .prop('static StringComparer Ordinal', () => ORDINAL_CMP)
  .prop('static StringComparer OrdinalIgnoreCase', () => IGNORE_CASE_CMP)
  .prop('static StringComparer InvariantCulture', () => CULTURE_CMP)
  .prop('static StringComparer InvariantCultureIgnoreCase', () => CULTURE_IC_CMP)
  .prop('static StringComparer CurrentCulture', () => CULTURE_CMP)
  .prop('static StringComparer CurrentCultureIgnoreCase', () => CULTURE_IC_CMP)
  .method('int Compare(string x, string y)', (c: { cmp: (a: unknown, b: unknown) => number }, a: string, b: string) => c.cmp(a, b))
  .method('bool Equals(string x, string y)', (c: KeyComparer, a: string | null, b: string | null) => (a === null || b === null ? a === b : c.key(a) === c.key(b)));

const listDef = defineType({ name: 'List', ns: 'System.Collections.Generic', typeParams: ['T'], bases: ['IList<T>', 'IReadOnlyList<T>', 'ICollection<T>', 'IEnumerable<T>'], is: (v) => v instanceof CsList });
listDef
  .ctor('()', () => new CsList(), { make: (info) => {
    const t = info.recv;
    const clr = t && t.tag === 'named' && t.args[0] ? clrNameOf(t.args[0]) : 'System.Object';
    return () => new CsList([], clr);
  } })
  .ctor('(int capacity)', (n: number) => {
    if (n < 0) throw argOutOfRange('capacity');
    return new CsList();
  })
  .ctor('(IEnumerable<T> collection)', (r: RunState, c: unknown) => new CsList(toArray(r, requireArg(c, 'collection'))), { run: true })
  .prop('int Count', (l: CsList) => l.items.length)
  .prop('int Capacity', (l: CsList) => l.items.length)
  .indexer('T this[int index]', (l: CsList, i: number) => l.get(i), (l: CsList, i: number, v: unknown) => l.set(i, v))
  .method('void Add(T item)', (l: CsList, v: unknown) => l.add(v))
  .method('void AddRange(IEnumerable<T> collection)', (r: RunState, l: CsList, c: unknown) => {
    const items = toArray(r, requireArg(c, 'collection'));
    checkLength(l.items.length + items.length);
    l.items.push(...items);
  }, { run: true })
  .method('void Insert(int index, T item)', (l: CsList, i: number, v: unknown) => {
    if (i < 0 || i > l.items.length) throw argOutOfRange('index', 'Index must be within the bounds of the List.');
    checkLength(l.items.length + 1);
    l.items.splice(i, 0, v);
  })
  .method('bool Remove(T item)', (l: CsList, v: unknown) => {
    const i = l.items.findIndex((x) => dnEquals(x, v));
    if (i < 0) return false;
    l.items.splice(i, 1);
    return true;
  })
  .method('void RemoveAt(int index)', (l: CsList, i: number) => {
    l.get(i);
    l.items.splice(i, 1);
  })
  .method('void RemoveRange(int index, int count)', (l: CsList, i: number, n: number) => {
    if (i < 0 || n < 0 || i + n > l.items.length) throw argError('Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.');
    l.items.splice(i, n);
  })
  .method('int RemoveAll(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => {
    const before = l.items.length;
    l.items = l.items.filter((x) => !f(x));
    return before - l.items.length;
  })
  .method('void Clear()', (l: CsList) => void (l.items.length = 0))
  .method('bool Contains(T item)', (l: CsList, v: unknown) => l.items.some((x) => dnEquals(x, v)))
  .method('int IndexOf(T item)', (l: CsList, v: unknown) => l.items.findIndex((x) => dnEquals(x, v)))
  .method('int LastIndexOf(T item)', (l: CsList, v: unknown) => {
    for (let i = l.items.length - 1; i >= 0; i--) if (dnEquals(l.items[i], v)) return i;
    return -1;
  })
  .method('T Find(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => l.items.find((x) => f(x)) ?? null)
  .method('List<T> FindAll(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => new CsList(l.items.filter((x) => f(x)), l.clr))
  .method('int FindIndex(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => l.items.findIndex((x) => f(x)))
  .method('T FindLast(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => [...l.items].reverse().find((x) => f(x)) ?? null)
  .method('bool Exists(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => l.items.some((x) => f(x)))
  .method('bool TrueForAll(Predicate<T> match)', (l: CsList, f: (x: unknown) => boolean) => l.items.every((x) => f(x)))
  .method('void ForEach(Action<T> action)', (l: CsList, f: (x: unknown) => void) => [...l.items].forEach((x) => f(x)))
  .method('List<TOutput> ConvertAll<TOutput>(Func<T, TOutput> converter)', (l: CsList, f: (x: unknown) => unknown) => new CsList(l.items.map((x) => f(x))))
  .method('List<T> GetRange(int index, int count)', (l: CsList, i: number, n: number) => {
    if (i < 0 || n < 0 || i + n > l.items.length) throw argError('Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.');
    return new CsList(l.items.slice(i, i + n), l.clr);
  })
  .method('void Sort()', (l: CsList) => void l.items.sort(dnCompare))
  .method('void Sort(Comparison<T> comparison)', (l: CsList, f: (a: unknown, b: unknown) => number) => void l.items.sort((a, b) => f(a, b)))
  .method('void Reverse()', (l: CsList) => void l.items.reverse())
  .method('T[] ToArray()', (l: CsList) => l.items.slice());

const idictDef = defineType({ name: 'IDictionary', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['TKey', 'TValue'], bases: ['IEnumerable<KeyValuePair<TKey, TValue>>'], is: (v) => v instanceof CsDictionary });
const irodictDef = defineType({ name: 'IReadOnlyDictionary', ns: 'System.Collections.Generic', kind: 'interface', typeParams: ['TKey', 'TValue'], bases: ['IEnumerable<KeyValuePair<TKey, TValue>>'], is: (v) => v instanceof CsDictionary });
const dictDef = defineType({ name: 'Dictionary', ns: 'System.Collections.Generic', typeParams: ['TKey', 'TValue'], bases: ['IDictionary<TKey, TValue>', 'IReadOnlyDictionary<TKey, TValue>', 'IEnumerable<KeyValuePair<TKey, TValue>>'], is: (v) => v instanceof CsDictionary });
for (const d of [dictDef, idictDef, irodictDef]) {
  d.prop('int Count', (m: CsDictionary) => m.count)
    .indexer('TValue this[TKey key]', (m: CsDictionary, k: unknown) => m.get(k), d === irodictDef ? undefined : (m: CsDictionary, k: unknown, v: unknown) => m.set(k, v))
    .prop('IEnumerable<TKey> Keys', (m: CsDictionary) => m.keys())
    .prop('IEnumerable<TValue> Values', (m: CsDictionary) => m.values())
    .method('bool ContainsKey(TKey key)', (m: CsDictionary, k: unknown) => m.has(k))
    .method('bool TryGetValue(TKey key, out TValue value)', (m: CsDictionary, k: unknown, r: Ref) => {
      const e = m.tryGet(k);
      r.v = e ? e.value : null;
      return !!e;
    })
    .method('TValue GetValueOrDefault(TKey key)', (m: CsDictionary, k: unknown) => m.tryGet(k)?.value ?? null)
    .method('TValue GetValueOrDefault(TKey key, TValue defaultValue)', (m: CsDictionary, k: unknown, dv: unknown) => {
      const e = m.tryGet(k);
      return e ? e.value : dv;
    });
  if (d !== irodictDef)
    d.method('void Add(TKey key, TValue value)', (m: CsDictionary, k: unknown, v: unknown) => m.add(k, v))
      .method('bool Remove(TKey key)', (m: CsDictionary, k: unknown) => m.remove(k))
      .method('void Clear()', (m: CsDictionary) => m.clear());
}
/** The CLR type arguments of a constructed Dictionary, for its ToString(). */
const dictClr = (info: SpecializeInfo): string => {
  const t = info.recv;
  return t && t.tag === 'named' && t.args.length === 2 ? t.args.map(clrNameOf).join(',') : 'System.Object,System.Object';
};
dictDef
  .ctor('()', () => new CsDictionary(), { make: (info) => { const clr = dictClr(info); return () => new CsDictionary(DEFAULT_COMPARER, clr); } })
  .ctor('(int capacity)', () => new CsDictionary(), { make: (info) => { const clr = dictClr(info); return () => new CsDictionary(DEFAULT_COMPARER, clr); } })
  .ctor('(IEqualityComparer<TKey> comparer)', (c: KeyComparer | null) => new CsDictionary(c ?? DEFAULT_COMPARER), { make: (info) => { const clr = dictClr(info); return (c: KeyComparer | null) => new CsDictionary(c ?? DEFAULT_COMPARER, clr); } })
  .ctor('(IDictionary<TKey, TValue> dictionary)', (src: CsDictionary) => {
    const d = new CsDictionary(src.comparer);
    for (const e of src) d.add(e.key, e.value);
    return d;
  })
  .ctor('(IDictionary<TKey, TValue> dictionary, IEqualityComparer<TKey> comparer)', (src: CsDictionary, c: KeyComparer | null) => {
    const d = new CsDictionary(c ?? DEFAULT_COMPARER);
    for (const e of src) d.add(e.key, e.value);
    return d;
  })
  .method('bool ContainsValue(TValue value)', (m: CsDictionary, v: unknown) => m.values().some((x) => dnEquals(x, v)))
  .method('bool TryAdd(TKey key, TValue value)', (m: CsDictionary, k: unknown, v: unknown) => {
    if (m.has(k)) return false;
    m.add(k, v);
    return true;
  });

const hashSetDef = defineType({ name: 'HashSet', ns: 'System.Collections.Generic', typeParams: ['T'], bases: ['ICollection<T>', 'IEnumerable<T>'], is: (v) => v instanceof CsHashSet });
hashSetDef
  .ctor('()', () => new CsHashSet())
  .ctor('(IEqualityComparer<T> comparer)', (c: KeyComparer | null) => new CsHashSet(c ?? DEFAULT_COMPARER))
  .ctor('(IEnumerable<T> collection)', (r: RunState, c: unknown) => {
    const s = new CsHashSet();
    for (const x of toArray(r, requireArg(c, 'collection'))) s.add(x);
    return s;
  }, { run: true })
  .ctor('(IEnumerable<T> collection, IEqualityComparer<T> comparer)', (r: RunState, c: unknown, cmp: KeyComparer | null) => {
    const s = new CsHashSet(cmp ?? DEFAULT_COMPARER);
    for (const x of toArray(r, requireArg(c, 'collection'))) s.add(x);
    return s;
  }, { run: true })
  .prop('int Count', (s: CsHashSet) => s.count)
  .method('bool Add(T item)', (s: CsHashSet, v: unknown) => s.add(v))
  .method('bool Contains(T item)', (s: CsHashSet, v: unknown) => s.has(v))
  .method('bool Remove(T item)', (s: CsHashSet, v: unknown) => s.remove(v))
  .method('void Clear()', (s: CsHashSet) => s.map.clear())
  .method('void UnionWith(IEnumerable<T> other)', (r: RunState, s: CsHashSet, o: unknown) => {
    for (const x of toArray(r, o)) s.add(x);
  }, { run: true })
  .method('void IntersectWith(IEnumerable<T> other)', (r: RunState, s: CsHashSet, o: unknown) => {
    const keep = new Set(toArray(r, o).map((x) => s.comparer.key(x)));
    for (const k of [...s.map.keys()]) if (!keep.has(k)) s.map.delete(k);
  }, { run: true })
  .method('void ExceptWith(IEnumerable<T> other)', (r: RunState, s: CsHashSet, o: unknown) => {
    for (const x of toArray(r, o)) s.remove(x);
  }, { run: true })
  .method('bool SetEquals(IEnumerable<T> other)', (r: RunState, s: CsHashSet, o: unknown) => {
    const other = new CsHashSet(s.comparer);
    for (const x of toArray(r, o)) other.add(x);
    return other.count === s.count && [...s.map.keys()].every((k) => other.map.has(k));
  }, { run: true })
  .method('bool Overlaps(IEnumerable<T> other)', (r: RunState, s: CsHashSet, o: unknown) => toArray(r, o).some((x) => s.has(x)), { run: true });

defineType({ name: 'Queue', ns: 'System.Collections.Generic', typeParams: ['T'], bases: ['IEnumerable<T>'], is: (v) => v instanceof CsQueue })
  .ctor('()', () => new CsQueue())
  .prop('int Count', (q: CsQueue) => q.items.length)
  .method('void Enqueue(T item)', (q: CsQueue, v: unknown) => {
    checkLength(q.items.length + 1);
    q.items.push(v);
  })
  .method('T Dequeue()', (q: CsQueue) => {
    if (!q.items.length) throw emptyQueue();
    return q.items.shift();
  })
  .method('T Peek()', (q: CsQueue) => {
    if (!q.items.length) throw emptyQueue();
    return q.items[0];
  })
  .method('bool Contains(T item)', (q: CsQueue, v: unknown) => q.items.some((x) => dnEquals(x, v)))
  .method('void Clear()', (q: CsQueue) => void (q.items.length = 0));

defineType({ name: 'Stack', ns: 'System.Collections.Generic', typeParams: ['T'], bases: ['IEnumerable<T>'], is: (v) => v instanceof CsStack })
  .ctor('()', () => new CsStack())
  .prop('int Count', (s: CsStack) => s.items.length)
  .method('void Push(T item)', (s: CsStack, v: unknown) => {
    checkLength(s.items.length + 1);
    s.items.push(v);
  })
  .method('T Pop()', (s: CsStack) => {
    if (!s.items.length) throw emptyStack();
    return s.items.pop();
  })
  .method('T Peek()', (s: CsStack) => {
    if (!s.items.length) throw emptyStack();
    return s.items[s.items.length - 1];
  })
  .method('bool Contains(T item)', (s: CsStack, v: unknown) => s.items.some((x) => dnEquals(x, v)))
  .method('void Clear()', (s: CsStack) => void (s.items.length = 0));

// arrays
arrayDef.prop('int Length', (a: unknown[]) => a.length).prop('long LongLength', (a: unknown[]) => BigInt(a.length)).prop('int Rank', () => 1);
arrayDef.method('object Clone()', (a: unknown[]) => a.slice());
arrayStaticDef
  .method('static void Copy(Array sourceArray, Array destinationArray, int length)', (r: RunState, s: unknown[], d: unknown[], n: number) => arrayCopy(r, s, 0, d, 0, n), { run: true })
  .method('static void Copy(Array sourceArray, int sourceIndex, Array destinationArray, int destinationIndex, int length)', (r: RunState, s: unknown[], si: number, d: unknown[], di: number, n: number) => arrayCopy(r, s, si, d, di, n), { run: true })
  .method('static int IndexOf<T>(T[] array, T value)', (a: unknown[], v: unknown) => requireArg(a, 'array').findIndex((x) => dnEquals(x, v)))
  .method('static bool Exists<T>(T[] array, Predicate<T> match)', (a: unknown[], f: (x: unknown) => boolean) => requireArg(a, 'array').some((x) => f(x)))
  .method('static T Find<T>(T[] array, Predicate<T> match)', (a: unknown[], f: (x: unknown) => boolean) => requireArg(a, 'array').find((x) => f(x)) ?? null)
  .method('static T[] FindAll<T>(T[] array, Predicate<T> match)', (a: unknown[], f: (x: unknown) => boolean) => requireArg(a, 'array').filter((x) => f(x)))
  .method('static int FindIndex<T>(T[] array, Predicate<T> match)', (a: unknown[], f: (x: unknown) => boolean) => requireArg(a, 'array').findIndex((x) => f(x)))
  .method('static bool TrueForAll<T>(T[] array, Predicate<T> match)', (a: unknown[], f: (x: unknown) => boolean) => requireArg(a, 'array').every((x) => f(x)))
  .method('static void Reverse<T>(T[] array)', (a: unknown[]) => void requireArg(a, 'array').reverse())
  .method('static void Sort<T>(T[] array)', (a: unknown[]) => void (requireArg(a, 'array') as unknown[]).sort(dnCompare))
  .method('static void Sort<T>(T[] array, Comparison<T> comparison)', (a: unknown[], f: (x: unknown, y: unknown) => number) => void requireArg(a, 'array').sort((x, y) => f(x, y)))
  .method('static T[] Empty<T>()', () => [])
  .method('static void Clear(Array array, int index, int length)', (a: unknown[], i: number, n: number) => {
    const z = a instanceof Uint8Array ? 0 : null;
    for (let k = i; k < i + n; k++) (a as unknown[])[k] = z;
  })
  .method('static void Resize<T>(ref T[] array, int newSize)', (ref: Ref, n: number) => {
    checkLength(n);
    const a = (ref.v ?? []) as unknown[];
    ref.v = a instanceof Uint8Array ? (() => { const b = new Uint8Array(n); b.set(a.subarray(0, n)); return b; })() : [...a.slice(0, n), ...new Array(Math.max(0, n - a.length)).fill(null)];
  });

function arrayCopy(r: RunState, s: ArrayLike<unknown>, si: number, d: unknown[] | Uint8Array, di: number, n: number): void {
  if (s === null || d === null) throw argNull(s === null ? 'sourceArray' : 'destinationArray');
  if (si < 0 || di < 0 || n < 0) throw argOutOfRange(n < 0 ? 'length' : si < 0 ? 'sourceIndex' : 'destinationIndex', 'Non-negative number required.');
  if (si + n > s.length || di + n > d.length) throw argError('Source array was not long enough. Check the source index, length, and the array\'s lower bounds.');
  charge(r, Math.floor(n / 64));
  const tmp = Array.prototype.slice.call(s, si, si + n);
  for (let i = 0; i < n; i++) (d as unknown[])[di + i] = tmp[i];
}

// ---------------------------------------------------------------- LINQ

const enumerableDef = defineType({ name: 'Enumerable', ns: 'System.Linq', kind: 'static' });
defineType({ name: 'IGrouping', ns: 'System.Linq', kind: 'interface', typeParams: ['TKey', 'TElement'], bases: ['IEnumerable<TElement>'], is: (v) => v instanceof Grouping })
  .prop('TKey Key', (g: Grouping) => g.key);
defineType({ name: 'IOrderedEnumerable', ns: 'System.Linq', kind: 'interface', typeParams: ['T'], bases: ['IEnumerable<T>'], is: (v) => v instanceof OrderedSeq });

const SRC = 'this IEnumerable<T> source';
const run = { run: true };

function numericSelectorHook(info: SpecializeInfo, avg: boolean): Type {
  const t = info.typeArgs.get('TR') ?? info.typeArgs.get('T');
  if (!t) return CORE.objectType;
  const inner = t.tag === 'named' && isNullable(t) ? t.args[0] : t;
  const k = inner.tag === 'named' ? inner.def.numeric : undefined;
  if (!k || k === 'char') throw new CompileError('EXPRESSION_TYPE_MISMATCH', `'${typeName(t)}' is not a numeric type`, 0);
  if (avg) {
    const res = k === 'decimal' ? T('decimal') : k === 'float' ? T('float') : T('double');
    return inner !== t ? named(nullableDef, [res]) : res;
  }
  return t;
}

function numericOf(info: SpecializeInfo): NumericKind {
  const t = info.typeArgs.get('TR') ?? info.typeArgs.get('T');
  const inner = t && t.tag === 'named' && isNullable(t) ? t.args[0] : t;
  const k = inner && inner.tag === 'named' ? inner.def.numeric : undefined;
  if (!k || k === 'char') throw new CompileError('EXPRESSION_TYPE_MISMATCH', 'The sequence is not numeric', 0);
  return k;
}

function sumImpl(k: NumericKind) {
  return (r: RunState, src: unknown, f?: (x: unknown) => unknown): unknown => {
    let acc: unknown = k === 'decimal' ? Decimal.Zero : k === 'long' || k === 'ulong' ? 0n : 0;
    for (const x of iter(src)) {
      tick(r);
      const v = f ? f(x) : x;
      if (v === null) continue;
      if (k === 'decimal') acc = (acc as Decimal).add(v as Decimal);
      else if (k === 'long') {
        acc = (acc as bigint) + (v as bigint);
        if ((acc as bigint) > (1n << 63n) - 1n || (acc as bigint) < -(1n << 63n)) throw overflow();
      } else if (k === 'int') {
        acc = (acc as number) + (v as number);
        if ((acc as number) > 2147483647 || (acc as number) < -2147483648) throw overflow();
      } else acc = (acc as number) + (v as number);
    }
    return k === 'float' ? Math.fround(acc as number) : acc;
  };
}

function minMaxImpl(k: NumericKind | null, max: boolean) {
  return (r: RunState, src: unknown, f?: (x: unknown) => unknown): unknown => {
    let best: unknown = undefined;
    for (const x of iter(src)) {
      tick(r);
      const v = f ? f(x) : x;
      if (v === null) continue;
      if (best === undefined || (max ? dnCompare(v, best) > 0 : dnCompare(v, best) < 0) || (typeof v === 'number' && Number.isNaN(v) && !max)) best = v;
    }
    if (best === undefined) {
      if (k === null) return null;
      throw invalidOp('Sequence contains no elements');
    }
    return best;
  };
}

function avgImpl(k: NumericKind) {
  return (r: RunState, src: unknown, f?: (x: unknown) => unknown): unknown => {
    let n = 0;
    let sum: unknown = k === 'decimal' ? Decimal.Zero : 0;
    for (const x of iter(src)) {
      tick(r);
      const v = f ? f(x) : x;
      if (v === null) continue;
      n++;
      if (k === 'decimal') sum = (sum as Decimal).add(v as Decimal);
      else sum = (sum as number) + Number(v);
    }
    if (n === 0) throw invalidOp('Sequence contains no elements');
    if (k === 'decimal') return (sum as Decimal).div(Decimal.fromInt(n));
    return (sum as number) / n;
  };
}

function defaultOfT(info: SpecializeInfo, name = 'T'): unknown {
  const t = info.typeArgs.get(name);
  return t ? defaultValueOf(t) : null;
}

function cmpOf(c: unknown): ((a: unknown, b: unknown) => number) | undefined {
  return c ? (c as { cmp: (a: unknown, b: unknown) => number }).cmp : undefined;
}

enumerableDef
  .method(`static IEnumerable<T> Where<T>(${SRC}, Func<T, bool> predicate)`, Linq.where, run)
  .method(`static IEnumerable<T> Where<T>(${SRC}, Func<T, int, bool> predicate)`, Linq.where, run)
  .method(`static IEnumerable<TR> Select<T, TR>(${SRC}, Func<T, TR> selector)`, Linq.select, run)
  .method(`static IEnumerable<TR> Select<T, TR>(${SRC}, Func<T, int, TR> selector)`, Linq.select, run)
  .method(`static IEnumerable<TR> SelectMany<T, TR>(${SRC}, Func<T, IEnumerable<TR>> selector)`, (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.selectMany(r, s, f), run)
  .method(`static IEnumerable<TR> SelectMany<T, TC, TR>(${SRC}, Func<T, IEnumerable<TC>> collectionSelector, Func<T, TC, TR> resultSelector)`, Linq.selectMany, run)
  .method(`static bool Any<T>(${SRC})`, (r: RunState, s: unknown) => Linq.any(r, s), run)
  .method(`static bool Any<T>(${SRC}, Func<T, bool> predicate)`, Linq.any, run)
  .method(`static bool All<T>(${SRC}, Func<T, bool> predicate)`, Linq.all, run)
  .method(`static T First<T>(${SRC})`, (r: RunState, s: unknown) => Linq.first(r, s), run)
  .method(`static T First<T>(${SRC}, Func<T, bool> predicate)`, Linq.first, run)
  .method(`static T FirstOrDefault<T>(${SRC})`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown) => Linq.firstOrDefault(r, s, undefined, d); } })
  .method(`static T FirstOrDefault<T>(${SRC}, Func<T, bool> predicate)`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.firstOrDefault(r, s, f, d); } })
  .method(`static T FirstOrDefault<T>(${SRC}, T defaultValue)`, (r: RunState, s: unknown, d: unknown) => Linq.firstOrDefault(r, s, undefined, d), run)
  .method(`static T Last<T>(${SRC})`, (r: RunState, s: unknown) => Linq.last(r, s, undefined, false, null), run)
  .method(`static T Last<T>(${SRC}, Func<T, bool> predicate)`, (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.last(r, s, f, false, null), run)
  .method(`static T LastOrDefault<T>(${SRC})`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown) => Linq.last(r, s, undefined, true, d); } })
  .method(`static T LastOrDefault<T>(${SRC}, Func<T, bool> predicate)`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.last(r, s, f, true, d); } })
  .method(`static T Single<T>(${SRC})`, (r: RunState, s: unknown) => Linq.single(r, s, undefined, false, null), run)
  .method(`static T Single<T>(${SRC}, Func<T, bool> predicate)`, (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.single(r, s, f, false, null), run)
  .method(`static T SingleOrDefault<T>(${SRC})`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown) => Linq.single(r, s, undefined, true, d); } })
  .method(`static T SingleOrDefault<T>(${SRC}, Func<T, bool> predicate)`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.single(r, s, f, true, d); } })
  .method(`static T ElementAt<T>(${SRC}, int index)`, (r: RunState, s: unknown, i: number) => Linq.elementAt(r, s, i, false, null), run)
  .method(`static T ElementAtOrDefault<T>(${SRC}, int index)`, Linq.first, { run: true, make: (info) => { const d = defaultOfT(info); return (r: RunState, s: unknown, i: number) => Linq.elementAt(r, s, i, true, d); } })
  .method(`static int Count<T>(${SRC})`, (r: RunState, s: unknown) => Linq.count(r, s), run)
  .method(`static int Count<T>(${SRC}, Func<T, bool> predicate)`, Linq.count, run)
  .method(`static long LongCount<T>(${SRC})`, (r: RunState, s: unknown) => BigInt(Linq.count(r, s)), run)
  .method(`static bool Contains<T>(${SRC}, T value)`, (r: RunState, s: unknown, v: unknown) => Linq.contains(r, s, v), run)
  .method(`static bool Contains<T>(${SRC}, T value, IEqualityComparer<T> comparer)`, (r: RunState, s: unknown, v: unknown, c: KeyComparer | null) => Linq.contains(r, s, v, c ? (a, b) => (a === null || b === null ? a === b : c.key(a) === c.key(b)) : dnEquals), run)
  .method(`static IEnumerable<T> Distinct<T>(${SRC})`, (r: RunState, s: unknown) => Linq.distinct(r, s), run)
  .method(`static IEnumerable<T> Distinct<T>(${SRC}, IEqualityComparer<T> comparer)`, (r: RunState, s: unknown, c: KeyComparer | null) => Linq.distinct(r, s, c ? (x) => c.key(x) : mapKey), run)
  .method(`static IEnumerable<T> Skip<T>(${SRC}, int count)`, Linq.skip, run)
  .method(`static IEnumerable<T> Take<T>(${SRC}, int count)`, Linq.take, run)
  .method(`static IEnumerable<T> SkipWhile<T>(${SRC}, Func<T, bool> predicate)`, Linq.skipWhile, run)
  .method(`static IEnumerable<T> TakeWhile<T>(${SRC}, Func<T, bool> predicate)`, Linq.takeWhile, run)
  .method(`static IEnumerable<T> Concat<T>(${SRC}, IEnumerable<T> second)`, Linq.concat, run)
  .method(`static IEnumerable<T> Union<T>(${SRC}, IEnumerable<T> second)`, Linq.union, run)
  .method(`static IEnumerable<T> Intersect<T>(${SRC}, IEnumerable<T> second)`, Linq.intersect, run)
  .method(`static IEnumerable<T> Except<T>(${SRC}, IEnumerable<T> second)`, Linq.except, run)
  .method(`static IEnumerable<T> Reverse<T>(${SRC})`, Linq.reverse, run)
  .method(`static bool SequenceEqual<T>(${SRC}, IEnumerable<T> second)`, Linq.sequenceEqual, run)
  .method(`static IEnumerable<T> DefaultIfEmpty<T>(${SRC})`, Linq.first, { run: true, make: (i) => { const d = defaultOfT(i); return (r: RunState, s: unknown) => Linq.defaultIfEmpty(r, s, d); } })
  .method(`static IEnumerable<T> DefaultIfEmpty<T>(${SRC}, T defaultValue)`, Linq.defaultIfEmpty, run)
  .method(`static IEnumerable<T> Append<T>(${SRC}, T element)`, (r: RunState, s: unknown, v: unknown) => Linq.concat(r, s, [v]), run)
  .method(`static IEnumerable<T> Prepend<T>(${SRC}, T element)`, (r: RunState, s: unknown, v: unknown) => Linq.concat(r, [v], s), run)
  .method(`static IEnumerable<TR> Zip<T, T2, TR>(${SRC}, IEnumerable<T2> second, Func<T, T2, TR> resultSelector)`, Linq.zip, run)
  .method(`static IOrderedEnumerable<T> OrderBy<T, TK>(${SRC}, Func<T, TK> keySelector)`, (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.orderBy(r, s, f, false), run)
  .method(`static IOrderedEnumerable<T> OrderBy<T, TK>(${SRC}, Func<T, TK> keySelector, IComparer<TK> comparer)`, (r: RunState, s: unknown, f: (x: unknown) => unknown, c: unknown) => Linq.orderBy(r, s, f, false, cmpOf(c)), run)
  .method(`static IOrderedEnumerable<T> OrderByDescending<T, TK>(${SRC}, Func<T, TK> keySelector)`, (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.orderBy(r, s, f, true), run)
  .method(`static IOrderedEnumerable<T> OrderByDescending<T, TK>(${SRC}, Func<T, TK> keySelector, IComparer<TK> comparer)`, (r: RunState, s: unknown, f: (x: unknown) => unknown, c: unknown) => Linq.orderBy(r, s, f, true, cmpOf(c)), run)
  .method(`static IOrderedEnumerable<T> ThenBy<T, TK>(this IOrderedEnumerable<T> source, Func<T, TK> keySelector)`, (r: RunState, s: OrderedSeq, f: (x: unknown) => unknown) => Linq.thenBy(r, s, f, false), run)
  .method(`static IOrderedEnumerable<T> ThenByDescending<T, TK>(this IOrderedEnumerable<T> source, Func<T, TK> keySelector)`, (r: RunState, s: OrderedSeq, f: (x: unknown) => unknown) => Linq.thenBy(r, s, f, true), run)
  .method(`static IEnumerable<IGrouping<TK, T>> GroupBy<T, TK>(${SRC}, Func<T, TK> keySelector)`, (r: RunState, s: unknown, f: (x: unknown) => unknown) => Linq.groupBy(r, s, f), run)
  .method(`static IEnumerable<IGrouping<TK, TE>> GroupBy<T, TK, TE>(${SRC}, Func<T, TK> keySelector, Func<T, TE> elementSelector)`, Linq.groupBy, run)
  .method(`static T Aggregate<T>(${SRC}, Func<T, T, T> func)`, (r: RunState, s: unknown, f: (a: unknown, b: unknown) => unknown) => Linq.aggregate(r, s, null, f), run)
  .method(`static TA Aggregate<T, TA>(${SRC}, TA seed, Func<TA, T, TA> func)`, (r: RunState, s: unknown, seed: unknown, f: (a: unknown, b: unknown) => unknown) => Linq.aggregate(r, s, { v: seed }, f), run)
  .method(`static TR Aggregate<T, TA, TR>(${SRC}, TA seed, Func<TA, T, TA> func, Func<TA, TR> resultSelector)`, (r: RunState, s: unknown, seed: unknown, f: (a: unknown, b: unknown) => unknown, g: (a: unknown) => unknown) => g(Linq.aggregate(r, s, { v: seed }, f)), run)
  .method(`static List<T> ToList<T>(${SRC})`, (r: RunState, s: unknown) => new CsList(toArray(r, s)), run)
  .method(`static T[] ToArray<T>(${SRC})`, (r: RunState, s: unknown) => toArray(r, s), { run: true, make: (info) => {
    const t = info.typeArgs.get('T');
    if (t && t.tag === 'named' && t.def === byteDef) return (r: RunState, s: unknown) => Uint8Array.from(toArray(r, s) as number[]);
    const clr = t ? clrNameOf(t) : 'System.Object';
    return (r: RunState, s: unknown) => tagArray(toArray(r, s), clr);
  } })
  .method(`static HashSet<T> ToHashSet<T>(${SRC})`, (r: RunState, s: unknown) => {
    const h = new CsHashSet();
    for (const x of toArray(r, s)) h.add(x);
    return h;
  }, run)
  .method(`static Dictionary<TK, T> ToDictionary<T, TK>(${SRC}, Func<T, TK> keySelector)`, (r: RunState, s: unknown, k: (x: unknown) => unknown) => {
    const d = new CsDictionary();
    for (const x of toArray(r, s)) d.add(k(x), x);
    return d;
  }, run)
  .method(`static Dictionary<TK, TV> ToDictionary<T, TK, TV>(${SRC}, Func<T, TK> keySelector, Func<T, TV> elementSelector)`, (r: RunState, s: unknown, k: (x: unknown) => unknown, v: (x: unknown) => unknown) => {
    const d = new CsDictionary();
    for (const x of toArray(r, s)) d.add(k(x), v(x));
    return d;
  }, run)
  .method(`static Dictionary<TK, TV> ToDictionary<T, TK, TV>(${SRC}, Func<T, TK> keySelector, Func<T, TV> elementSelector, IEqualityComparer<TK> comparer)`, (r: RunState, s: unknown, k: (x: unknown) => unknown, v: (x: unknown) => unknown, c: KeyComparer | null) => {
    const d = new CsDictionary(c ?? DEFAULT_COMPARER);
    for (const x of toArray(r, s)) d.add(k(x), v(x));
    return d;
  }, run)
  .method(`static IEnumerable<TR> Cast<TR>(this IEnumerable<object> source)`, (r: RunState, s: unknown) => Linq.select(r, s, (x) => x), run)
  .method(`static IEnumerable<TR> OfType<TR>(this IEnumerable<object> source)`, Linq.where, { run: true, make: (info) => {
    const t = info.typeArgs.get('TR')!;
    return (r: RunState, s: unknown) => Linq.where(r, s, (x) => isInstance(x, t));
  } })
  .method('static IEnumerable<int> Range(int start, int count)', Linq.range, run)
  .method('static IEnumerable<T> Repeat<T>(T element, int count)', Linq.repeat, run)
  .method('static IEnumerable<T> Empty<T>()', () => []);
// Sum, Min, Max, Average: for every numeric element type, with and without a selector
for (const name of ['Sum', 'Min', 'Max', 'Average'] as const) {
  const avg = name === 'Average';
  const mk = (withSelector: boolean) => (info: SpecializeInfo): Impl => {
    const k = numericOf(info);
    const t = info.typeArgs.get('TR') ?? info.typeArgs.get('T')!;
    const nullableElem = t.tag === 'named' && isNullable(t);
    const impl = name === 'Sum' ? sumImpl(k) : avg ? avgImpl(k) : minMaxImpl(nullableElem ? null : k, name === 'Max');
    return withSelector ? impl : (r: RunState, s: unknown) => impl(r, s);
  };
  const hook = (info: SpecializeInfo): Type => numericSelectorHook(info, avg);
  enumerableDef.method(`static T ${name}<T>(${SRC})`, Linq.first, { run: true, make: mk(false), retHook: hook });
  enumerableDef.method(`static TR ${name}<T, TR>(${SRC}, Func<T, TR> selector)`, Linq.first, { run: true, make: mk(true), retHook: hook });
}

// ---------------------------------------------------------------- StringBuilder

class StringBuilder {
  static readonly clrName = 'System.Text.StringBuilder';
  parts: string[] = [];
  length = 0;
  append(s: string): StringBuilder {
    this.length += s.length;
    if (this.length > MAX_STRING_LENGTH) checkString('x'.repeat(MAX_STRING_LENGTH + 1));
    this.parts.push(s);
    return this;
  }
  toString(): string {
    const s = this.parts.join('');
    this.parts = [s];
    return s;
  }
}
defineType({ name: 'StringBuilder', ns: 'System.Text', is: (v) => v instanceof StringBuilder })
  .ctor('()', () => new StringBuilder())
  .ctor('(int capacity)', () => new StringBuilder())
  .ctor('(string value)', (s: string | null) => new StringBuilder().append(s ?? ''))
  .prop('int Length', (b: StringBuilder) => b.length)
  .indexer('char this[int index]', (b: StringBuilder, i: number) => {
    const s = b.toString();
    if (i < 0 || i >= s.length) throw argOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return CsChar.of(s.charCodeAt(i));
  })
  .method('StringBuilder Append(string value)', (b: StringBuilder, s: string | null) => b.append(s ?? ''))
  .method('StringBuilder Append(char value)', (b: StringBuilder, c: CsChar) => b.append(c.str))
  .method('StringBuilder Append(char value, int repeatCount)', (b: StringBuilder, c: CsChar, n: number) => b.append(n > MAX_STRING_LENGTH ? checkString('x'.repeat(MAX_STRING_LENGTH + 1)) : c.str.repeat(Math.max(0, n))))
  .method('StringBuilder Append(bool value)', (b: StringBuilder, v: boolean) => b.append(v ? 'True' : 'False'))
  .method('StringBuilder Append(double value)', (b: StringBuilder, v: number) => b.append(doubleToString(v)))
  .method('StringBuilder Append(object value)', (b: StringBuilder, v: unknown) => b.append(toDotNetString(v)))
  .method('StringBuilder AppendLine()', (b: StringBuilder) => b.append('\r\n'))
  .method('StringBuilder AppendLine(string value)', (b: StringBuilder, s: string | null) => b.append((s ?? '') + '\r\n'))
  .method('StringBuilder AppendFormat(string format, params object[] args)', (b: StringBuilder, f: string, a: unknown[]) => b.append(compositeFormat(f, a)))
  .method('StringBuilder Insert(int index, string value)', (b: StringBuilder, i: number, s: string) => {
    const cur = b.toString();
    if (i < 0 || i > cur.length) throw argOutOfRange('index');
    b.parts = [cur.slice(0, i) + (s ?? '') + cur.slice(i)];
    b.length = b.parts[0].length;
    return b;
  })
  .method('StringBuilder Replace(string oldValue, string newValue)', (b: StringBuilder, o: string, n: string | null) => {
    const s = replaceImpl(b.toString(), o, n);
    b.parts = [s];
    b.length = s.length;
    return b;
  })
  .method('StringBuilder Remove(int startIndex, int length)', (b: StringBuilder, i: number, n: number) => {
    const cur = b.toString();
    checkRange(cur, i, n);
    b.parts = [cur.slice(0, i) + cur.slice(i + n)];
    b.length = b.parts[0].length;
    return b;
  })
  .method('StringBuilder Clear()', (b: StringBuilder) => {
    b.parts = [];
    b.length = 0;
    return b;
  })
  .method('string ToString()', (b: StringBuilder) => b.toString());

export { numName, strCompare, requireArg, requireString, roundHalfEven, toIntegral, toDoubleAny, toDecimalAny, toBoolAny, StringBuilder };
export { listDef, dictDef, irodictDef, idictDef, hashSetDef, ilistDef, ireadonlylistDef, icollectionDef, ireadonlycollectionDef, kvpDef, stringComparerDef };
