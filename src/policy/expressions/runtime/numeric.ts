// C# numeric semantics on JS values: wrap-around integer arithmetic, conversions between the
// numeric types (unchecked and checked), and the operators of each numeric kind.

import { divideByZero, overflow } from '../errors.ts';
import type { NumericKind } from '../types.ts';
import { CsChar } from './char.ts';
import { Decimal } from './decimal.ts';
import { overflowFor } from './numformat.ts';

export type Conv = (v: unknown) => unknown;

const isBig = (k: NumericKind): boolean => k === 'long' || k === 'ulong';
const isFloat = (k: NumericKind): boolean => k === 'float' || k === 'double';

const INT_BITS: Partial<Record<NumericKind, [number, boolean]>> = {
  sbyte: [8, true], byte: [8, false], short: [16, true], ushort: [16, false], int: [32, true], uint: [32, false], char: [16, false],
};

const RANGE: Record<string, [number, number]> = {
  sbyte: [-128, 127], byte: [0, 255], short: [-32768, 32767], ushort: [0, 65535], char: [0, 65535], int: [-2147483648, 2147483647], uint: [0, 4294967295],
};

function wrapSmall(n: number, k: NumericKind): number {
  switch (k) {
    case 'sbyte': return (n << 24) >> 24;
    case 'byte': return n & 0xff;
    case 'short': return (n << 16) >> 16;
    case 'ushort':
    case 'char': return n & 0xffff;
    case 'int': return n | 0;
    case 'uint': return n >>> 0;
    default: return n;
  }
}

/** Converts a value of numeric kind `from` to numeric kind `to` (C# explicit/implicit numeric conversion). */
export function numericConversion(from: NumericKind, to: NumericKind, checked: boolean): Conv | null {
  if (from === to) return null;
  // source to a canonical intermediate
  if (to === 'decimal') {
    if (from === 'double') return (v) => Decimal.fromDouble(v as number);
    if (from === 'float') return (v) => Decimal.fromFloat(v as number);
    if (from === 'char') return (v) => Decimal.fromInt((v as CsChar).code);
    return (v) => Decimal.fromInt(v as number | bigint);
  }
  if (to === 'double' || to === 'float') {
    const fr = to === 'float' ? Math.fround : (x: number) => x;
    if (from === 'decimal') return (v) => fr((v as Decimal).toNumber());
    if (from === 'char') return (v) => (v as CsChar).code;
    if (isBig(from)) return (v) => fr(Number(v as bigint));
    if (to === 'double') return null; // numbers already
    return (v) => Math.fround(v as number);
  }
  if (isBig(to)) {
    const lim: [bigint, bigint] = to === 'long' ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
    const wrap = to === 'long' ? (b: bigint) => BigInt.asIntN(64, b) : (b: bigint) => BigInt.asUintN(64, b);
    const fit = (b: bigint): bigint => {
      if (checked && (b < lim[0] || b > lim[1])) throw overflow();
      return wrap(b);
    };
    if (from === 'decimal') return (v) => {
      const b = (v as Decimal).truncBig();
      if (b < lim[0] || b > lim[1]) throw overflowFor(to);
      return b;
    };
    if (from === 'char') return (v) => BigInt((v as CsChar).code);
    if (isFloat(from)) return (v) => {
      const x = v as number;
      if (Number.isNaN(x) || x >= (to === 'long' ? 9223372036854775808 : 18446744073709551616) || x < -9223372036854775808) {
        if (checked) throw overflow();
        return to === 'long' ? -(1n << 63n) : (1n << 63n);
      }
      return fit(BigInt(Math.trunc(x)));
    };
    if (isBig(from)) return (v) => fit(v as bigint);
    return (v) => fit(BigInt(v as number));
  }
  // to a 32-bit-or-smaller integer (or char)
  const bits = INT_BITS[to];
  if (!bits) return null;
  const range = RANGE[to];
  const finish = to === 'char'
    ? (n: number) => CsChar.of(n)
    : (n: number) => n;
  const fitNum = (n: number): unknown => {
    if (checked && (n < range[0] || n > range[1])) throw overflow();
    return finish(wrapSmall(n, to));
  };
  if (from === 'decimal') return (v) => {
    const b = (v as Decimal).truncBig();
    if (b < BigInt(range[0]) || b > BigInt(range[1])) throw overflowFor(to === 'char' ? 'char' : to);
    return finish(Number(b));
  };
  if (from === 'char') return (v) => fitNum((v as CsChar).code);
  if (isFloat(from)) return (v) => {
    const x = v as number;
    if (Number.isNaN(x) || x >= 4294967296 || x <= -2147483649) {
      if (checked) throw overflow();
      return finish(wrapSmall(-2147483648, to));
    }
    const t = Math.trunc(x);
    if (checked && (t < range[0] || t > range[1])) throw overflow();
    return finish(wrapSmall(t > 2147483647 ? t - 4294967296 : t, to));
  };
  if (isBig(from)) return (v) => {
    const b = v as bigint;
    if (checked && (b < BigInt(range[0]) || b > BigInt(range[1]))) throw overflow();
    return finish(wrapSmall(Number(BigInt.asIntN(32, b)), to));
  };
  return (v) => fitNum(v as number);
}

