// Runtime representation of .NET values, and the operations every value supports (ToString,
// Equals, GetHashCode, ordering, dictionary keys).
//
//   bool → boolean            string → string           char → CsChar (interned)
//   sbyte, byte, short, ushort, int, uint → number (always integral, in range)
//   long, ulong → bigint       float, double → number    decimal → Decimal
//   DateTime, DateTimeOffset, TimeSpan, Guid → classes in this folder
//   byte[] → Uint8Array        other arrays → JS arrays  List/Dictionary/HashSet/... → Cs* classes
//   JToken family → classes in json.ts                  null → null (never undefined)

import { invalidOp } from '../errors.ts';
import { CsChar } from './char.ts';
import { DateTime, DateTimeOffset, TimeSpan } from './datetime.ts';
import { Decimal } from './decimal.ts';
import { Guid } from './guid.ts';
import { doubleToString, floatToString } from './numformat.ts';

/**
 * A double, float or enum value stored in an `object` slot: keeps its type so that it prints,
 * serializes and unboxes as .NET would (1.0 stays a double, DayOfWeek.Monday prints "Monday").
 */
export class Boxed {
  readonly kind: 'double' | 'float' | 'enum';
  readonly value: number;
  readonly names: Map<number, string> | null;
  readonly owner: unknown;
  constructor(kind: 'double' | 'float' | 'enum', value: number, names: Map<number, string> | null = null, owner: unknown = null) {
    this.kind = kind;
    this.value = value;
    this.names = names;
    this.owner = owner;
  }
  toString(): string {
    if (this.kind === 'enum') return this.names?.get(this.value) ?? String(this.value);
    return this.kind === 'float' ? floatToString(this.value) : doubleToString(this.value);
  }
  dnEquals(o: unknown): boolean {
    return o instanceof Boxed && o.kind === this.kind && o.value === this.value;
  }
  dnKey(): unknown {
    return '\u0000b' + this.kind + this.value;
  }
  dnCompare(o: unknown): number {
    const b = o instanceof Boxed ? o.value : (o as number);
    return this.value < b ? -1 : this.value > b ? 1 : 0;
  }
}

/** A ValueTuple: ordered items, value equality, prints as (a, b). */
export class CsTuple {
  static readonly clrName = 'System.ValueTuple';
  readonly items: unknown[];
  constructor(items: unknown[]) {
    this.items = items;
  }
  toString(): string {
    return '(' + this.items.map(toDotNetString).join(', ') + ')';
  }
  dnEquals(o: unknown): boolean {
    return o instanceof CsTuple && o.items.length === this.items.length && this.items.every((x, i) => dnEquals(x, o.items[i]));
  }
  dnKey(): unknown {
    return '\u0000t(' + this.items.map((x) => String(mapKey(x))).join('\u0001') + ')';
  }
}

/** The number inside a possibly boxed numeric value. */
export function unbox(v: unknown): unknown {
  return v instanceof Boxed ? v.value : v;
}

export interface DotNetObject {
  /** The .NET ToString(). */
  toString(): string;
}

export function boolToString(b: boolean): string {
  return b ? 'True' : 'False';
}

/** object.ToString() of any runtime value (null gives '' as in string concatenation). */
export function toDotNetString(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : doubleToString(v);
    case 'bigint':
      return v.toString();
    case 'undefined':
      return '';
    case 'object':
      if (v === null) return '';
      if (v instanceof Uint8Array) return 'System.Byte[]';
      if (Array.isArray(v)) return `${arrayClrName(v)}[]`;
      return String(v);
    default:
      return '';
  }
}

const ELEM = Symbol('elementType');
/** Records the CLR element type of an array, for `ToString()` and messages. */
export function tagArray<T extends unknown[]>(a: T, clrElem: string): T {
  (a as unknown as Record<symbol, string>)[ELEM] = clrElem;
  return a;
}
export function arrayClrName(a: unknown[]): string {
  return (a as unknown as Record<symbol, string>)[ELEM] ?? 'System.Object';
}

export function dnEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Decimal) return b instanceof Decimal && a.eq(b);
  if (a instanceof DateTime) return b instanceof DateTime && a.ticks === b.ticks;
  if (a instanceof TimeSpan) return b instanceof TimeSpan && a.ticks === b.ticks;
  if (a instanceof DateTimeOffset) return b instanceof DateTimeOffset && a.utcTicks === b.utcTicks;
  if (a instanceof Guid) return b instanceof Guid && a.equals(b);
  const eq = (a as { dnEquals?: (o: unknown) => boolean }).dnEquals;
  if (typeof eq === 'function') return eq.call(a, b);
  return false;
}

/** A JS Map key with .NET Equals semantics. */
export function mapKey(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || v instanceof CsChar) return v;
  if (v instanceof Decimal) return '\u0000m' + v.stripTrailingZeros().toString();
  if (v instanceof DateTime) return '\u0000d' + v.ticks;
  if (v instanceof TimeSpan) return '\u0000t' + v.ticks;
  if (v instanceof DateTimeOffset) return '\u0000o' + v.utcTicks;
  if (v instanceof Guid) return '\u0000g' + v.toString();
  const k = (v as { dnKey?: () => unknown }).dnKey;
  if (typeof k === 'function') return k.call(v);
  return v;
}

let stringHashSeed = 0x2f6b;
export function setHashSeed(seed: number): void {
  stringHashSeed = seed | 0;
}

export function dnHash(v: unknown): number {
  switch (typeof v) {
    case 'string': {
      let h = stringHashSeed;
      for (let i = 0; i < v.length; i++) h = (Math.imul(h, 31) + v.charCodeAt(i)) | 0;
      return h;
    }
    case 'boolean':
      return v ? 1 : 0;
    case 'number':
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : (Math.imul(Math.trunc(v), 31) ^ (v * 1e6)) | 0;
    case 'bigint':
      return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
    case 'object':
      if (v === null) return 0;
      if (v instanceof CsChar) return v.code | (v.code << 16);
      if (v instanceof Guid) return v.hash();
      if (v instanceof Decimal) return v.hash();
      if (v instanceof DateTime || v instanceof TimeSpan) return Number(BigInt.asIntN(32, v.ticks ^ (v.ticks >> 32n)));
      return identityHash(v);
    default:
      return 0;
  }
}

const ids = new WeakMap<object, number>();
let nextId = 0x1234567;
function identityHash(o: object): number {
  let h = ids.get(o);
  if (h === undefined) {
    nextId = (Math.imul(nextId, 1103515245) + 12345) | 0;
    h = nextId & 0x7fffffff;
    ids.set(o, h);
  }
  return h;
}

const collator = new Intl.Collator('und', { usage: 'sort' });
const collatorIgnoreCase = new Intl.Collator('und', { usage: 'sort', sensitivity: 'accent' });

/** String.Compare with the invariant culture. */
export function cultureCompare(a: string, b: string, ignoreCase = false): number {
  const c = (ignoreCase ? collatorIgnoreCase : collator).compare(a, b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}
export function ordinalCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Comparer<T>.Default: nulls first, strings by culture, numbers by value. */
export function dnCompare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return cultureCompare(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof CsChar && b instanceof CsChar) return a.code - b.code < 0 ? -1 : 1;
  if (a instanceof Decimal && b instanceof Decimal) return a.cmp(b);
  if ((a instanceof DateTime && b instanceof DateTime) || (a instanceof TimeSpan && b instanceof TimeSpan)) return a.ticks < b.ticks ? -1 : a.ticks > b.ticks ? 1 : 0;
  if (a instanceof DateTimeOffset && b instanceof DateTimeOffset) return a.utcTicks < b.utcTicks ? -1 : a.utcTicks > b.utcTicks ? 1 : 0;
  if (a instanceof Guid && b instanceof Guid) return a.compare(b);
  if (typeof a === 'number' && typeof b === 'bigint') return dnCompare(BigInt(Math.trunc(a)), b);
  if (typeof a === 'bigint' && typeof b === 'number') return dnCompare(a, BigInt(Math.trunc(b)));
  const cmp = (a as { dnCompare?: (o: unknown) => number }).dnCompare;
  if (typeof cmp === 'function') return cmp.call(a, b);
  throw invalidOp('Failed to compare two elements in the array.');
}