export const IMPLICIT_NUMERIC: Record<NumericKind, NumericKind[]> = {
  sbyte: ['short', 'int', 'long', 'float', 'double', 'decimal'],
  byte: ['short', 'ushort', 'int', 'uint', 'long', 'ulong', 'float', 'double', 'decimal'],
  short: ['int', 'long', 'float', 'double', 'decimal'],
  ushort: ['int', 'uint', 'long', 'ulong', 'float', 'double', 'decimal'],
  int: ['long', 'float', 'double', 'decimal'],
  uint: ['long', 'ulong', 'float', 'double', 'decimal'],
  long: ['float', 'double', 'decimal'],
  ulong: ['float', 'double', 'decimal'],
  char: ['ushort', 'int', 'uint', 'long', 'ulong', 'float', 'double', 'decimal'],
  float: ['double'],
  double: [],
  decimal: [],
};

/** The kind binary arithmetic happens in, or null when C# has no such operator. */
export function promote(a: NumericKind, b: NumericKind): NumericKind | null {
  if (a === 'decimal' || b === 'decimal') {
    if (isFloat(a) || isFloat(b)) return null;
    return 'decimal';
  }
  if (a === 'double' || b === 'double') return 'double';
  if (a === 'float' || b === 'float') return 'float';
  const signed = (k: NumericKind): boolean => k === 'sbyte' || k === 'short' || k === 'int' || k === 'long';
  if (a === 'ulong' || b === 'ulong') {
    if (signed(a) || signed(b)) return null;
    return 'ulong';
  }
  if (a === 'long' || b === 'long') return 'long';
  if (a === 'uint' || b === 'uint') {
    if (signed(a) || signed(b)) return 'long';
    return 'uint';
  }
  return 'int';
}

type Bin = (a: unknown, b: unknown) => unknown;

/** Arithmetic operator implementations for a promoted kind (int, uint, long, ulong, float, double, decimal). */
export function arith(op: string, k: NumericKind, checked: boolean): Bin | null {
  switch (k) {
    case 'int':
      return intOp(op, checked, -2147483648, 2147483647, (x) => x | 0);
    case 'uint':
      return intOp(op, checked, 0, 4294967295, (x) => x >>> 0);
    case 'long':
      return bigOp(op, checked, 64, true);
    case 'ulong':
      return bigOp(op, checked, 64, false);
    case 'double':
    case 'float': {
      const f = k === 'float' ? Math.fround : (x: number) => x;
      switch (op) {
        case '+': return (a, b) => f((a as number) + (b as number));
        case '-': return (a, b) => f((a as number) - (b as number));
        case '*': return (a, b) => f((a as number) * (b as number));
        case '/': return (a, b) => f((a as number) / (b as number));
        case '%': return (a, b) => f((a as number) % (b as number));
      }
      return null;
    }
    case 'decimal':
      switch (op) {
        case '+': return (a, b) => (a as Decimal).add(b as Decimal);
        case '-': return (a, b) => (a as Decimal).sub(b as Decimal);
        case '*': return (a, b) => (a as Decimal).mul(b as Decimal);
        case '/': return (a, b) => (a as Decimal).div(b as Decimal);
        case '%': return (a, b) => (a as Decimal).mod(b as Decimal);
      }
      return null;
  }
  return null;
}

function intOp(op: string, checked: boolean, lo: number, hi: number, wrap: (x: number) => number): Bin | null {
  const fit = checked
    ? (x: number): number => {
        if (x < lo || x > hi) throw overflow();
        return x;
      }
    : wrap;
  const signed = lo < 0;
  switch (op) {
    case '+': return checked ? (a, b) => fit((a as number) + (b as number)) : signed ? (a, b) => ((a as number) + (b as number)) | 0 : (a, b) => ((a as number) + (b as number)) >>> 0;
    case '-': return checked ? (a, b) => fit((a as number) - (b as number)) : signed ? (a, b) => ((a as number) - (b as number)) | 0 : (a, b) => ((a as number) - (b as number)) >>> 0;
    case '*':
      if (checked) return (a, b) => {
        const r = (a as number) * (b as number);
        if (!Number.isSafeInteger(r)) throw overflow();
        return fit(r);
      };
      return signed ? (a, b) => Math.imul(a as number, b as number) : (a, b) => Math.imul(a as number, b as number) >>> 0;
    case '/': return (a, b) => {
      if (b === 0) throw divideByZero();
      if (signed && a === lo && b === -1) throw overflow();
      return wrap(Math.trunc((a as number) / (b as number)));
    };
    case '%': return (a, b) => {
      if (b === 0) throw divideByZero();
      if (signed && a === lo && b === -1) throw overflow();
      return wrap((a as number) % (b as number));
    };
    case '&': return signed ? (a, b) => (a as number) & (b as number) : (a, b) => ((a as number) & (b as number)) >>> 0;
    case '|': return signed ? (a, b) => (a as number) | (b as number) : (a, b) => ((a as number) | (b as number)) >>> 0;
    case '^': return signed ? (a, b) => (a as number) ^ (b as number) : (a, b) => ((a as number) ^ (b as number)) >>> 0;
  }
  return null;
}

function bigOp(op: string, checked: boolean, bits: number, signed: boolean): Bin | null {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const wrap = signed ? (x: bigint) => BigInt.asIntN(bits, x) : (x: bigint) => BigInt.asUintN(bits, x);
  const fit = checked
    ? (x: bigint): bigint => {
        if (x < lo || x > hi) throw overflow();
        return x;
      }
    : wrap;
  switch (op) {
    case '+': return (a, b) => fit((a as bigint) + (b as bigint));
    case '-': return (a, b) => fit((a as bigint) - (b as bigint));
    case '*': return (a, b) => fit((a as bigint) * (b as bigint));
    case '/': return (a, b) => {
      if (b === 0n) throw divideByZero();
      if (signed && a === lo && b === -1n) throw overflow();
      return (a as bigint) / (b as bigint);
    };
    case '%': return (a, b) => {
      if (b === 0n) throw divideByZero();
      if (signed && a === lo && b === -1n) throw overflow();
      return (a as bigint) % (b as bigint);
    };
    case '&': return (a, b) => wrap((a as bigint) & (b as bigint));
    case '|': return (a, b) => wrap((a as bigint) | (b as bigint));
    case '^': return (a, b) => wrap((a as bigint) ^ (b as bigint));
  }
  return null;
}

export function shiftOp(op: string, k: NumericKind): Bin | null {
  switch (k) {
    case 'int':
      return op === '<<' ? (a, b) => (a as number) << (b as number) : (a, b) => (a as number) >> (b as number);
    case 'uint':
      return op === '<<' ? (a, b) => ((a as number) << (b as number)) >>> 0 : (a, b) => (a as number) >>> (b as number);
    case 'long':
      return op === '<<' ? (a, b) => BigInt.asIntN(64, (a as bigint) << BigInt((b as number) & 63)) : (a, b) => (a as bigint) >> BigInt((b as number) & 63);
    case 'ulong':
      return op === '<<' ? (a, b) => BigInt.asUintN(64, (a as bigint) << BigInt((b as number) & 63)) : (a, b) => (a as bigint) >> BigInt((b as number) & 63);
  }
  return null;
}

export function compareOp(op: string, k: NumericKind): Bin {
  if (k === 'decimal') {
    switch (op) {
      case '<': return (a, b) => (a as Decimal).cmp(b as Decimal) < 0;
      case '>': return (a, b) => (a as Decimal).cmp(b as Decimal) > 0;
      case '<=': return (a, b) => (a as Decimal).cmp(b as Decimal) <= 0;
      case '>=': return (a, b) => (a as Decimal).cmp(b as Decimal) >= 0;
      case '==': return (a, b) => (a as Decimal).cmp(b as Decimal) === 0;
      default: return (a, b) => (a as Decimal).cmp(b as Decimal) !== 0;
    }
  }
  switch (op) {
    case '<': return (a, b) => (a as number) < (b as number);
    case '>': return (a, b) => (a as number) > (b as number);
    case '<=': return (a, b) => (a as number) <= (b as number);
    case '>=': return (a, b) => (a as number) >= (b as number);
    case '==': return (a, b) => a === b;
    default: return (a, b) => a !== b;
  }
}

export function negate(k: NumericKind, checked: boolean): (v: unknown) => unknown {
  switch (k) {
    case 'int': return checked ? (v) => { if (v === -2147483648) throw overflow(); return -(v as number) | 0; } : (v) => -(v as number) | 0;
    case 'uint': return (v) => BigInt(-(v as number)); // C#: -uint is long
    case 'long': return checked ? (v) => { if (v === -(1n << 63n)) throw overflow(); return -(v as bigint); } : (v) => BigInt.asIntN(64, -(v as bigint));
    case 'decimal': return (v) => (v as Decimal).neg();
    default: return (v) => -(v as number);
  }
}

export function zeroOf(k: NumericKind): unknown {
  if (k === 'decimal') return Decimal.Zero;
  if (isBig(k)) return 0n;
  if (k === 'char') return CsChar.of(0);
  return 0;
}

export function oneOf(k: NumericKind): unknown {
  if (k === 'decimal') return Decimal.One;
  if (isBig(k)) return 1n;
  return 1;
}
